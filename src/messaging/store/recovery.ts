// What an earlier run left behind: inbound messages stored and never answered, replies stored and
// never delivered. Rows this process has in hand are not counted (see `InHand`).
import { Prisma } from '../../generated/prisma/client.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { Database } from '../../storage/database.ts';
import type { DirectSql } from '../../storage/direct-sql.ts';
import type { OutboundMessage, ParsedInbound } from '../message.ts';
import { pendingOf, type DeliveryMarks, type PendingRow } from './delivery-marks.ts';
import { chunks, outboundFromPayload, type InHand, type PendingDelivery, type UnprocessedInbound } from './rows.ts';

/** What waits in a conversation that this process does not have in hand. */
export interface WaitingWork {
  /** Ids of its unanswered inbound messages (another instance stored them, or a dead one left them). */
  inbound: string[];
  /** Its undelivered replies, oldest first: handed to the caller, whose outbox delivers them. */
  deliveries: PendingDelivery[];
}

type WaitingRow = PendingRow & { kind: 'in' | 'out' };

export class Recovery {
  private readonly waiting: Batcher<string, WaitingWork>;

  constructor(
    private readonly db: Database,
    private readonly deliveries: DeliveryMarks,
    private readonly inHand: InHand,
    sql: DirectSql,
  ) {
    // With several instances every claimed conversation is read for both (../ownership.ts): one
    // statement for both, and for the conversations of many turns starting at about the same moment.
    this.waiting = new Batcher(async (conversationIds) => {
      const unique = Prisma.join([...new Set(conversationIds)]);
      const rows = await sql.query<WaitingRow>(Prisma.sql`SELECT 'out' AS "kind", "Message"."id", "Message"."conversationId", "Message"."text", "Message"."payload", "Message"."attempts", "Message"."nextAttemptAt", "Conversation"."channel", "Message"."createdAt"
          FROM "Message" JOIN "Conversation" ON "Conversation"."id" = "Message"."conversationId"
          WHERE "Message"."direction" = 'out' AND "Message"."status" = 'pending' AND "Message"."conversationId" IN (${unique})
        UNION ALL
        SELECT 'in', "id", "conversationId", '', '', 0, NULL, '', "createdAt" FROM "Message"
          WHERE "status" = 'received' AND "direction" = 'in' AND "conversationId" IN (${unique})
        ORDER BY "createdAt", "id"`);
      const byConversation = new Map<string, WaitingWork>();
      for (const row of rows) {
        let work = byConversation.get(row.conversationId);
        if (!work) byConversation.set(row.conversationId, (work = { inbound: [], deliveries: [] }));
        if (row.kind === 'in') work.inbound.push(row.id);
        else work.deliveries.push(pendingOf(row));
      }
      return conversationIds.map((id) => byConversation.get(id) ?? { inbound: [], deliveries: [] });
    }, { maxBatch: 200 });
  }

  /** Undelivered messages an earlier run left behind (not those this store is delivering), oldest first. */
  async leftoverDeliveries(): Promise<PendingDelivery[]> {
    return this.handOver((await this.deliveries.pendingDeliveries()).filter((row) => !this.inHand.pending.has(row.id)));
  }

  /** What waits in the conversation beyond what this store has in hand; the deliveries become the caller's. */
  async waitingWork(conversationId: string): Promise<WaitingWork> {
    const work = await this.waiting.add(conversationId);
    return {
      inbound: work.inbound.filter((id) => !this.inHand.inbound.has(id)),
      deliveries: this.handOver(work.deliveries.filter((row) => !this.inHand.pending.has(row.id))),
    };
  }

  /** Handed to this process's outbox now: not read again (and sent twice) while it delivers them. */
  private handOver(rows: PendingDelivery[]): PendingDelivery[] {
    for (const row of rows) this.inHand.pending.add(row.id);
    return rows;
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
