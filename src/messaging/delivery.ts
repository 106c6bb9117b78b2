import type { OutboundMessage } from './message.ts';

// How a channel tells the outbox that a message could not be delivered, and whether trying
// again later can help (Telegram 429 with retry_after, a 5xx, WhatsApp disconnected) or not
// (the citizen blocked the bot, the chat no longer exists).
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly options: {
      /** The platform said when to try again (Telegram's retry_after, Retry-After). */
      retryAfterMs?: number;
      /** Trying again cannot help. */
      permanent?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
  }
}

/** What a channel knows about the chat it delivers to. */
export interface DeliveryTarget {
  conversationId: string;
  /** The channel's own address of the chat (chat id, JID, service URL…), as the channel stored it. */
  address: Record<string, unknown>;
  /** When the citizen last wrote: WhatsApp allows free-form messages only within 24 hours of it. */
  lastInboundAt: Date;
  /** The stored Message being delivered (set by the outbox), e.g. to record the platform's id on it. */
  messageId?: string;
}

/**
 * Delivers a stored reply to a chat. Channels that answer in the HTTP response need none.
 * `send` throws a DeliveryError when the platform refuses the message; any other error counts as
 * a failure worth retrying.
 */
export interface ChannelSender {
  send(target: DeliveryTarget, message: OutboundMessage): Promise<void>;
  /** Shows "typing…" (and marks the citizen's message read) while the bot works on it. */
  typing?(target: DeliveryTarget, platformMessageId?: string): Promise<void>;
}
