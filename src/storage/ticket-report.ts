// The supervisor's figures and the CSV export as the database computes them, the same code for
// SQLite and PostgreSQL (`ReportDb` below: SQL written with `?`, the few dialect differences named
// in `ReportDialect`). The figures add up the daily figures (TicketDailyFigure, kept by
// tickets/daily-figures.ts) once they hold every ticket: a year is a few thousand small rows
// however many tickets it had. While an existing database's daily figures are rebuilt, they are
// counted from the tickets by a few GROUP BY queries over the period (served on SQLite by the
// covering index Ticket_report_idx), the medians by ORDER BY … LIMIT/OFFSET. The export's rows are
// read in short batches. A year at 350,000 tickets used to be loaded into memory and counted in
// JavaScript (seconds of the main thread, gigabytes of memory).
//
// The console runs these in a worker thread (console/report-worker.ts) so that no citizen's turn
// waits behind them: better-sqlite3 is synchronous, and on PostgreSQL the thread only waits for
// the server. Dates are compared as the text @prisma/adapter-better-sqlite3 stores
// (`2026-12-07T06:26:46.623+00:00`, see `storedDate`); PostgreSQL reads the same text as a timestamp.
// The connections: ticket-report-sqlite.ts and ticket-report-postgres.ts.
import type BetterSqlite3 from 'better-sqlite3';
import { storedDate } from './direct-sql.ts';
import { dayOf, FIGURE_TICKETS_FROM, FigureDelta, figureTicket, nextDayStart, type FigureTicketRow, type Measure, type TicketFiling } from './figure-delta.ts';

export { storedDate };

/** What each dialect writes its own way. */
export interface ReportDialect {
  /** Minutes from a ticket's creation to `column`, never negative. */
  minutes(column: string): string;
  /** The ids of a subquery's rows, space-separated (the export's media links). */
  joinedIds(column: string): string;
}

export const SQLITE_REPORT_DIALECT: ReportDialect = {
  minutes: (column) => `MAX(0, (julianday("${column}") - julianday("createdAt")) * 1440.0)`,
  joinedIds: (column) => `group_concat(${column}, ' ')`,
};

export type ReportQuery = <Row>(sql: string, args: readonly unknown[]) => Promise<Row[]>;

/** A connection for the reports: statements read one snapshot of the database inside `read`. */
export interface ReportDb {
  readonly dialect: ReportDialect;
  read<T>(work: (query: ReportQuery) => Promise<T>): Promise<T>;
}

/** "Since the beginning": before every stored date (as text on SQLite, as a timestamp on PostgreSQL). */
const sinceOf = (since: Date | null) => storedDate(since ?? new Date(0));

export interface ReportPeriod {
  /** Tickets created at or after this moment; null for all of them. */
  since: Date | null;
  now: Date;
  /** Statuses in which a ticket is still open (tickets/status.ts). */
  openStatuses: readonly string[];
}

/** How many tickets of the period have `key` as their value of `dimension` (storage/daily-figures.ts names them). */
export interface FigureCount {
  dimension: string;
  key: string;
  count: number;
}

export interface DurationFigure {
  count: number;
  /** Minutes. */
  average: number | null;
  median: number | null;
}

export interface TicketReport {
  counts: FigureCount[];
  sla: { openOverdue: number; resolvedLate: number; resolvedOnTime: number };
  firstResponse: DurationFigure;
  resolution: DurationFigure;
  /** Read from the daily figures, or counted from the tickets (while the daily figures are rebuilt). */
  source: 'daily' | 'tickets';
}

/** The figures of the tickets created in a period: from the daily figures once they are complete. */
export function ticketReport(db: ReportDb, period: ReportPeriod): Promise<TicketReport> {
  // One read snapshot: the state, the daily rows and the first day's tickets of one moment.
  return db.read(async (query) => {
    const [state] = await query<{ complete: boolean | number }>(`SELECT "complete" FROM "TicketFigureState" WHERE "id" = 1`, []);
    return state && Number(state.complete) ? dailyFigures(query, period) : countedFigures(query, db.dialect, period);
  });
}

