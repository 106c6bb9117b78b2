// Contacts, conversations and their messages in the database. Every message is written here
// before anything acts on it: an inbound one before the bot reads it, an outbound one before a
// channel sends it.
import type { Database } from '../storage/database.ts';
import type { CozumEvents } from '../handoff/events.ts';
import type { OutboundMessage, ParsedInbound } from './message.ts';

export type Author = 'citizen' | 'bot' | 'agent' | 'system';

export interface OpenedConversation {
  contactId: string;
  conversationId: string;
  mode: string;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

export class ConversationStore {
  constructor(
    private readonly db: Database,
    /** Told of every stored message, for live views; optional. */
    private readonly events?: CozumEvents,
  ) {}

  /** The citizen's contact and conversation on this channel, created on first contact. */
  async open(message: ParsedInbound): Promise<OpenedConversation> {
    const address = JSON.stringify(message.address);
    const contact = await this.db.contact.upsert({
      where: { channel_platformUserId: { channel: message.channel, platformUserId: message.userId } },
      create: { channel: message.channel, platformUserId: message.userId, displayName: message.userName },
      update: message.userName ? { displayName: message.userName } : {},
    });
    const conversation = await this.db.conversation.upsert({
      where: { contactId_channel: { contactId: contact.id, channel: message.channel } },
      create: { contactId: contact.id, channel: message.channel, address },
      update: { address, lastMessageAt: new Date() },
    });
    return { contactId: contact.id, conversationId: conversation.id, mode: conversation.mode };
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
          payload: JSON.stringify({ media: message.media, location: message.location }),
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

  async markProcessed(messageId: string): Promise<void> {
    await this.db.message.update({ where: { id: messageId }, data: { status: 'processed' } });
  }

  async annotate(messageId: string, understanding: { intent: string; confidence: number }): Promise<void> {
    await this.db.message.update({ where: { id: messageId }, data: understanding });
  }

  async recordOutbound(conversationId: string, message: OutboundMessage, author: Author = 'bot', authorName?: string): Promise<string> {
    const row = await this.db.message.create({
      data: { conversationId, direction: 'out', author, authorName, text: message.text, payload: JSON.stringify({ choices: message.choices }), status: 'pending' },
    });
    this.events?.emit('message', { conversationId, messageId: row.id, direction: 'out' });
    return row.id;
  }

  async markSent(messageId: string): Promise<void> {
    await this.db.message.update({ where: { id: messageId }, data: { status: 'sent' } });
  }

  async markFailed(messageId: string): Promise<void> {
    await this.db.message.update({ where: { id: messageId }, data: { status: 'failed' } });
  }

  /** The conversation of a platform user on a channel, if they ever wrote. */
  async findConversation(channel: string, platformUserId: string): Promise<string | undefined> {
    const row = await this.db.conversation.findFirst({ where: { channel, contact: { channel, platformUserId } }, select: { id: true } });
    return row?.id;
  }

  async conversation(conversationId: string) {
    return this.db.conversation.findUnique({ where: { id: conversationId }, include: { contact: true } });
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
