// Messages and turns: an inbound message stored before anything acts on it, and a turn's replies
// stored before the message is marked processed. Both go through batchers
// (storage/batcher.ts): rows of many chats written at about the same moment share one statement.
// Every write is a single statement that can be run again without harm, so a batch that fails can
// be retried row by row.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Database } from '../../storage/database.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { DirectSql, DirectStatements } from '../../storage/direct-sql.ts';
import { overwriteStateSql, type StateOverwrite } from '../../storage/state-storage.ts';
import { nextStamp, type Stamp } from '../../storage/ids.ts';
import type { CozumEvents } from '../events.ts';
import type { ParsedInbound } from '../message.ts';
import type { Contacts, KnownChat } from './contacts.ts';
import { fencedGroups, fencedTurnsSql, type TurnWrite } from './fenced-turns.ts';
import { chatKey, chunks, inboundPayload, outboundPayload, ROWS_PER_STATEMENT, type InHand, type OutboundRow, type StoredInbound, type Understanding } from './rows.ts';
import { nluConfidence, nluIntents } from '../../metrics.ts';

interface InboundWrite {
  stamp: { id: string; at: Date };
  message: ParsedInbound;
  chat: KnownChat;
  /** The conversation row was just upserted; otherwise it comes from the cache and is checked. */
  fresh: boolean;
}

type InboundResult = StoredInbound | 'stale';

export class Messages {
  /** Inbound messages whose turn is running: `annotate` keeps their understanding for the turn's commit. */
  private readonly openTurns = new Map<string, Understanding | undefined>();
  private readonly inboundWrites: Batcher<InboundWrite, InboundResult>;
  private readonly turnWrites: Batcher<TurnWrite, boolean>;

  constructor(
    private readonly db: Database,
    private readonly sql: DirectSql,
    private readonly contacts: Contacts,
    private readonly inHand: InHand,
    private readonly events?: CozumEvents,
  ) {
    this.inboundWrites = new Batcher((items) => this.writeInbound(items));
    this.turnWrites = new Batcher<TurnWrite, boolean>((items) => this.writeTurns(items));
  }

  /**
   * Stores an inbound message, opening the contact and conversation on first contact. A second
   * delivery of the same platform message id comes back as `duplicate` and is not stored again.
   * The message's id and time are taken when this is called, so messages of one chat keep the
   * order in which they arrived.
   */
  async persistInbound(message: ParsedInbound): Promise<StoredInbound> {
    const stamp = nextStamp();
    this.inHand.inbound.add(stamp.id);
    try {
      const stored = await this.storeInbound(stamp, message);
      if (stored.duplicate) this.inHand.inbound.delete(stamp.id);
      return stored;
    } catch (error) {
      this.inHand.inbound.delete(stamp.id);
      throw error;
    }
  }

