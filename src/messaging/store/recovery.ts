// What an earlier run left behind: inbound messages stored and never answered, replies stored and
// never delivered. Rows this process has in hand are not counted (see `InHand`).
import { Prisma } from '../../generated/prisma/client.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { Database } from '../../storage/database.ts';
import type { DirectSql } from '../../storage/direct-sql.ts';
import type { OutboundMessage, ParsedInbound } from '../message.ts';
import type { DeliveryMarks } from './delivery-marks.ts';
import { chunks, outboundFromPayload, type InHand, type PendingDelivery, type UnprocessedInbound } from './rows.ts';

export class Recovery {
  private readonly waiting: Batcher<string, string[]>;

  constructor(
    private readonly db: Database,
    private readonly deliveries: DeliveryMarks,
    private readonly inHand: InHand,
    sql: DirectSql,
  ) {
    // One statement for the conversations of many turns starting at about the same moment.
    this.waiting = new Batcher(async (conversationIds) => {
      const unique = [...new Set(conversationIds)];
      const rows = await sql.query<{ id: string; conversationId: string }>(Prisma.sql`SELECT "id", "conversationId" FROM "Message"
        WHERE "status" = 'received' AND "direction" = 'in' AND "conversationId" IN (${Prisma.join(unique)})`);
      return conversationIds.map((id) => rows.filter((row) => row.conversationId === id && !this.inHand.inbound.has(row.id)).map((row) => row.id));
    });
  }

  /** Undelivered messages an earlier run left behind (not those this store is delivering), oldest first. */
  async leftoverDeliveries(filter: { conversationId?: string } = {}): Promise<PendingDelivery[]> {
    const rows = (await this.deliveries.pendingDeliveries(filter)).filter((row) => !this.inHand.pending.has(row.id));
    // Handed to this process's outbox now: not read again (and sent twice) while it delivers them.
    for (const row of rows) this.inHand.pending.add(row.id);
    return rows;
  }

  /** Ids of a conversation's unanswered inbound messages that this store does not have in hand. */
  waitingInbound(conversationId: string): Promise<string[]> {
    return this.waiting.add(conversationId);
  }

  /** Inbound messages an earlier run stored and never answered (not those this store has in hand), oldest first. */
  async unprocessedInbound(filter: { conversationId?: string } = {}): Promise<UnprocessedInbound[]> {
    const found = await this.db.message.findMany({
      where: { direction: 'in', status: 'received', ...(filter.conversationId ? { conversationId: filter.conversationId } : {}) },
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

  /** The replies stored for an inbound message, in order. */
  async repliesTo(inboundId: string): Promise<OutboundMessage[]> {
    const rows = await this.db.message.findMany({ where: { replyToId: inboundId, direction: 'out' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { text: true, payload: true } });
    return rows.map((row) => outboundFromPayload(row.text, row.payload));
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
