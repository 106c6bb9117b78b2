// Contacts and their conversations: opened on a citizen's first message, kept up to date with the
// name and address the platform sends, and read fresh for the bot (mode) and the console.
// A chat's contact and conversation ids are kept in memory after the first message, so a known
// citizen's message costs no upsert.
import { LRUCache } from 'lru-cache';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Database } from '../../storage/database.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { DirectSql } from '../../storage/direct-sql.ts';
import { nextStamp } from '../../storage/ids.ts';
import type { ParsedInbound } from '../message.ts';
import { chatKey, chunks, ROWS_PER_STATEMENT, type ConversationWithContact, type OpenedConversation } from './rows.ts';

/** What is remembered of a chat after its first message. */
export interface KnownChat {
  contactId: string;
  conversationId: string;
  address: string;
  displayName?: string | null;
}

/** Citizens whose ids are kept in memory; the oldest are forgotten first. */
const KNOWN_CHATS = 20_000;

export class Contacts {
  private readonly chats = new LRUCache<string, KnownChat>({ max: KNOWN_CHATS });
  private readonly opens: Batcher<ParsedInbound, OpenedConversation & { displayName: string | null }>;
  private readonly conversationReads: Batcher<string, ConversationWithContact | null>;
  private readonly modeReads: Batcher<string, string | undefined>;

  constructor(
    private readonly db: Database,
    private readonly sql: DirectSql,
  ) {
    this.opens = new Batcher((messages) => this.writeOpens(messages));
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

  /** The ids remembered for a chat (see `chatKey`), if it wrote since the process started. */
  known(key: string): KnownChat | undefined {
    return this.chats.get(key);
  }

  forget(key: string): void {
    this.chats.delete(key);
  }

  private remember(key: string, chat: KnownChat): void {
    this.chats.set(key, chat);
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

  async flush(): Promise<void> {
    await Promise.all([this.opens.drain(), this.conversationReads.drain(), this.modeReads.drain()]);
  }
}
