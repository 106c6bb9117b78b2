// Which instance answers a conversation, when several run on one PostgreSQL database. One at a
// time, in order, whichever instance a webhook or a web chat request reached:
//   - the instance that received a message stores it first (as always), then claims the
//     conversation's lease (storage/cluster.ts: `conversation:<id>`, valid while its holder's
//     heartbeat is); holding it, it answers, after any older message of the conversation another
//     instance stored;
//   - otherwise it tells the others (NOTIFY `work`): the holder answers the conversation's waiting
//     messages in order and says so (NOTIFY `answered`), and the receiving instance reads the
//     replies from the database for a client waiting for them (the web chat);
//   - every few seconds each instance sweeps for conversations with unanswered messages or
//     undelivered replies whose lease is free or whose holder died, claims them and takes their
//     work over (what a killed instance left, and a notice that was missed). Crash recovery is the
//     same sweep: it never takes what a live instance holds.
// A conversation is given back as soon as its holder is idle in it (no turn queued or running, no
// reply waiting in its outbox), so that the next message is answered by whichever instance receives
// it, without a hand-over: behind a proxy without sticky sessions, a citizen's next message lands on
// another instance half of the time, and a hand-over costs two notices and two reads where a
// give-back costs one batched DELETE. A notice of work in a conversation given back a moment ago
// (the sender tried to claim before the DELETE) is answered by claiming it again. Everything is
// handed back when the instance shuts down.
// A channel connected on one instance only (WhatsApp through Baileys: one connection per linked
// device) is pinned: its conversations are held only by the instance where it is connected, which
// receives their messages and alone can deliver their replies. Another instance that stores one
// (an agent's reply) hands it over as for any conversation it does not hold, naming the channel,
// so that the connected instance claims the conversation at once.
// On SQLite (one process) there is none of this: the adapter has no ownership and behaves as before.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Cluster } from '../storage/cluster.ts';
import type { DirectSql } from '../storage/direct-sql.ts';
import type { OutboundMessage } from './message.ts';

/** How long a receiving instance waits for the holder's answer before answering its client without it (the page polls). */
const ANSWER_WAIT_MS = 20_000;
/** Messages younger than this are their receiving instance's, about to claim: the sweep leaves them. */
const SWEEP_AGE_MS = 1_500;

export function conversationKey(conversationId: string): string {
  return `conversation:${conversationId}`;
}

export class ConversationOwnership {
  /** Conversations this instance holds (claims it won under its current id). */
  private readonly held = new Set<string>();
  /** Give-backs being written: a claim of the same conversation waits for its DELETE first. */
  private readonly releasing = new Map<string, Promise<void>>();
  /** Conversations given back lately: a notice of work in one is answered by claiming it again. */
  private readonly givenBack = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
  private readonly waiters = new Map<string, () => void>();
  /** Pinned channels: true where connected here. */
  private readonly pinned = new Map<string, boolean>();
  private workListener: ((conversationId: string) => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly sql: DirectSql,
    private readonly logger: Logger,
  ) {
    cluster.onLost(() => this.held.clear());
    cluster.on('work', (notice) => {
      const conversationId = String(notice.conversationId);
      if (this.held.has(conversationId)) return this.workListener?.(conversationId);
      const channel = typeof notice.channel === 'string' ? notice.channel : undefined;
      if (channel && this.pinned.get(channel)) {
        // Taken, not claimed: the work listener's take-over adopts what was left undelivered itself.
        void this.take(conversationId, channel)
          .then((won) => won && this.workListener?.(conversationId))
          .catch((error: unknown) => this.logger.warn({ err: error, conversation: conversationId }, 'claiming a pinned conversation failed'));
      } else if (this.givenBack.has(conversationId)) void this.reclaim(conversationId, channel ?? '');
    });
    cluster.on('answered', (notice) => this.answered(String(notice.messageId), false));
  }

  get leaseMs(): number {
    return this.cluster.leaseMs;
  }

  /**
   * `channel` is connected on one instance only; `here` says whether this is the one. Its
   * conversations are claimed only there (set before any claim: at the channel's construction).
   */
  pin(channel: string, here: boolean): void {
    this.pinned.set(channel, here);
  }

  /**
   * True when this instance holds the conversation now (claimed if it was free or its holder dead).
   * What its previous holder left undelivered is the caller's to adopt (adapter.ts `runWaiting`).
   */
  async claim(conversationId: string, channel: string): Promise<boolean> {
    return this.held.has(conversationId) || this.take(conversationId, channel);
  }

  private async take(conversationId: string, channel: string): Promise<boolean> {
    if (this.pinned.get(channel) === false) return false;
    // Given back a moment ago: the DELETE goes first, or it would delete the lease claimed now.
    const releasing = this.releasing.get(conversationId);
    if (releasing) await releasing;
    const won = await this.cluster.claim(conversationKey(conversationId));
    if (won) this.held.add(conversationId);
    return won;
  }

