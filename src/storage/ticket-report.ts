// The supervisor's figures and the CSV export as the database computes them: a few GROUP BY
// queries over the tickets created since a moment (served by the index on Ticket.createdAt), the
// medians by ORDER BY … LIMIT/OFFSET, and the export's rows from a cursor. A year at 350,000
// tickets used to be loaded into memory and counted in JavaScript (seconds of the main thread,
// gigabytes of memory); here only the groups leave SQLite.
//
// Synchronous better-sqlite3 on its own connection: the console runs these in a worker thread
// (console/report-worker.ts) so that no citizen's turn waits behind them. Dates are compared as the
// text @prisma/adapter-better-sqlite3 stores (`2026-12-07T06:26:46.623+00:00`, see `storedDate`).
// PostgreSQL's version of these queries: ticket-report-postgres.ts.
import type BetterSqlite3 from 'better-sqlite3';
import { storedDate } from './direct-sql.ts';

export { storedDate };

export interface ReportPeriod {
  /** Tickets created at or after this moment; null for all of them. */
  since: Date | null;
  now: Date;
  /** Statuses in which a ticket is still open (tickets/status.ts). */
  openStatuses: readonly string[];
}

/** One combination of the grouped columns and how many tickets have it. */
export interface TicketGroup {
  type: string;
  category: string | null;
  department: string;
  neighbourhood: string | null;
  status: string;
  rating: number | null;
  count: number;
  openOverdue: number;
  resolvedLate: number;
  resolvedOnTime: number;
}

export interface DurationFigure {
  count: number;
  /** Minutes. */
  average: number | null;
  median: number | null;
}

export interface TicketReport {
  groups: TicketGroup[];
  channels: { channel: string; count: number }[];
  firstResponse: DurationFigure;
  resolution: DurationFigure;
}

const MINUTES = (column: string) => `MAX(0, (julianday("${column}") - julianday("createdAt")) * 1440.0)`;

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

function durationOf(sqlite: BetterSqlite3.Database, column: 'firstResponseAt' | 'resolvedAt', since: string): DurationFigure {
  const where = `"createdAt" >= ? AND "${column}" IS NOT NULL`;
  const { count, average } = sqlite.prepare(`SELECT COUNT(*) AS count, AVG(${MINUTES(column)}) AS average FROM "Ticket" WHERE ${where}`).get(since) as { count: number; average: number | null };
  if (count === 0) return { count: 0, average: null, median: null };
  // The middle value, or the mean of the two middle values: as a sorted list's median.
  const middle = sqlite
    .prepare(`SELECT ${MINUTES(column)} AS minutes FROM "Ticket" WHERE ${where} ORDER BY minutes LIMIT ? OFFSET ?`)
    .all(since, count % 2 ? 1 : 2, Math.floor((count - 1) / 2)) as { minutes: number }[];
  return { count, average, median: middle.reduce((s, m) => s + m.minutes, 0) / middle.length };
}

/** The figures of the tickets created in a period, grouped by the database. */
export function ticketReport(sqlite: BetterSqlite3.Database, period: ReportPeriod): TicketReport {
  const since = period.since ? storedDate(period.since) : '';
  const now = storedDate(period.now);
  const open = period.openStatuses;
  // A ticket breaches its SLA while open past its due time, or when it was resolved after it (the
  // first reason wins, as in the list the console shows).
  const overdue = `("status" IN (${placeholders(open)}) AND "dueAt" < ?)`;
  const groups = sqlite
    .prepare(
      `SELECT "type", "category", "department", "neighbourhood", "status", "rating", COUNT(*) AS count,
         SUM(CASE WHEN ${overdue} THEN 1 ELSE 0 END) AS openOverdue,
         SUM(CASE WHEN NOT ${overdue} AND "resolvedAt" IS NOT NULL AND "resolvedAt" > "dueAt" THEN 1 ELSE 0 END) AS resolvedLate,
         SUM(CASE WHEN "resolvedAt" IS NOT NULL AND "resolvedAt" <= "dueAt" THEN 1 ELSE 0 END) AS resolvedOnTime
       FROM "Ticket" WHERE "createdAt" >= ?
       GROUP BY "type", "category", "department", "neighbourhood", "status", "rating"`,
    )
    .all(...open, now, ...open, now, since) as TicketGroup[];
  const channels = sqlite
    .prepare(
      `SELECT COALESCE(v."channel", c."channel") AS channel, COUNT(*) AS count
       FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
       WHERE t."createdAt" >= ? GROUP BY 1`,
    )
    .all(since) as { channel: string; count: number }[];
  return { groups, channels, firstResponse: durationOf(sqlite, 'firstResponseAt', since), resolution: durationOf(sqlite, 'resolvedAt', since) };
}

/** One ticket as the CSV export lists it. Dates are the stored text. */
export interface ReportRow {
  number: string;
  type: string;
  category: string | null;
  department: string;
  neighbourhood: string | null;
  channel: string;
  status: string;
  agentName: string | null;
  createdAt: string;
  dueAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  rating: number | null;
  ratingComment: string | null;
}

/** Rows read per statement of the export. */
const EXPORT_BATCH = 2000;

/**
 * The tickets created in a period, oldest first, one at a time (constant memory). Read in batches,
 * each a short statement of its own, resuming after the last (createdAt, id) seen: one cursor held
 * open for a whole year's export kept its read snapshot for a minute, so SQLite could not move the
 * WAL back into the database meanwhile, and the main thread's next commit after the export then
 * checkpointed the whole grown WAL at once (6–7 s of a frozen event loop at 350,000 tickets).
 */
export function* ticketRows(sqlite: BetterSqlite3.Database, since: Date | null): Generator<ReportRow> {
  const statement = sqlite.prepare(
    `SELECT t."id", t."number", t."type", t."category", t."department", t."neighbourhood", COALESCE(v."channel", c."channel") AS channel, t."status",
       a."displayName" AS agentName, t."createdAt", t."dueAt", t."firstResponseAt", t."resolvedAt", t."closedAt", t."rating", t."ratingComment"
     FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
       LEFT JOIN "Agent" a ON a."id" = t."assignedAgentId"
     WHERE t."createdAt" >= ? AND (t."createdAt" > ? OR (t."createdAt" = ? AND t."id" > ?))
     ORDER BY t."createdAt", t."id" LIMIT ${EXPORT_BATCH}`,
  );
  const start = since ? storedDate(since) : '';
  let after = { createdAt: '', id: '' };
  for (;;) {
    const batch = statement.all(start, after.createdAt, after.createdAt, after.id) as (ReportRow & { id: string })[];
    for (const { id: _id, ...row } of batch) yield row;
    if (batch.length < EXPORT_BATCH) return;
    const last = batch[batch.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
