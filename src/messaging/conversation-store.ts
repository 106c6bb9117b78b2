// Contacts, conversations and their messages in the database. Every message is written here
// before anything acts on it: an inbound one before the bot reads it, an outbound one before a
// channel sends it.
//
// The hot path (a message in, its replies out, their delivery) writes through batchers
// (storage/batcher.ts): rows of many chats written at about the same moment share one statement,
// and a chat's contact and conversation ids are kept in memory after the first message, so a known
// citizen's message costs no upsert. Every write is a single statement that can be run again
// without harm, so a batch that fails can be retried row by row.
import { Prisma } from '../generated/prisma/client.ts';
import type { CozumEvents } from '../handoff/events.ts';
import type { Database } from '../storage/database.ts';
import { directSql, type DirectSql, type DirectStatements } from '../storage/direct-sql.ts';
import { overwriteStateSql, type StateOverwrite } from '../storage/state-storage.ts';
import { Batcher } from '../storage/batcher.ts';
import { nextStamp, type Stamp } from '../storage/ids.ts';
import type { OutboundMessage, ParsedInbound } from './message.ts';

export type Author = 'citizen' | 'bot' | 'agent' | 'system';

export interface OpenedConversation {
  contactId: string;
  conversationId: string;
  mode: string;
}

/** An inbound message as stored by `persistInbound`. */
export interface StoredInbound {
  /** Empty for a duplicate. */
  id: string;
  conversationId: string;
  contactId: string;
  createdAt: Date;
  duplicate: boolean;
}

/** A reply (or an agent's or the system's message) to be stored for a conversation. */
export interface OutboundRow {
  id: string;
  createdAt: Date;
  conversationId: string;
  author: Author;
  authorName?: string;
  /** The inbound message this answers; recovery relies on it. */
  replyToId?: string;
  message: OutboundMessage;
  /** `sent` for channels that return replies in their own response; `pending` for the outbox. */
  status: 'pending' | 'sent';
}

export interface Understanding {
  intent: string;
  confidence: number;
}

/** An inbound message that was stored but never answered (the process stopped in between). */
export interface UnprocessedInbound {
  id: string;
  createdAt: Date;
  conversationId: string;
  contactId: string;
  message: ParsedInbound;
}

/** An outbound message waiting for its channel. */
export interface PendingDelivery {
  id: string;
  conversationId: string;
  channel: string;
  message: OutboundMessage;
  attempts: number;
  nextAttemptAt: Date | null;
}

interface KnownChat {
  contactId: string;
  conversationId: string;
  address: string;
  displayName?: string | null;
}

interface InboundWrite {
  stamp: { id: string; at: Date };
  message: ParsedInbound;
  chat: KnownChat;
  /** The conversation row was just upserted; otherwise it comes from the cache and is checked. */
  fresh: boolean;
}

type InboundResult = StoredInbound | 'stale';

interface TurnWrite {
  replies: OutboundRow[];
  /** The inbound message to mark processed, with what the NLU made of it. */
  processed?: { id: string; understanding?: Understanding };
  /** The conversation state the turn saved (storage/conversation-state.ts): stored with the replies. */
  state: StateOverwrite[];
}

export type ConversationWithContact = Prisma.ConversationGetPayload<{ include: { contact: true } }>;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

export function chatKey(channel: string, userId: string): string {
  return `${channel}\u0000${userId}`;
}

/** Rows per INSERT: well under SQLite's limit of 32,766 bound values. */
const ROWS_PER_STATEMENT = 250;
/** Citizens whose ids are kept in memory; the oldest are forgotten first. */
const KNOWN_CHATS = 20_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What an inbound message carries besides its text: media, location, and what could not be read. */
function inboundPayload(message: ParsedInbound): string {
  return JSON.stringify({ media: message.media, location: message.location, ...(message.unreadable ? { unreadable: message.unreadable } : {}) });
}

function outboundPayload(message: OutboundMessage): string {
  return JSON.stringify({ choices: message.choices });
}

export function outboundFromPayload(text: string, payload: string): OutboundMessage {
  try {
    const parsed = JSON.parse(payload) as { choices?: unknown };
    return { text, choices: Array.isArray(parsed.choices) ? parsed.choices.map(String) : [] };
  } catch {
    return { text, choices: [] };
  }
}