  private async storeInbound(stamp: Stamp, message: ParsedInbound): Promise<StoredInbound> {
    const key = chatKey(message.channel, message.userId);
    const address = JSON.stringify(message.address);
    const known = this.contacts.known(key);
    if (known && known.address === address && (!message.userName || known.displayName === message.userName)) {
      const result = await this.inboundWrites.add({ stamp, message, chat: known, fresh: false });
      if (result !== 'stale') return result;
      // The contact was erased (KVKK) or removed since: start afresh, as for a new citizen.
      this.contacts.forget(key);
    }
    const opened = await this.contacts.open(message);
    const chat = this.contacts.known(key) ?? { contactId: opened.contactId, conversationId: opened.conversationId, address };
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

  /** The bot's turn for this inbound message has begun: `annotate` is kept until `commitTurn`. */
  beginTurn(inboundId: string): void {
    this.openTurns.set(inboundId, undefined);
  }

  /** Forgets a turn that ended without a commit (it failed): the message stays unprocessed for the next start. */
  abandonTurn(inboundId: string): void {
    this.openTurns.delete(inboundId);
    this.inHand.inbound.delete(inboundId);
  }

  /**
   * Stores a turn's replies and then marks its inbound message processed, with what the NLU made
   * of it. Replies come first: if the process stops in between, recovery finds them and only marks
   * the message processed. Omit `inboundId` to store replies only (proactive messages, or replies
   * that must go out before a long turn ends).
   */
  async commitTurn(replies: OutboundRow[], inboundId?: string, state: StateOverwrite[] = []): Promise<boolean> {
    const processed = inboundId ? { id: inboundId, understanding: this.openTurns.get(inboundId) } : undefined;
    if (inboundId) this.openTurns.delete(inboundId);
    if (replies.length === 0 && !processed && state.length === 0) return true;
    for (const row of replies) if (row.status === 'pending') this.inHand.pending.add(row.id);
    let kept: boolean;
    try {
      kept = await this.turnWrites.add({ replies, processed, state });
    } catch (error) {
      for (const row of replies) this.inHand.pending.delete(row.id);
      throw error;
    }
    if (inboundId) this.inHand.inbound.delete(inboundId);
    if (!kept) {
      for (const row of replies) this.inHand.pending.delete(row.id);
      return false;
    }
    for (const row of replies) this.events?.emit('message', { conversationId: row.conversationId, messageId: row.id, direction: 'out' });
    return true;
  }

  private async writeTurns(items: TurnWrite[]): Promise<boolean[]> {
    // PostgreSQL may be shared by several instances: a message is marked processed only if it was
    // not already, and a turn whose message another instance answered first (its lease lapsed during
    // a long pause, messaging/ownership.ts) stores nothing. SQLite has one process: as before.
    if (this.sql.dialect === 'postgresql' && items.some((item) => item.processed)) return this.writeTurnsFenced(items);
    const state = items.flatMap((item) => item.state);
    if (state.length === 0) {
      await this.writeTurnRows(items, this.sql);
      return items.map(() => true);
    }
    // A turn's state and its replies are stored together or not at all (see TURN_STATE_WRITES).
    await this.sql.transaction(async (tx) => {
      await this.writeTurnRows(items, tx);
      // Later saves of the same key in one batch win, as they would one after the other.
      const latest = new Map(state.map((item) => [item.key, item]));
      for (const part of chunks([...latest.values()], ROWS_PER_STATEMENT)) await tx.execute(overwriteStateSql(part, new Date()));
    });
    return items.map(() => true);
  }

  /** The turns' writes, each only if its message was still unanswered: one statement per group (fenced-turns.ts). */
  private async writeTurnsFenced(items: TurnWrite[]): Promise<boolean[]> {
    const now = new Date();
    const groups = fencedGroups(items);
    // A batch too large for one statement is still written all or nothing, so that a failed batch
    // can be retried turn by turn (storage/batcher.ts).
    const write = async (sql: DirectStatements) => {
      const open = new Set<string>();
      for (const group of groups) for (const row of await sql.query<{ id: string }>(fencedTurnsSql(group, now))) open.add(row.id);
      return open;
    };
    const open = groups.length === 1 ? await write(this.sql) : await this.sql.transaction(write);
    return items.map((item) => !item.processed || open.has(item.processed.id));
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
    // The cast: PostgreSQL reads an untyped parameter in VALUES as text (SQLite ignores it).
    const rows = processed.map((p) => Prisma.sql`(${p.id}, ${p.understanding?.intent ?? null}, CAST(${p.understanding?.confidence ?? null} AS DOUBLE PRECISION))`);
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
    nluIntents.inc({ intent: understanding.intent });
    nluConfidence.observe(understanding.confidence);
    if (this.openTurns.has(messageId)) {
      this.openTurns.set(messageId, { intent: understanding.intent, confidence: understanding.confidence });
      return;
    }
    await this.db.message.updateMany({ where: { id: messageId }, data: understanding });
  }

  async flush(): Promise<void> {
    await Promise.all([this.inboundWrites.drain(), this.turnWrites.drain()]);
  }
}
