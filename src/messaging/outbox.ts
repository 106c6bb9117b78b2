// The outbox: every reply is stored first (status `pending`), then delivered from here through its
// channel's sender.
//   - In order per chat: a chat's next message waits until the one before it was delivered (and
//     recorded so) or given up; different chats are sent side by side (up to `concurrency` at once).
//   - A failure worth retrying (Telegram 429, a 5xx, WhatsApp disconnected, a network error) is
//     tried again after an exponential backoff with jitter, or exactly when the platform asked
//     (`DeliveryError.retryAfterMs`). A permanent one (`DeliveryError.permanent`), or one still
//     failing after `maxAttempts`, is marked `failed` with its last error: never dropped silently,
//     and listed by `failedDeliveries` for the console.
//   - Event-driven: a new message wakes its chat's line at once; one timer waits for the earliest
//     retry that is due, and nothing polls.
//   - What a stopped process left pending is loaded again by `start()`.
import { LRUCache } from 'lru-cache';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../log.ts';
import type { Database } from '../storage/database.ts';
import type { PendingDelivery } from './conversation-store.ts';
import { DeliveryError, type ChannelSender, type DeliveryTarget } from './delivery.ts';
import type { OutboundMessage } from './message.ts';
import { deliveryRetries, messagesOut } from '../metrics.ts';

export interface OutboxOptions {
  /** Attempts before a message is marked failed. */
  maxAttempts?: number;
  /** Wait before the second attempt; doubled for each further one. */
  baseDelayMs?: number;
  /** Longest wait between two attempts. */
  maxDelayMs?: number;
  /** 0..1: a retry waits between (1 - jitter) and 1 times the exponential delay, so chats that failed together do not retry together. */
  jitter?: number;
  /** Chats sending at the same time. */
  concurrency?: number;
  /** A send that has not finished after this long counts as failed (and is retried). */
  sendTimeoutMs?: number;
  /** Random numbers in [0, 1) for the jitter (tests). */
  random?: () => number;
}

export const OUTBOX_DEFAULTS: Required<Omit<OutboxOptions, 'random'>> = {
  maxAttempts: 12,
  baseDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
  jitter: 0.5,
  concurrency: 16,
  sendTimeoutMs: 60_000,
};

/**
 * What the outbox needs of its store: the conversation store's messages, or another durable queue
 * that follows the same rules (integrations/deliveries.ts: departments' webhook calls and e-mails,
 * one "chat" per department and channel).
 */
