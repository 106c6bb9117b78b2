// The supervisor's figures and the CSV export on PostgreSQL: the queries of ticket-report.ts
// (SQLite's) written for PostgreSQL, returning the same shapes. What differs: durations from
// timestamps (`EXTRACT(EPOCH …)`, not `julianday`), dates compared as timestamps (not as stored
// text), aliases quoted (PostgreSQL folds unquoted ones to lower case), and the driver's values
// made like SQLite's (below). Asynchronous: PostgreSQL works in its own processes, the report
// worker thread only waits for it.
import pg from 'pg';
import { storedDate } from './direct-sql.ts';
import { postgresConnection } from './postgres-url.ts';
import { countedFigures, type DurationFigure, type ReportPeriod, type ReportRow, type TicketGroup, type TicketReport } from './ticket-report.ts';

/**
 * `pg` parses a `timestamp` (without time zone: what Prisma creates) as local time and 64-bit
 * integers and numerics as text; here timestamps become the text SQLite stores (they are UTC, as
 * Prisma writes them) and numbers become numbers, as ticket-report.ts returns them.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const { builtins } = pg.types;
    if (oid === builtins.TIMESTAMP) return (text: string) => storedDate(new Date(`${text.replace(' ', 'T')}Z`));
    if (oid === builtins.INT8 || oid === builtins.NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** A pool for the reports (a few connections: figures and an export or two at a time). */
export function reportPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: postgresConnection(url).connectionString, max: 3, types: TYPES as pg.CustomTypesConfig });
}

/** The epoch stands for "since the beginning" (SQLite's version compares with the empty text). */
const sinceOf = (since: Date | null) => storedDate(since ?? new Date(0));

const MINUTES = (column: string) => `GREATEST(0, EXTRACT(EPOCH FROM ("${column}" - "createdAt")) / 60.0)`;

async function durationOf(db: pg.Pool, column: 'firstResponseAt' | 'resolvedAt', since: string): Promise<DurationFigure> {
  const where = `"createdAt" >= CAST($1 AS TIMESTAMP) AND "${column}" IS NOT NULL`;
  const { rows } = await db.query<{ count: number; average: number | null }>(`SELECT COUNT(*) AS "count", AVG(${MINUTES(column)}) AS "average" FROM "Ticket" WHERE ${where}`, [since]);
  const { count, average } = rows[0]!;
  if (count === 0) return { count: 0, average: null, median: null };
  const { rows: middle } = await db.query<{ minutes: number }>(
    `SELECT ${MINUTES(column)} AS "minutes" FROM "Ticket" WHERE ${where} ORDER BY "minutes" LIMIT $2 OFFSET $3`,
    [since, count % 2 ? 1 : 2, Math.floor((count - 1) / 2)],
  );
  return { count, average, median: middle.reduce((s, m) => s + m.minutes, 0) / middle.length };
}

export async function ticketReportPostgres(db: pg.Pool, period: ReportPeriod): Promise<TicketReport> {
  const since = sinceOf(period.since);
  // $1 the open statuses, $2 now, $3 since.
  const overdue = `("status" = ANY($1) AND "dueAt" < CAST($2 AS TIMESTAMP))`;
  const { rows: groups } = await db.query<TicketGroup>(
    `SELECT "type", "category", "department", "neighbourhood", "status", "rating", COUNT(*) AS "count",
       SUM(CASE WHEN ${overdue} THEN 1 ELSE 0 END) AS "openOverdue",
       SUM(CASE WHEN NOT ${overdue} AND "resolvedAt" IS NOT NULL AND "resolvedAt" > "dueAt" THEN 1 ELSE 0 END) AS "resolvedLate",
       SUM(CASE WHEN "resolvedAt" IS NOT NULL AND "resolvedAt" <= "dueAt" THEN 1 ELSE 0 END) AS "resolvedOnTime"
     FROM "Ticket" WHERE "createdAt" >= CAST($3 AS TIMESTAMP)
     GROUP BY "type", "category", "department", "neighbourhood", "status", "rating"`,
    [[...period.openStatuses], storedDate(period.now), since],
  );
  const { rows: channels } = await db.query<{ key: string; count: number }>(
    `SELECT COALESCE(v."channel", c."channel") AS "key", COUNT(*) AS "count"
     FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
     WHERE t."createdAt" >= CAST($1 AS TIMESTAMP) GROUP BY 1`,
    [since],
  );
  const [firstResponse, resolution] = await Promise.all([durationOf(db, 'firstResponseAt', since), durationOf(db, 'resolvedAt', since)]);
  return { ...countedFigures(groups, channels), firstResponse, resolution, source: 'tickets' };
}

/** Rows read per statement of the export (as ticket-report.ts: short statements, resumed by key). */
const EXPORT_BATCH = 2000;

/** The tickets created in a period, oldest first, read in batches. */
export async function* ticketRowsPostgres(db: pg.Pool, since: Date | null): AsyncGenerator<ReportRow> {
  const start = sinceOf(since);
  let after = { createdAt: start, id: '' };
  for (;;) {
    const { rows: batch } = await db.query<ReportRow & { id: string }>(
      `SELECT t."id", t."number", t."type", t."category", t."department", t."neighbourhood", COALESCE(v."channel", c."channel") AS "channel", t."status",
         a."displayName" AS "agentName", t."createdAt", t."dueAt", t."firstResponseAt", t."resolvedAt", t."closedAt", t."rating", t."ratingComment", t."data",
         (SELECT string_agg(m."id", ' ' ORDER BY m."createdAt", m."position") FROM "Media" m WHERE m."conversationId" = t."conversationId" AND m."status" = 'stored') AS "mediaIds"
       FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
         LEFT JOIN "Agent" a ON a."id" = t."assignedAgentId"
       WHERE t."createdAt" >= CAST($1 AS TIMESTAMP) AND (t."createdAt", t."id") > (CAST($2 AS TIMESTAMP), $3)
       ORDER BY t."createdAt", t."id" LIMIT ${EXPORT_BATCH}`,
      [start, after.createdAt, after.id],
    );
    for (const { id: _id, ...row } of batch) yield row;
    if (batch.length < EXPORT_BATCH) return;
    const last = batch[batch.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
