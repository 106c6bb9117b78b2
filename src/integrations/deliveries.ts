// The rows behind departments' webhook calls and e-mails (IntegrationDelivery), as the outbox's
// store (messaging/outbox.ts `OutboxStore`): the same rules as a citizen's messages (in order per
// "chat", backoff with jitter, a failure marked failed with its reason, pending ones sent again after
// a restart), with one chat per channel and department, so that a department's events arrive in
// the order they happened and one slow receiver holds up no other department.
import type { Prisma } from '../generated/prisma/client.ts';
import type { Cluster } from '../storage/cluster.ts';
import type { Database } from '../storage/database.ts';
import type { PendingDelivery } from '../messaging/conversation-store.ts';
import type { OutboxStore } from '../messaging/outbox.ts';

export type DeliveryChannel = 'webhook' | 'email';
/** The outbox's channel names: `integration:` keeps them apart from citizens' channels. */
export const OUTBOX_CHANNEL: Record<DeliveryChannel, string> = { webhook: 'integration:webhook', email: 'integration:email' };

/** The outbox's "conversation" of a department's webhook or e-mail: its line of deliveries. */
export function lineOf(channel: DeliveryChannel, department: string): string {
  return `${channel}:${department}`;
}

function departmentOf(line: string): string {
  return line.slice(line.indexOf(':') + 1);
}

type Row = Awaited<ReturnType<Database['integrationDelivery']['findUniqueOrThrow']>>;

export function pendingOf(row: Pick<Row, 'id' | 'channel' | 'department' | 'payload' | 'attempts' | 'nextAttemptAt'>): PendingDelivery {
  const channel = row.channel as DeliveryChannel;
  return { id: row.id, conversationId: lineOf(channel, row.department), channel: OUTBOX_CHANNEL[channel], message: { text: row.payload, choices: [] }, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt };
}

/** A delivery as the console lists it. */
export interface DeliveryView {
  id: string;
  channel: DeliveryChannel;
  department: string;
  kind: string;
  ticketNumber: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export class IntegrationDeliveries implements OutboxStore {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
    /**
     * Several instances on PostgreSQL: each row is claimed (`claimedBy`) by the instance that sends
     * it, and another live instance never loads it (storage/cluster.ts).
     */
    private readonly cluster?: Cluster,
  ) {}

  /** Who a new row is claimed by: this instance (several instances), or nobody (one process). */
  get claimant(): string | null {
    return this.cluster?.id ?? null;
  }

  /**
   * Pending deliveries nobody sends: on one process every pending row (at start); with several
   * instances the rows no live instance claimed, claimed now (FOR UPDATE SKIP LOCKED: two instances
   * looking at once take different rows), at start and every lease time after.
   */
  async leftoverDeliveries(): Promise<PendingDelivery[]> {
    let where: Prisma.IntegrationDeliveryWhereInput = { status: 'pending' };
    if (this.cluster) {
      const claimed = await this.cluster.claimPending('IntegrationDelivery');
      if (claimed.length === 0) return [];
      where = { id: { in: claimed } };
    }
    const rows = await this.db.integrationDelivery.findMany({ where, orderBy: [{ eventAt: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(pendingOf);
  }

  async markSent(id: string): Promise<void> {
    await this.db.integrationDelivery.update({ where: { id }, data: { status: 'sent', sentAt: this.clock(), nextAttemptAt: null } });
  }

  async markFailed(id: string, attempts?: number, lastError?: string): Promise<void> {
    await this.db.integrationDelivery.update({ where: { id }, data: { status: 'failed', nextAttemptAt: null, ...(attempts !== undefined && { attempts }), ...(lastError !== undefined && { lastError }) } });
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.db.integrationDelivery.update({ where: { id }, data: { attempts, nextAttemptAt, lastError } });
  }

  /** A failed delivery back to pending, with a fresh count of attempts (the console's "send again"). */
  async requeue(id: string): Promise<PendingDelivery | undefined> {
    const { count } = await this.db.integrationDelivery.updateMany({ where: { id, status: 'failed' }, data: { status: 'pending', attempts: 0, nextAttemptAt: null, claimedBy: this.claimant } });
    if (count === 0) return undefined;
    return pendingOf(await this.db.integrationDelivery.findUniqueOrThrow({ where: { id } }));
  }

  /** Where a line's deliveries go is read from the configuration at each attempt: only the department travels. */
  async conversation(line: string): Promise<{ address: string; lastMessageAt: Date | null }> {
    return { address: JSON.stringify({ department: departmentOf(line) }), lastMessageAt: null };
  }

  async flush(): Promise<void> {}

  /** For the console: failed ones first, then the latest. */
  async list(options: { status?: 'pending' | 'sent' | 'failed'; limit?: number } = {}): Promise<DeliveryView[]> {
    const rows = await this.db.integrationDelivery.findMany({
      where: options.status ? { status: options.status } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(options.limit ?? 100, 1), 500),
    });
    return rows.map((row) => ({
      id: row.id,
      channel: row.channel as DeliveryChannel,
      department: row.department,
      kind: row.kind,
      ticketNumber: row.ticketNumber,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
    }));
  }
}
