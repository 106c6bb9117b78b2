// What Prometheus reads from the database at each scrape (metrics.ts `setMetricsSource`): three
// counts over indexes, whose cost follows the outbox and the open tickets, never the history
// (test/storage/query-plans.test.ts holds their plans): Message(status, nextAttemptAt) for the
// outbox, Ticket(status, department, urgent, createdAt, dueAt, …) for the open tickets.
import type { LiveFigures } from '../metrics.ts';
import type { Database } from './database.ts';

export async function readLiveFigures(db: Database, openStatuses: readonly string[], now: Date): Promise<LiveFigures> {
  const [outboxPending, byStatus, overdueTickets] = await Promise.all([
    db.message.count({ where: { status: 'pending' } }),
    db.ticket.groupBy({ by: ['status'], where: { status: { in: [...openStatuses] } }, _count: { _all: true } }),
    db.ticket.count({ where: { status: { in: [...openStatuses] }, dueAt: { lt: now } } }),
  ]);
  const openTickets = Object.fromEntries(openStatuses.map((status) => [status, 0]));
  for (const row of byStatus) openTickets[row.status] = row._count._all;
  return { outboxPending, openTickets, overdueTickets };
}
