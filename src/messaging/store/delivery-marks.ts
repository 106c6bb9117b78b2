// What became of an outbound message: sent, failed, or to be tried again; and the messages still
// waiting for their channel. The outbox (../outbox.ts) writes these marks.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Database } from '../../storage/database.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { DirectSql } from '../../storage/direct-sql.ts';
import { outboundFromPayload, type InHand, type PendingDelivery } from './rows.ts';

export interface PendingRow {
  id: string;
  conversationId: string;
  text: string;
  payload: string;
  attempts: number;
  nextAttemptAt: Date | string | null;
  channel: string;
}

/** A pending message as the outbox takes it, from Prisma Client's row or a direct statement's (dates as text on SQLite). */
export function pendingOf(row: PendingRow): PendingDelivery {
  return {
    id: row.id,
    conversationId: row.conversationId,
    channel: row.channel,
    message: outboundFromPayload(row.text, row.payload),
    attempts: Number(row.attempts),
    nextAttemptAt: row.nextAttemptAt === null ? null : new Date(row.nextAttemptAt),
  };
}

export class DeliveryMarks {
  private readonly deliveredWrites: Batcher<string, void>;

  constructor(
    private readonly db: Database,
    private readonly sql: DirectSql,
    private readonly inHand: InHand,
  ) {
    this.deliveredWrites = new Batcher<string, void>(async (ids) => {
      await this.sql.execute(Prisma.sql`UPDATE "Message" SET "status" = 'sent', "attempts" = "attempts" + 1, "nextAttemptAt" = NULL, "lastError" = NULL
        WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'pending'`);
      return ids.map(() => undefined);
    }, { maxBatch: 500 });
  }

  /** A pending message reached the citizen. */
  async markSent(messageId: string): Promise<void> {
    await this.deliveredWrites.add(messageId);
    this.inHand.pending.delete(messageId);
  }

  /** Given up on; never over a message another instance delivered meanwhile (one that took it over after a long pause here). */
  async markFailed(messageId: string, attempts?: number, lastError?: string): Promise<void> {
    this.inHand.pending.delete(messageId);
    await this.db.message.updateMany({
      where: { id: messageId, status: 'pending' },
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
    this.inHand.pending.add(messageId);
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
    return rows.map((row) => pendingOf({ ...row, channel: row.conversation.channel }));
  }

  async flush(): Promise<void> {
    await this.deliveredWrites.drain();
  }
}