  /**
   * Gives the conversation back: this instance is idle in it (the adapter checked). Resolves once
   * the lease row is gone; a claim made meanwhile waits for it.
   */
  giveBack(conversationId: string): Promise<void> {
    if (this.closed || !this.held.delete(conversationId)) return Promise.resolve();
    this.givenBack.set(conversationId, true);
    const released = this.cluster
      .releaseSoon(conversationKey(conversationId))
      .catch((error: unknown) => this.logger.warn({ err: error, conversation: conversationId }, 'giving a conversation back failed: it moves on when this instance stops'))
      .finally(() => {
        if (this.releasing.get(conversationId) === released) this.releasing.delete(conversationId);
      });
    this.releasing.set(conversationId, released);
    return released;
  }

  /** Work arrived in a conversation given back a moment ago: taken again, if nobody else did. */
  private async reclaim(conversationId: string, channel: string): Promise<void> {
    try {
      if (this.held.has(conversationId) || (await this.take(conversationId, channel))) this.workListener?.(conversationId);
    } catch (error) {
      this.logger.warn({ err: error, conversation: conversationId }, 'claiming a conversation again failed: a sweep takes its work');
    }
  }

  holds(conversationId: string): boolean {
    return this.held.has(conversationId);
  }

  /** Tells the holder there is work in the conversation (on a pinned channel, the instance connected to it claims it). */
  wake(conversationId: string, channel?: string): Promise<void> {
    return this.cluster.notify('work', { conversationId, ...(channel && this.pinned.has(channel) && { channel }) });
  }

  /**
   * Waits until another instance answered `messageId` (or this one did, in a sweep), or gives up
   * after a while; then returns the replies stored for it.
   */
  async answerOf(messageId: string, conversationId: string, replies: (id: string) => Promise<OutboundMessage[]>): Promise<OutboundMessage[]> {
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId);
        resolve();
      }, ANSWER_WAIT_MS);
      timer.unref();
      this.waiters.set(messageId, () => {
        clearTimeout(timer);
        this.waiters.delete(messageId);
        resolve();
      });
    });
    await this.wake(conversationId);
    await done;
    return replies(messageId);
  }

  /** `messageId` was answered: by this instance (told to the others when `tell`) or another. */
  answered(messageId: string, tell: boolean): void {
    this.waiters.get(messageId)?.();
    if (tell) void this.cluster.notify('answered', { messageId });
  }

  /** What the adapter does with a conversation's work: called for conversations this instance holds. */
  onWork(listener: (conversationId: string) => void): void {
    this.workListener = listener;
  }

  /**
   * Claims the conversations with unanswered messages or undelivered replies that nobody alive
   * holds, and hands each to the work listener. Returns how many it took.
   */
  async sweep(options: { all?: boolean } = {}): Promise<number> {
    if (this.closed) return 0;
    const cutoff = new Date(Date.now() - (options.all ? 0 : SWEEP_AGE_MS));
    // Unanswered messages also in conversations this instance holds (a notice it missed); undelivered
    // replies only elsewhere (its own are in its outbox, some waiting for a retry).
    const key = Prisma.sql`'conversation:' || "Message"."conversationId"`;
    // Not the conversations of a channel connected on another instance: they wait for that one.
    const elsewhere = [...this.pinned].filter(([, here]) => !here).map(([channel]) => channel);
    const notElsewhere = elsewhere.length > 0 ? Prisma.sql`AND "Conversation"."channel" NOT IN (${Prisma.join(elsewhere)})` : Prisma.empty;
    const rows = await this.sql.query<{ conversationId: string; channel: string }>(Prisma.sql`SELECT DISTINCT "Message"."conversationId", "Conversation"."channel" FROM "Message"
      JOIN "Conversation" ON "Conversation"."id" = "Message"."conversationId"
      WHERE "Message"."createdAt" < ${cutoff} ${notElsewhere} AND (
        ("Message"."status" = 'received' AND "Message"."direction" = 'in' AND ${this.cluster.freeLeaseSql(key, { mine: true })})
        OR ("Message"."status" = 'pending' AND "Message"."direction" = 'out' AND ${this.cluster.freeLeaseSql(key)}))
      LIMIT 500`);
    let taken = 0;
    const claims = await Promise.all(rows.map(async (row) => [row.conversationId, this.held.has(row.conversationId), this.held.has(row.conversationId) || (await this.take(row.conversationId, row.channel))] as const));
    for (const [conversationId, heldBefore, won] of claims) {
      if (!won) continue;
      if (!heldBefore) taken++;
      this.workListener?.(conversationId);
    }
    if (taken > 0) this.logger.info({ conversations: taken, instance: this.cluster.id }, 'conversations taken over: their holder is gone or their work was waiting');
    return taken;
  }

  /** Sweeps every half lease time. */
  begin(): void {
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweep()).catch((error: unknown) => this.logger.warn({ err: error }, 'conversation sweep failed'));
    }, Math.max(250, Math.floor(this.cluster.leaseMs / 2)));
    this.sweepTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.sweeping;
    for (const resolve of [...this.waiters.values()]) resolve();
  }
}
