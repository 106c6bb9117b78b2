// The shapes of stored conversations and messages, and how a message's extras are kept in the
// `payload` column. Shared by the parts of the conversation store (../conversation-store.ts).
import type { Prisma } from '../../generated/prisma/client.ts';
import type { OutboundMessage, ParsedInbound } from '../message.ts';

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

export type ConversationWithContact = Prisma.ConversationGetPayload<{ include: { contact: true } }>;

export function chatKey(channel: string, userId: string): string {
  return `${channel}\u0000${userId}`;
}

/** Rows per INSERT: well under SQLite's limit of 32,766 bound values. */
export const ROWS_PER_STATEMENT = 250;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What an inbound message carries besides its text: media, location, and what could not be read. */
export function inboundPayload(message: ParsedInbound): string {
  return JSON.stringify({ media: message.media, location: message.location, ...(message.unreadable ? { unreadable: message.unreadable } : {}) });
}

export function outboundPayload(message: OutboundMessage): string {
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

/**
 * Rows this process wrote and still has in hand: inbound messages not yet processed, outbound ones
 * not yet delivered. What recovery finds in the database beyond these was left by an earlier run.
 */
export class InHand {
  readonly inbound = new Set<string>();
  readonly pending = new Set<string>();
}
