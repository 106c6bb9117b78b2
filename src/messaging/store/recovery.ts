// What an earlier run left behind: inbound messages stored and never answered, replies stored and
// never delivered. Rows this process has in hand are not counted (see `InHand`).
import type { Database } from '../../storage/database.ts';
import type { ParsedInbound } from '../message.ts';
import type { DeliveryMarks } from './delivery-marks.ts';
import { chunks, type InHand, type PendingDelivery, type UnprocessedInbound } from './rows.ts';

export class Recovery {
  constructor(
    private readonly db: Database,
    private readonly deliveries: DeliveryMarks,
    private readonly inHand: InHand,
  ) {}

  /** Undelivered messages an earlier run left behind (not those this store is delivering), oldest first. */
  async leftoverDeliveries(): Promise<PendingDelivery[]> {
    return (await this.deliveries.pendingDeliveries()).filter((row) => !this.inHand.pending.has(row.id));
  }

  /** Inbound messages an earlier run stored and never answered (not those this store has in hand), oldest first. */
  async unprocessedInbound(): Promise<UnprocessedInbound[]> {
    const found = await this.db.message.findMany({
      where: { direction: 'in', status: 'received' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { conversation: { include: { contact: true } } },
    });
    const rows = found.filter((row) => !this.inHand.inbound.has(row.id));
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
}
