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
}