/** The figures from the daily rows (the state not looked at: the tests compare the two ways). */
export function dailyReport(db: ReportDb, period: ReportPeriod): Promise<TicketReport> {
  return db.read((query) => dailyFigures(query, period));
}

/** The figures counted from the tickets themselves: while the daily rows are rebuilt, and in the tests as the reference. */
export function countedReport(db: ReportDb, period: ReportPeriod): Promise<TicketReport> {
  return db.read((query) => countedFigures(query, db.dialect, period));
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Open tickets of the period past their due time: the one figure that moves with the clock, not with the tickets. */
async function openOverdue(query: ReportQuery, period: ReportPeriod, since: string): Promise<number> {
  const open = period.openStatuses;
  const [row] = await query<{ count: number }>(`SELECT COUNT(*) AS "count" FROM "Ticket" WHERE "status" IN (${placeholders(open)}) AND "createdAt" >= ? AND "dueAt" < ?`, [
    ...open,
    since,
    storedDate(period.now),
  ]);
  return Number(row!.count);
}

/**
 * From the daily figures: the whole months after the period's start are summed from their monthly
 * rows, the whole days before the first of those months from their daily rows, and the day the
 * period starts in, partial, is counted from its own tickets (with the same FigureDelta as the
 * rows). A year is then 12 months and up to 30 days of rows, whatever the number of tickets.
 * A resolved ticket counts as resolved late unless it is open again (an open ticket resolved after
 * its due time is past its due time now, and counts as open and overdue instead, as in the CSV).
 */
async function dailyFigures(query: ReportQuery, period: ReportPeriod): Promise<TicketReport> {
  const since = sinceOf(period.since);
  // The first whole day, and the first whole month (YYYY-MM) from it on.
  const firstDay = period.since ? dayOf(nextDayStart(period.since)) : '';
  const firstMonth = firstDay === '' || firstDay.endsWith('-01') ? firstDay.slice(0, 7) : dayOf(new Date(Date.UTC(Number(firstDay.slice(0, 4)), Number(firstDay.slice(5, 7)), 1)));
  const monthStart = firstMonth.slice(0, 7);
  const edge = new FigureDelta();
  if (period.since) {
    const rows = await query<FigureTicketRow>(`${FIGURE_TICKETS_FROM} WHERE t."createdAt" >= ? AND t."createdAt" < ?`, [since, storedDate(nextDayStart(period.since))]);
    for (const row of rows) edge.add(figureTicket(row), 1, { span: 'day', period: '' });
  }
  // Days from the first whole day up to (not including) the first whole month: '2026-03-15' to '2026-04'.
  const ranges = `("span" = 'day' AND "period" >= ? AND "period" < ?) OR ("span" = 'month' AND "period" >= ?)`;
  const rangeArgs = [firstDay, monthStart, monthStart];
  const counts = new Map<string, FigureCount & { resolvedLate: number; resolvedOnTime: number }>();
  const rows = await query<FigureCount & { resolvedLate: number; resolvedOnTime: number }>(
    `SELECT "dimension", "key", SUM("count") AS "count", SUM("resolvedLate") AS "resolvedLate", SUM("resolvedOnTime") AS "resolvedOnTime"
     FROM "TicketDailyFigure" WHERE ${ranges} GROUP BY "dimension", "key"`,
    rangeArgs,
  );
  for (const cell of [...rows, ...edge.counts.values()]) {
    const id = `${cell.dimension}\u0000${cell.key}`;
    const sum = counts.get(id) ?? { dimension: cell.dimension, key: cell.key, count: 0, resolvedLate: 0, resolvedOnTime: 0 };
    sum.count += Number(cell.count);
    sum.resolvedLate += Number(cell.resolvedLate);
    sum.resolvedOnTime += Number(cell.resolvedOnTime);
    counts.set(id, sum);
  }
  const statuses = [...counts.values()].filter((c) => c.dimension === 'status');
  const buckets = new Map<string, { measure: Measure; bucket: number; count: number; minutes: number }>();
  const durations = await query<{ measure: Measure; bucket: number; count: number; minutes: number }>(
    `SELECT "measure", "bucket", SUM("count") AS "count", SUM("minutes") AS "minutes" FROM "TicketDailyDuration" WHERE ${ranges} GROUP BY "measure", "bucket"`,
    rangeArgs,
  );
  for (const cell of [...durations, ...edge.durations.values()]) {
    const id = `${cell.measure}\u0000${cell.bucket}`;
    const sum = buckets.get(id) ?? { measure: cell.measure, bucket: Number(cell.bucket), count: 0, minutes: 0 };
    sum.count += Number(cell.count);
    sum.minutes += Number(cell.minutes);
    buckets.set(id, sum);
  }
  const histogram = (measure: Measure) => [...buckets.values()].filter((b) => b.measure === measure && b.count > 0).sort((a, b) => a.bucket - b.bucket);
  return {
    counts: [...counts.values()].filter((c) => c.count !== 0).map(({ dimension, key, count }) => ({ dimension, key, count })),
    sla: {
      openOverdue: await openOverdue(query, period, since),
      resolvedLate: statuses.filter((c) => !period.openStatuses.includes(c.key)).reduce((s, c) => s + c.resolvedLate, 0),
      resolvedOnTime: statuses.reduce((s, c) => s + c.resolvedOnTime, 0),
    },
    firstResponse: fromHistogram(histogram('firstResponse')),
    resolution: fromHistogram(histogram('resolution')),
    source: 'daily',
  };
}

/**
 * Count, average and median from a histogram, buckets in order: the average exactly (the sum of
 * minutes is kept), the median as the mean of the bucket holding the middle value (or of the two
 * buckets holding the two middle values), within a bucket's width (2%) of the exact median.
 */
export function fromHistogram(buckets: { count: number; minutes: number }[]): DurationFigure {
  const count = buckets.reduce((s, b) => s + b.count, 0);
  if (count === 0) return { count: 0, average: null, median: null };
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const bucket of buckets) {
      seen += bucket.count;
      if (rank < seen) return bucket.minutes / bucket.count;
    }
    return buckets[buckets.length - 1]!.minutes / buckets[buckets.length - 1]!.count;
  };
  const median = count % 2 ? valueAt((count - 1) / 2) : (valueAt(count / 2 - 1) + valueAt(count / 2)) / 2;
  return { count, average: buckets.reduce((s, b) => s + b.minutes, 0) / count, median };
}