export interface OutboxStore {
  leftoverDeliveries(): Promise<PendingDelivery[]>;
  /** Claims and returns what nobody delivers (several instances); absent: `leftoverDeliveries` at start only. */
  unclaimedDeliveries?(): Promise<PendingDelivery[]>;
  markSent(id: string): Promise<void>;
  markFailed(id: string, attempts?: number, lastError?: string): Promise<void>;
  markRetry(id: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void>;
  requeue(id: string): Promise<PendingDelivery | undefined>;
  /** Where the chat is now: its address as stored (JSON) and when the citizen last wrote. */
  conversation(id: string): Promise<{ address: string; lastMessageAt: Date | null } | null>;
  flush(): Promise<void>;
}

/** Where a chat is reachable, as a channel's sender needs it. */
export interface ChatTarget {
  address: Record<string, unknown>;
  lastInboundAt: Date;
}

/** A message to deliver, as the adapter hands it over after storing it. */
export interface OutboxItem {
  id: string;
  conversationId: string;
  channel: string;
  message: OutboundMessage;
  /**
   * Where to send it, when the caller knows (a reply to the message that just came in); otherwise
   * the conversation is read when the message's turn to go comes.
   */
  target?: ChatTarget;
}

interface Delivery extends OutboxItem {
  attempts: number;
  /** Epoch ms before which the next attempt must not start. */
  dueAt: number;
  /** Called once the first attempt is over (delivered, failed, or a retry planned). */
  firstAttempt?: () => void;
}

function settle(delivery: Delivery): void {
  const done = delivery.firstAttempt;
  delivery.firstAttempt = undefined;
  done?.();
}

/** The queue of one chat. */
interface Line {
  conversationId: string;
  channel: string;
  items: Delivery[];
  busy: boolean;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.slice(0, 500) || 'bilinmeyen hata';
}

function parseAddress(json: string | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(json ?? '{}') as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class Outbox {
  private readonly options: Required<Omit<OutboxOptions, 'random'>>;
  private readonly random: () => number;
  private readonly lines = new Map<string, Line>();
  private readonly sending = new Set<Promise<void>>();
  /**
   * Messages this outbox delivered or gave up lately. A read of pending rows that started before
   * their status was written (a take-over's, a sweep's, under load) may still return them: they
   * are not adopted again, so nothing goes out twice from here.
   */
  private readonly finished = new LRUCache<string, true>({ max: 20_000 });
  /** Lines whose first message is waiting for its retry time. */
  private readonly waiting = new Set<Line>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Sends to platforms, up to `concurrency` at once. */
  private readonly sendSlots: LimitFunction;
  private closed = false;
  private started = false;
  /** Counters for logs and the benchmark. */
  readonly stats = { delivered: 0, retried: 0, failed: 0 };
  /** Called when a chat's last queued message was delivered or given up (several instances: its conversation may be given back). */
  onDrained: ((conversationId: string) => void) | undefined;

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    private readonly senderFor: (channel: string) => ChannelSender | undefined,
    options: OutboxOptions = {},
  ) {
    this.options = { ...OUTBOX_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<Omit<OutboxOptions, 'random'>>;
    this.random = options.random ?? Math.random;
    this.sendSlots = pLimit(Math.max(1, this.options.concurrency));
  }

  /**
   * Loads the messages a previous run left pending and starts delivering them. Call once, before
   * new traffic. With `leftovers: false` (several instances, messaging/ownership.ts) nothing is
   * loaded here: each conversation's pending messages are adopted by the instance that takes its
   * lease.
   */
  async start(options: { leftovers?: boolean } = {}): Promise<number> {
    if (this.started) return 0;
    this.started = true;
    if (options.leftovers === false) return 0;
    // Not the store's own messages: those are queued here, being sent, or sent and about to be marked so.
    const count = this.adopt(await this.store.leftoverDeliveries());
    if (count > 0) this.logger.info({ messages: count }, 'outbox: undelivered messages from the previous run queued again');
    return count;
  }

  /**
   * Stored messages nobody is delivering (a previous run's, another instance's that died), queued
   * ahead of what was queued since; those already queued here are skipped. Returns how many.
   */
  adopt(rows: PendingDelivery[]): number {
    if (this.closed) return 0;
    const queued = new Set<string>();
    for (const line of this.lines.values()) for (const item of line.items) queued.add(item.id);
    const byConversation = new Map<string, PendingDelivery[]>();
    for (const row of rows) {
      if (queued.has(row.id) || this.finished.has(row.id)) continue;
      const list = byConversation.get(row.conversationId) ?? [];
      list.push(row);
      byConversation.set(row.conversationId, list);
    }
    const idle = new Set<string>();
    for (const [conversationId, list] of byConversation) {
      const line = this.line(conversationId, list[0]!.channel);
      const older = list.map((row) => ({ ...row, dueAt: row.nextAttemptAt?.getTime() ?? 0 }));
      // Left over from before, so older than anything queued since: they go first (after a send in progress).
      line.items.splice(line.busy ? 1 : 0, 0, ...older);
      if (!this.senderFor(line.channel)) idle.add(line.channel);
      this.pump(line);
    }
    for (const channel of idle) this.logger.warn({ channel }, 'outbox: messages wait for a channel that is not running');
    return [...byConversation.values()].reduce((sum, list) => sum + list.length, 0);
  }

  /**
   * Stored messages to deliver, in the order they were stored. Resolves when each has had its first
   * attempt (delivered, failed, or a retry planned), so that a channel can acknowledge a message to
   * its platform once the answer went out, as before there was an outbox. Retries are not waited
   * for: behind a message waiting for its retry, the promise resolves at once.
   */
  enqueue(items: OutboxItem[]): Promise<void> {
    if (this.closed) return Promise.resolve(); // Still pending in the database: the next start delivers them.
    const touched = new Set<Line>();
    const attempted: Promise<void>[] = [];
    for (const item of items) {
      const line = this.line(item.conversationId, item.channel);
      attempted.push(new Promise<void>((resolve) => line.items.push({ ...item, attempts: 0, dueAt: 0, firstAttempt: resolve })));
      touched.add(line);
    }
    for (const line of touched) this.pump(line);
    return Promise.all(attempted).then(() => undefined);
  }

  /** A sender was registered for the channels `matches` accepts: their chats' waiting messages can go. */
  channelsReady(matches: (channel: string) => boolean): void {
    for (const line of this.lines.values()) if (matches(line.channel)) this.pump(line);
  }

  /** Puts a failed message back in its chat's line (the console's "try again"). */
  async retry(messageId: string): Promise<boolean> {
    const row = await this.store.requeue(messageId);
    if (!row) return false;
    this.finished.delete(row.id);
    this.enqueue([{ id: row.id, conversationId: row.conversationId, channel: row.channel, message: row.message }]);
    return true;
  }

  /** True while messages of the conversation are queued here (being sent, or waiting for a retry). */
  delivering(conversationId: string): boolean {
    return this.lines.has(conversationId);
  }

  /** Messages queued in this process and not yet delivered or given up. */
  get queued(): number {
    let count = 0;
    for (const line of this.lines.values()) count += line.items.length;
    return count;
  }

  /** Stops taking new work, lets sends in progress finish, and clears the retry timer. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Sends still waiting for a slot find `closed` set and return at once; the message stays pending for the next start.
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
    for (const line of this.lines.values()) for (const item of line.items) settle(item);
    await this.store.flush();
  }

  private line(conversationId: string, channel: string): Line {
    let line = this.lines.get(conversationId);
    if (!line) {
      line = { conversationId, channel, items: [], busy: false };
      this.lines.set(conversationId, line);
    }
    return line;
  }

  private pump(line: Line): void {
    if (this.closed || line.busy) return;
    const head = line.items[0];
    if (!head) {
      this.lines.delete(line.conversationId);
      this.waiting.delete(line);
      this.onDrained?.(line.conversationId);
      return;
    }
    if (head.dueAt > Date.now()) {
      // The chat waits for a retry: nobody waits for its messages' first attempts meanwhile.
      for (const item of line.items) settle(item);
      this.waiting.add(line);
      this.arm();
      return;
    }
    this.waiting.delete(line);
    const sender = this.senderFor(line.channel);
    if (!sender) {
      for (const item of line.items) settle(item);
      return; // channelsReady() wakes it.
    }
    line.busy = true;
    const work: Promise<void> = this.attempt(line, head, sender)
      .catch((error: unknown) => this.logger.error({ err: error, conversation: line.conversationId }, 'outbox: could not record a delivery result'))
      .finally(() => {
        line.busy = false;
        this.sending.delete(work);
        this.pump(line);
      });
    this.sending.add(work);
  }

  private async attempt(line: Line, head: Delivery, sender: ChannelSender): Promise<void> {
    try {
      // The slot is for talking to platforms: another chat may send while this one's bookkeeping is written.
      const sent = await this.sendSlots(async () => {
        if (this.closed) return false;
        const target = await this.target(head);
        await this.withTimeout(sender.send(target, head.message));
        return true;
      });
      if (!sent) return;
      line.items.shift();
      this.finished.set(head.id, true);
      this.stats.delivered++;
      messagesOut.inc({ channel: line.channel, result: 'sent' });
      // Recorded before the chat's next message goes (a batched write, shared with other chats): a
      // process killed now sends again, after its restart, at most the one message whose delivery
      // was not yet recorded, never a run of them. Whoever waits for this first attempt is told once
      // the row says `sent`.
      await this.store.markSent(head.id).catch((error: unknown) => this.logger.error({ err: error, message: head.id }, 'outbox: could not mark a message sent'));
      settle(head);
    } catch (error) {
      if (this.closed && !(error instanceof DeliveryError)) {
        // Interrupted by shutdown: still pending, the next start tries again.
        return;
      }
      try {
        await this.failed(line, head, error);
      } finally {
        settle(head);
      }
    }
  }

  private async failed(line: Line, head: Delivery, error: unknown): Promise<void> {
    const attempts = head.attempts + 1;
    const reason = describe(error);
    const options = error instanceof DeliveryError ? error.options : {};
    const context = { conversation: line.conversationId, message: head.id, channel: line.channel, attempts, reason };
    if (options.permanent || attempts >= this.options.maxAttempts) {
      line.items.shift();
      this.stats.failed++;
      messagesOut.inc({ channel: line.channel, result: 'failed' });
      this.logger.warn(context, options.permanent ? 'outbox: delivery refused for good, message marked failed' : 'outbox: delivery kept failing, message marked failed');
      this.finished.set(head.id, true);
      await this.store.markFailed(head.id, attempts, reason);
      return;
    }
    const delay = this.retryDelay(attempts, options.retryAfterMs);
    head.attempts = attempts;
    head.dueAt = Date.now() + delay;
    // A retry reads where the chat is from the database: it may have changed in the meantime.
    head.target = undefined;
    this.stats.retried++;
    deliveryRetries.inc({ channel: line.channel });
    this.logger.info({ ...context, retryInMs: delay }, 'outbox: delivery failed, will try again');
    await this.store.markRetry(head.id, attempts, new Date(head.dueAt), reason);
  }

  /** Backoff before attempt `attempts + 1`. */
  retryDelay(attempts: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      // Never earlier than the platform asked; a little later so that chats it slowed down together spread out.
      return Math.ceil(retryAfterMs + this.random() * Math.min(1_000, retryAfterMs * 0.1));
    }
    const exponential = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
    return Math.max(0, Math.round(exponential * (1 - this.options.jitter * this.random())));
  }

  private async target(delivery: Delivery): Promise<DeliveryTarget> {
    let target = delivery.target;
    if (!target) {
      // Read when the message goes, not when it was queued: the citizen may have written since.
      const conversation = await this.store.conversation(delivery.conversationId);
      target = { address: parseAddress(conversation?.address), lastInboundAt: conversation?.lastMessageAt ?? new Date(0) };
    }
    return { conversationId: delivery.conversationId, address: target.address, lastInboundAt: target.lastInboundAt, messageId: delivery.id };
  }

  private withTimeout(sending: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`sending did not finish within ${this.options.sendTimeoutMs} ms`)), this.options.sendTimeoutMs);
    });
    return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
  }

  /** One timer, for the earliest retry that is due. */
  private arm(): void {
    let earliest = Infinity;
    for (const line of this.waiting) earliest = Math.min(earliest, line.items[0]?.dueAt ?? Infinity);
    if (earliest === Infinity || earliest >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = earliest;
    this.timer = setTimeout(() => this.wake(), Math.max(0, earliest - Date.now()));
    this.timer.unref();
  }

  private wake(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    for (const line of [...this.waiting]) {
      if ((line.items[0]?.dueAt ?? 0) <= now) {
        this.waiting.delete(line);
        this.pump(line);
      }
    }
    this.arm();
  }

}

/** A message the outbox gave up on, as the console lists it. */
export interface FailedDelivery {
  id: string;
  conversationId: string;
  channel: string;
  contactId: string;
  author: string;
  authorName: string | null;
  text: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** Messages that could not be delivered, newest first. */
export async function failedDeliveries(db: Database, options: { limit?: number; channel?: string; conversationId?: string } = {}): Promise<FailedDelivery[]> {
  const rows = await db.message.findMany({
    where: {
      direction: 'out',
      status: 'failed',
      ...(options.conversationId ? { conversationId: options.conversationId } : {}),
      ...(options.channel ? { conversation: { channel: options.channel } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.min(Math.max(options.limit ?? 100, 1), 1000),
    select: {
      id: true,
      conversationId: true,
      author: true,
      authorName: true,
      text: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      conversation: { select: { channel: true, contactId: true } },
    },
  });
  return rows.map(({ conversation, ...row }) => ({ ...row, channel: conversation.channel, contactId: conversation.contactId }));
}