export class ConversationStore {
  private readonly chats = new Map<string, KnownChat>();
  /** Inbound messages whose turn is running: `annotate` keeps their understanding for the turn's commit. */
  private readonly openTurns = new Map<string, Understanding | undefined>();
  /**
   * Rows this store wrote and still has in hand: inbound messages not yet processed, outbound ones
   * not yet delivered. What recovery finds in the database beyond these was left by an earlier run.
   */
  private readonly ownInbound = new Set<string>();
  private readonly ownPending = new Set<string>();
  private readonly opens: Batcher<ParsedInbound, OpenedConversation & { displayName: string | null }>;
  private readonly inboundWrites: Batcher<InboundWrite, InboundResult>;
  private readonly turnWrites: Batcher<TurnWrite, void>;
  private readonly deliveredWrites: Batcher<string, void>;
  private readonly conversationReads: Batcher<string, ConversationWithContact | null>;
  private readonly modeReads: Batcher<string, string | undefined>;
  /** The batched writes below run on every turn: see direct-sql.ts. */
  private readonly sql: DirectSql;

  constructor(
    private readonly db: Database,
    /** Told of every stored message, for live views; optional. */
    private readonly events?: CozumEvents,
  ) {
    this.sql = directSql(db);
    this.opens = new Batcher((messages) => this.writeOpens(messages));
    this.inboundWrites = new Batcher((items) => this.writeInbound(items));
    this.turnWrites = new Batcher<TurnWrite, void>(async (items) => {
      await this.writeTurns(items);
      return items.map(() => undefined);
    });
    this.deliveredWrites = new Batcher<string, void>(async (ids) => {
      await this.sql.execute(Prisma.sql`UPDATE "Message" SET "status" = 'sent', "attempts" = "attempts" + 1, "nextAttemptAt" = NULL, "lastError" = NULL
        WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'pending'`);
      return ids.map(() => undefined);
    }, { maxBatch: 500 });
    this.modeReads = new Batcher(async (ids) => {
      const rows = await this.sql.query<{ id: string; mode: string }>(
        Prisma.sql`SELECT "id", "mode" FROM "Conversation" WHERE "id" IN (${Prisma.join([...new Set(ids)])})`,
      );
      const byId = new Map(rows.map((row) => [row.id, row.mode]));
      return ids.map((id) => byId.get(id));
    }, { maxBatch: 500 });
    this.conversationReads = new Batcher(async (ids) => {
      const rows = await this.readConversations([...new Set(ids)]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }, { maxBatch: 500 });
  }

  /**
   * The citizen's contact and conversation on this channel, created on first contact; the name and
   * the address are brought up to date. Citizens writing for the first time at about the same
   * moment (an announcement, a storm) share two statements.
   */
  async open(message: ParsedInbound): Promise<OpenedConversation> {
    const opened = await this.opens.add(message);
    this.remember(chatKey(message.channel, message.userId), {
      contactId: opened.contactId,
      conversationId: opened.conversationId,
      address: JSON.stringify(message.address),
      displayName: opened.displayName,
    });
    return { contactId: opened.contactId, conversationId: opened.conversationId, mode: opened.mode };
  }

  private async writeOpens(messages: ParsedInbound[]): Promise<(OpenedConversation & { displayName: string | null })[]> {
    const now = new Date();
    // One row per chat; the last message's name and address win, as they would one after another.
    const latest = new Map<string, ParsedInbound>();
    for (const message of messages) latest.set(chatKey(message.channel, message.userId), message);
    const contacts = new Map<string, { id: string; displayName: string | null }>();
    for (const part of chunks([...latest.values()], ROWS_PER_STATEMENT)) {
      const values = part.map((m) => Prisma.sql`(${nextStamp().id}, ${m.channel}, ${m.userId}, ${m.userName ?? null}, ${now}, ${now})`);
      const rows = await this.sql.query<{ id: string; channel: string; platformUserId: string; displayName: string | null }>(Prisma.sql`
        INSERT INTO "Contact" ("id", "channel", "platformUserId", "displayName", "createdAt", "updatedAt") VALUES ${Prisma.join(values)}
        ON CONFLICT ("channel", "platformUserId") DO UPDATE SET
          "displayName" = COALESCE(excluded."displayName", "Contact"."displayName"),
          "updatedAt" = CASE WHEN excluded."displayName" IS NULL THEN "Contact"."updatedAt" ELSE excluded."updatedAt" END
        RETURNING "id", "channel", "platformUserId", "displayName"`);
      for (const row of rows) contacts.set(chatKey(row.channel, row.platformUserId), { id: row.id, displayName: row.displayName });
    }
    const conversations = new Map<string, { id: string; mode: string }>();
    for (const part of chunks([...latest.entries()], ROWS_PER_STATEMENT)) {
      const values = part.map(
        ([key, m]) => Prisma.sql`(${nextStamp().id}, ${contacts.get(key)!.id}, ${m.channel}, 'bot', ${JSON.stringify(m.address)}, ${now}, ${now}, ${now})`,
      );
      const rows = await this.sql.query<{ id: string; contactId: string; channel: string; mode: string }>(Prisma.sql`
        INSERT INTO "Conversation" ("id", "contactId", "channel", "mode", "address", "lastMessageAt", "createdAt", "updatedAt") VALUES ${Prisma.join(values)}
        ON CONFLICT ("contactId", "channel") DO UPDATE SET "address" = excluded."address", "lastMessageAt" = excluded."lastMessageAt", "updatedAt" = excluded."updatedAt"
        RETURNING "id", "contactId", "channel", "mode"`);
      for (const row of rows) conversations.set(`${row.contactId}\u0000${row.channel}`, { id: row.id, mode: row.mode });
    }
    return messages.map((message) => {
      const contact = contacts.get(chatKey(message.channel, message.userId))!;
      const conversation = conversations.get(`${contact.id}\u0000${message.channel}`)!;
      return { contactId: contact.id, conversationId: conversation.id, mode: conversation.mode, displayName: contact.displayName };
    });
  }

  private remember(key: string, chat: KnownChat): void {
    this.chats.delete(key);
    this.chats.set(key, chat);
    if (this.chats.size > KNOWN_CHATS) this.chats.delete(this.chats.keys().next().value!);
  }

  /**
   * Stores an inbound message, opening the contact and conversation on first contact. A second
   * delivery of the same platform message id comes back as `duplicate` and is not stored again.
   * The message's id and time are taken when this is called, so messages of one chat keep the
   * order in which they arrived.
   */
  async persistInbound(message: ParsedInbound): Promise<StoredInbound> {
    const stamp = nextStamp();
    this.ownInbound.add(stamp.id);
    try {
      const stored = await this.storeInbound(stamp, message);
      if (stored.duplicate) this.ownInbound.delete(stamp.id);
      return stored;
    } catch (error) {
      this.ownInbound.delete(stamp.id);
      throw error;
    }
  }

  private async storeInbound(stamp: Stamp, message: ParsedInbound): Promise<StoredInbound> {
    const key = chatKey(message.channel, message.userId);
    const address = JSON.stringify(message.address);
    const known = this.chats.get(key);
    if (known && known.address === address && (!message.userName || known.displayName === message.userName)) {
      const result = await this.inboundWrites.add({ stamp, message, chat: known, fresh: false });
      if (result !== 'stale') return result;
      // The contact was erased (KVKK) or removed since: start afresh, as for a new citizen.
      this.chats.delete(key);
    }
    const opened = await this.open(message);
    const chat = this.chats.get(key) ?? { contactId: opened.contactId, conversationId: opened.conversationId, address };
    const result = await this.inboundWrites.add({ stamp, message, chat, fresh: true });
    if (result === 'stale') throw new Error('persistInbound: the conversation disappeared while it was being opened');
    return result;
  }

  private async writeInbound(items: InboundWrite[]): Promise<InboundResult[]> {
    const now = new Date();
    const toCheck = [...new Set(items.filter((item) => !item.fresh).map((item) => item.chat.conversationId))];
    const live = new Set<string>();
    if (toCheck.length > 0) {
      // Touches lastMessageAt and proves in the same statement that the cached ids still belong to
      // a contact that was not erased.
      const rows = await this.sql.query<{ id: string }>(Prisma.sql`UPDATE "Conversation" SET "lastMessageAt" = ${now}, "updatedAt" = ${now}
        WHERE "id" IN (${Prisma.join(toCheck)})
          AND EXISTS (SELECT 1 FROM "Contact" WHERE "Contact"."id" = "Conversation"."contactId" AND "Contact"."anonymizedAt" IS NULL)
        RETURNING "id"`);
      for (const row of rows) live.add(row.id);
    }
    const writable = items.filter((item) => item.fresh || live.has(item.chat.conversationId));
    const inserted = new Set<string>();
    for (const part of chunks(writable, ROWS_PER_STATEMENT)) {
      const values = part.map(
        ({ stamp, message, chat }) =>
          Prisma.sql`(${stamp.id}, ${chat.conversationId}, 'in', 'citizen', ${message.text}, ${inboundPayload(message)}, ${message.platformMessageId ?? null}, 'received', 0, ${stamp.at})`,
      );
      const rows = await this.sql.query<{ id: string }>(Prisma.sql`INSERT INTO "Message" ("id", "conversationId", "direction", "author", "text", "payload", "platformMessageId", "status", "attempts", "createdAt")
        VALUES ${Prisma.join(values)} ON CONFLICT DO NOTHING RETURNING "id"`);
      for (const row of rows) inserted.add(row.id);
    }
    return items.map((item) => {
      if (!item.fresh && !live.has(item.chat.conversationId)) return 'stale';
      const duplicate = !inserted.has(item.stamp.id);
      if (!duplicate) this.events?.emit('message', { conversationId: item.chat.conversationId, messageId: item.stamp.id, direction: 'in' });
      return { id: duplicate ? '' : item.stamp.id, conversationId: item.chat.conversationId, contactId: item.chat.contactId, createdAt: item.stamp.at, duplicate };
    });
  }

  /** Stores an inbound message; `duplicate` when the platform delivered this id before. */
  async recordInbound(conversationId: string, message: ParsedInbound): Promise<{ id: string; duplicate: boolean }> {
    try {
      const row = await this.db.message.create({
        data: {
          conversationId,
          direction: 'in',
          author: 'citizen',
          text: message.text,
          payload: inboundPayload(message),
          platformMessageId: message.platformMessageId,
          status: 'received',
        },
      });
      this.events?.emit('message', { conversationId, messageId: row.id, direction: 'in' });
      return { id: row.id, duplicate: false };
    } catch (error) {
      if (message.platformMessageId && isUniqueViolation(error)) {
        const existing = await this.db.message.findFirst({ where: { conversationId, platformMessageId: message.platformMessageId } });
        return { id: existing?.id ?? '', duplicate: true };
      }
      throw error;
    }
  }

  /** The bot's turn for this inbound message has begun: `annotate` is kept until `commitTurn`. */
  beginTurn(inboundId: string): void {
    this.openTurns.set(inboundId, undefined);
  }

  /** Forgets a turn that ended without a commit (it failed): the message stays unprocessed for the next start. */
  abandonTurn(inboundId: string): void {
    this.openTurns.delete(inboundId);
    this.ownInbound.delete(inboundId);
  }

  /**
   * Stores a turn's replies and then marks its inbound message processed, with what the NLU made
   * of it. Replies come first: if the process stops in between, recovery finds them and only marks
   * the message processed. Omit `inboundId` to store replies only (proactive messages, or replies
   * that must go out before a long turn ends).
   */
  async commitTurn(replies: OutboundRow[], inboundId?: string, state: StateOverwrite[] = []): Promise<void> {
    const processed = inboundId ? { id: inboundId, understanding: this.openTurns.get(inboundId) } : undefined;
    if (inboundId) this.openTurns.delete(inboundId);
    if (replies.length === 0 && !processed && state.length === 0) return;
    for (const row of replies) if (row.status === 'pending') this.ownPending.add(row.id);
    try {
      await this.turnWrites.add({ replies, processed, state });
    } catch (error) {
      for (const row of replies) this.ownPending.delete(row.id);
      throw error;
    }
    if (inboundId) this.ownInbound.delete(inboundId);
    for (const row of replies) this.events?.emit('message', { conversationId: row.conversationId, messageId: row.id, direction: 'out' });
  }

  private async writeTurns(items: TurnWrite[]): Promise<void> {
    const state = items.flatMap((item) => item.state);
    if (state.length === 0) return this.writeTurnRows(items, this.sql);
    // A turn's state and its replies are stored together or not at all (see TURN_STATE_WRITES).
    await this.sql.transaction(async (tx) => {
      await this.writeTurnRows(items, tx);
      // Later saves of the same key in one batch win, as they would one after the other.
      const latest = new Map(state.map((item) => [item.key, item]));
      for (const part of chunks([...latest.values()], ROWS_PER_STATEMENT)) await tx.execute(overwriteStateSql(part, new Date()));
    });
  }

  private async writeTurnRows(items: TurnWrite[], sql: DirectStatements): Promise<void> {
    const replies = items.flatMap((item) => item.replies);
    for (const part of chunks(replies, ROWS_PER_STATEMENT)) {
      const values = part.map(
        (row) =>
          Prisma.sql`(${row.id}, ${row.conversationId}, 'out', ${row.author}, ${row.authorName ?? null}, ${row.replyToId ?? null}, ${row.message.text}, ${outboundPayload(row.message)}, ${row.status}, 0, ${row.createdAt})`,
      );
      await sql.execute(Prisma.sql`INSERT INTO "Message" ("id", "conversationId", "direction", "author", "authorName", "replyToId", "text", "payload", "status", "attempts", "createdAt")
        VALUES ${Prisma.join(values)} ON CONFLICT DO NOTHING`);
    }
    const processed = items.flatMap((item) => (item.processed ? [item.processed] : []));
    if (processed.length === 0) return;
    if (!processed.some((p) => p.understanding)) {
      await sql.execute(Prisma.sql`UPDATE "Message" SET "status" = 'processed' WHERE "id" IN (${Prisma.join(processed.map((p) => p.id))})`);
      return;
    }
    // A join with the batch's rows, not a CASE per column: CASE compares each row with every id.
    const rows = processed.map((p) => Prisma.sql`(${p.id}, ${p.understanding?.intent ?? null}, ${p.understanding?.confidence ?? null})`);
    await sql.execute(Prisma.sql`WITH "done" ("id", "intent", "confidence") AS (VALUES ${Prisma.join(rows)})
      UPDATE "Message" SET "status" = 'processed',
        "intent" = COALESCE("done"."intent", "Message"."intent"),
        "confidence" = COALESCE("done"."confidence", "Message"."confidence")
      FROM "done" WHERE "Message"."id" = "done"."id"`);
  }

  async markProcessed(messageId: string): Promise<void> {
    await this.db.message.updateMany({ where: { id: messageId }, data: { status: 'processed' } });
  }

  /** What the NLU made of a message; written with the turn's commit while its turn runs. */
  async annotate(messageId: string, understanding: Understanding): Promise<void> {
    if (this.openTurns.has(messageId)) {
      this.openTurns.set(messageId, { intent: understanding.intent, confidence: understanding.confidence });
      return;
    }
    await this.db.message.updateMany({ where: { id: messageId }, data: understanding });
  }

  /** A pending message reached the citizen. */
  async markSent(messageId: string): Promise<void> {
    await this.deliveredWrites.add(messageId);
    this.ownPending.delete(messageId);
  }

  async markFailed(messageId: string, attempts?: number, lastError?: string): Promise<void> {
    this.ownPending.delete(messageId);
    await this.db.message.updateMany({
      where: { id: messageId },
      data: { status: 'failed', nextAttemptAt: null, ...(attempts !== undefined ? { attempts } : {}), ...(lastError !== undefined ? { lastError } : {}) },
    });
  }

  /** A delivery failed and will be tried again at `nextAttemptAt`. */
  async markRetry(messageId: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.db.message.updateMany({ where: { id: messageId, status: 'pending' }, data: { attempts, nextAttemptAt, lastError } });
  }

  /** Puts a failed message back in the outbox with a fresh count of attempts. */
  async requeue(messageId: string): Promise<PendingDelivery | undefined> {
    const { count } = await this.db.message.updateMany({
      where: { id: messageId, direction: 'out', status: 'failed' },
      data: { status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null },
    });
    if (count === 0) return undefined;
    this.ownPending.add(messageId);
    const [row] = await this.pendingDeliveries({ id: messageId });
    return row;
  }

  /** Outbound messages not yet delivered, oldest first (only one of them, when `id` is given). */
  async pendingDeliveries(filter: { id?: string } = {}): Promise<PendingDelivery[]> {
    const rows = await this.db.message.findMany({
      where: { direction: 'out', status: 'pending', ...(filter.id ? { id: filter.id } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, conversationId: true, text: true, payload: true, attempts: true, nextAttemptAt: true, conversation: { select: { channel: true } } },
    });
    return rows.map((row) => ({
      id: row.id,
      conversationId: row.conversationId,
      channel: row.conversation.channel,
      message: outboundFromPayload(row.text, row.payload),
      attempts: row.attempts,
      nextAttemptAt: row.nextAttemptAt,
    }));
  }

  /** Undelivered messages an earlier run left behind (not those this store is delivering), oldest first. */
  async leftoverDeliveries(): Promise<PendingDelivery[]> {
    return (await this.pendingDeliveries()).filter((row) => !this.ownPending.has(row.id));
  }

  /** Inbound messages an earlier run stored and never answered (not those this store has in hand), oldest first. */
  async unprocessedInbound(): Promise<UnprocessedInbound[]> {
    const found = await this.db.message.findMany({
      where: { direction: 'in', status: 'received' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { conversation: { include: { contact: true } } },
    });
    const rows = found.filter((row) => !this.ownInbound.has(row.id));
    return rows.map((row) => {
      let payload: Pick<Partial<ParsedInbound>, 'media' | 'location' | 'unreadable'> = {};
      try {
        payload = JSON.parse(row.payload) as typeof payload;
      } catch {
        // An unreadable payload loses its media, not the message.
      }
      let address: Record<string, unknown> = {};
      try {
        address = JSON.parse(row.conversation.address) as Record<string, unknown>;
      } catch {
        // As above.
      }
      return {
        id: row.id,
        createdAt: row.createdAt,
        conversationId: row.conversationId,
        contactId: row.conversation.contactId,
        message: {
          channel: row.conversation.channel,
          userId: row.conversation.contact.platformUserId,
          userName: row.conversation.contact.displayName ?? undefined,
          text: row.text,
          platformMessageId: row.platformMessageId ?? undefined,
          media: payload.media ?? [],
          location: payload.location,
          address,
          ...(payload.unreadable ? { unreadable: payload.unreadable } : {}),
        },
      };
    });
  }

  /** Which of these inbound messages already have a stored reply. */
  async answered(inboundIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(inboundIds, 500)) {
      const rows = await this.db.message.findMany({ where: { replyToId: { in: part } }, select: { replyToId: true }, distinct: ['replyToId'] });
      for (const row of rows) if (row.replyToId) found.add(row.replyToId);
    }
    return found;
  }

  /** Waits until every batched write started so far has reached the database. */
  async flush(): Promise<void> {
    await Promise.all([this.opens.drain(), this.inboundWrites.drain(), this.turnWrites.drain(), this.deliveredWrites.drain(), this.conversationReads.drain(), this.modeReads.drain()]);
  }

  /** The conversation of a platform user on a channel, if they ever wrote. */
  async findConversation(channel: string, platformUserId: string): Promise<string | undefined> {
    const row = await this.db.conversation.findFirst({ where: { channel, contact: { channel, platformUserId } }, select: { id: true } });
    return row?.id;
  }

  private readConversations(ids: string[]): Promise<ConversationWithContact[]> {
    return this.db.conversation.findMany({ where: { id: { in: ids } }, include: { contact: true } });
  }

  /** A conversation with its contact, read fresh (reads of many turns at once share one query). */
  async conversation(conversationId: string): Promise<ConversationWithContact | null> {
    return this.conversationReads.add(conversationId);
  }

  /**
   * Who answers the conversation now (`bot`, `waiting` or `agent`), read fresh: the bot asks on
   * every turn, because an agent may have taken or released the chat since the last one.
   */
  async mode(conversationId: string): Promise<string | undefined> {
    return this.modeReads.add(conversationId);
  }

  /** Messages of a conversation in order, optionally only those after a given message. */
  async transcript(conversationId: string, options: { afterId?: string; limit?: number } = {}) {
    let after: Date | undefined;
    if (options.afterId) {
      const anchor = await this.db.message.findFirst({ where: { id: options.afterId, conversationId }, select: { createdAt: true } });
      after = anchor?.createdAt;
    }
    const rows = await this.db.message.findMany({
      where: { conversationId, ...(after ? { createdAt: { gte: after } } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: options.limit ?? 500,
    });
    return options.afterId ? rows.slice(rows.findIndex((row) => row.id === options.afterId) + 1) : rows;
  }
}