/** One combination of the grouped columns and how many tickets have it (the counted report). */
interface TicketGroup {
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

async function durationOf(query: ReportQuery, dialect: ReportDialect, column: 'firstResponseAt' | 'resolvedAt', since: string): Promise<DurationFigure> {
  const where = `"createdAt" >= ? AND "${column}" IS NOT NULL`;
  const [row] = await query<{ count: number; average: number | null }>(`SELECT COUNT(*) AS "count", AVG(${dialect.minutes(column)}) AS "average" FROM "Ticket" WHERE ${where}`, [since]);
  const count = Number(row!.count);
  if (count === 0) return { count: 0, average: null, median: null };
  // The middle value, or the mean of the two middle values: as a sorted list's median.
  const middle = await query<{ minutes: number }>(`SELECT ${dialect.minutes(column)} AS "minutes" FROM "Ticket" WHERE ${where} ORDER BY "minutes" LIMIT ? OFFSET ?`, [
    since,
    count % 2 ? 1 : 2,
    Math.floor((count - 1) / 2),
  ]);
  return { count, average: Number(row!.average), median: middle.reduce((s, m) => s + Number(m.minutes), 0) / middle.length };
}

/** Counted from the tickets themselves, grouped by the database. */
async function countedFigures(query: ReportQuery, dialect: ReportDialect, period: ReportPeriod): Promise<TicketReport> {
  const since = sinceOf(period.since);
  const now = storedDate(period.now);
  const open = period.openStatuses;
  // A ticket breaches its SLA while open past its due time, or when it was resolved after it (the
  // first reason wins, as in the list the console shows).
  const overdue = `("status" IN (${placeholders(open)}) AND "dueAt" < ?)`;
  const groups = await query<TicketGroup>(
    `SELECT "type", "category", "department", "neighbourhood", "status", "rating", COUNT(*) AS "count",
       SUM(CASE WHEN ${overdue} THEN 1 ELSE 0 END) AS "openOverdue",
       SUM(CASE WHEN NOT ${overdue} AND "resolvedAt" IS NOT NULL AND "resolvedAt" > "dueAt" THEN 1 ELSE 0 END) AS "resolvedLate",
       SUM(CASE WHEN "resolvedAt" IS NOT NULL AND "resolvedAt" <= "dueAt" THEN 1 ELSE 0 END) AS "resolvedOnTime"
     FROM "Ticket" WHERE "createdAt" >= ?
     GROUP BY "type", "category", "department", "neighbourhood", "status", "rating"`,
    [...open, now, ...open, now, since],
  );
  const channels = await query<{ key: string; count: number }>(
    `SELECT COALESCE(v."channel", c."channel") AS "key", COUNT(*) AS "count"
     FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
     WHERE t."createdAt" >= ? GROUP BY 1`,
    [since],
  );
  const counts = new Map<string, FigureCount>();
  const count = (dimension: string, key: string | null, n: number) => {
    if (key === null) return;
    const id = `${dimension}\u0000${key}`;
    const cell = counts.get(id) ?? { dimension, key, count: 0 };
    cell.count += Number(n);
    counts.set(id, cell);
  };
  for (const g of groups) {
    count('status', g.status, g.count);
    count('type', g.type, g.count);
    count('category', `${g.type}:${g.category ?? ''}`, g.count);
    count('department', g.department, g.count);
    count('neighbourhood', g.neighbourhood ?? '', g.count);
    count('rating', g.rating === null ? null : String(g.rating), g.count);
  }
  for (const c of channels) count('channel', c.key, c.count);
  const sum = (pick: (g: TicketGroup) => number) => groups.reduce((s, g) => s + Number(pick(g)), 0);
  return {
    counts: [...counts.values()],
    sla: { openOverdue: sum((g) => g.openOverdue), resolvedLate: sum((g) => g.resolvedLate), resolvedOnTime: sum((g) => g.resolvedOnTime) },
    firstResponse: await durationOf(query, dialect, 'firstResponseAt', since),
    resolution: await durationOf(query, dialect, 'resolvedAt', since),
    source: 'tickets',
  };
}

/** One ticket as the CSV export lists it. Dates are the stored text. */
export interface ReportRow extends TicketFiling {
  number: string;
  agentName: string | null;
  createdAt: string;
  dueAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  rating: number | null;
  ratingComment: string | null;
  /** The ticket's pin, if any (older tickets have it in `data` only). */
  latitude: number | null;
  longitude: number | null;
  /** The ticket's answers (JSON): the export reads only a pin's coordinates from them. */
  data: string;
  /** The stored photos, voice notes and files of the ticket's conversation, space-separated ids. */
  mediaIds: string | null;
}

/** Rows read per statement of the export. */
const EXPORT_BATCH = 2000;

/** The staff's names, for the export (a few dozen rows). */
export const AGENT_NAMES_SQL = `SELECT "id", "displayName" FROM "Agent"`;

/**
 * Where an export has got to, the same for both databases: the statement of its next batch and
 * that statement's arguments, and the batch's rows as the CSV lists them. Each batch is a short
 * statement of its own, resuming after the last (createdAt, id) seen: one cursor held open for a
 * whole year's export kept its read snapshot for a minute, so SQLite could not move the WAL back
 * into the database meanwhile, and the main thread's next commit after the export then
 * checkpointed the whole grown WAL at once (6–7 s of a frozen event loop at 350,000 tickets).
 */
export class ExportCursor {
  /** The statement of every batch, in `dialect`. */
  static sql(dialect: ReportDialect): string {
    return `SELECT t."id", t."number", t."type", t."category", t."department", t."neighbourhood", COALESCE(v."channel", c."channel") AS "channel", t."status",
       t."assignedAgentId", t."createdAt", t."dueAt", t."firstResponseAt", t."resolvedAt", t."closedAt", t."rating", t."ratingComment", t."latitude", t."longitude", t."data",
       (SELECT ${dialect.joinedIds('m."id"')} FROM "Media" m WHERE m."conversationId" = t."conversationId" AND m."status" = 'stored') AS "mediaIds"
     FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"
     WHERE t."createdAt" >= ? AND (t."createdAt" > ? OR (t."createdAt" = ? AND t."id" > ?))
     ORDER BY t."createdAt", t."id" LIMIT ${EXPORT_BATCH}`;
  }

  private after: { createdAt: string; id: string } | null = null;
  /** No more batches to read. */
  done = false;
  // The staff's names, read once: joined per ticket they were a quarter of the export's reading.
  private names = new Map<string, string>();

  constructor(private readonly since: Date | null) {}

  /** The arguments of the next batch's statement. */
  args(): unknown[] {
    // The lower bound is the last row seen, not the period's start: SQLite's index range begins at
    // the first term, and with the period's start every batch walked the index from there again
    // (the whole export quadratic in its length: 30 s for a year at 350,000 tickets).
    // Before the first batch: after the period's start and the empty id (every ticket of that moment).
    const { createdAt, id } = this.after ?? { createdAt: sinceOf(this.since), id: '' };
    return [createdAt, createdAt, createdAt, id];
  }

  /** Whether `batch` names an account not known yet (opened during the export): then read the names again. */
  needsNames(batch: readonly ExportBatchRow[]): boolean {
    return batch.some((row) => row.assignedAgentId !== null && !this.names.has(row.assignedAgentId));
  }

  setNames(agents: readonly { id: string; displayName: string }[]): void {
    this.names = new Map(agents.map((a) => [a.id, a.displayName]));
  }

  /** A batch's rows as the export lists them; moves past them. */
  rows(batch: readonly ExportBatchRow[]): ReportRow[] {
    if (batch.length < EXPORT_BATCH) this.done = true;
    const last = batch[batch.length - 1];
    if (last) this.after = { createdAt: last.createdAt, id: last.id };
    return batch.map(({ id: _id, assignedAgentId, rating, ...row }) => ({
      ...row,
      rating: rating === null ? null : Number(rating),
      agentName: assignedAgentId === null ? null : this.names.get(assignedAgentId) || null,
    }));
  }
}

export type ExportBatchRow = Omit<ReportRow, 'agentName'> & { id: string; assignedAgentId: string | null };

/** The tickets created in a period, oldest first, one at a time (constant memory), from SQLite. */
export function* ticketRows(sqlite: BetterSqlite3.Database, since: Date | null): Generator<ReportRow> {
  const statement = sqlite.prepare(ExportCursor.sql(SQLITE_REPORT_DIALECT));
  const agents = sqlite.prepare(AGENT_NAMES_SQL);
  const cursor = new ExportCursor(since);
  cursor.setNames(agents.all() as { id: string; displayName: string }[]);
  while (!cursor.done) {
    const batch = statement.all(...cursor.args()) as ExportBatchRow[];
    if (cursor.needsNames(batch)) cursor.setNames(agents.all() as { id: string; displayName: string }[]);
    yield* cursor.rows(batch);
  }
}

/** SQLite's connection for the reports (better-sqlite3, read-only, in the report worker). */
export function sqliteReportDb(sqlite: BetterSqlite3.Database): ReportDb {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const query: ReportQuery = <Row>(sql: string, args: readonly unknown[]) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = sqlite.prepare(sql)));
    return Promise.resolve(statement.all(...args) as Row[]);
  };
  // One report at a time on the connection: its statements share one read transaction.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    dialect: SQLITE_REPORT_DIALECT,
    read<T>(work: (query: ReportQuery) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        sqlite.exec('BEGIN');
        try {
          return await work(query);
        } finally {
          sqlite.exec('COMMIT');
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
