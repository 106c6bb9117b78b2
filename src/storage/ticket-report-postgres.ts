// The reports' connection to PostgreSQL (ticket-report.ts has the queries, the same for both
// databases). What differs: durations from timestamps (`EXTRACT(EPOCH …)`, not `julianday`),
// placeholders `$n` for `?`, and the driver's values made like SQLite's (below). Asynchronous:
// PostgreSQL works in its own processes, the report worker thread only waits for it.
import pg from 'pg';
import { storedDate } from './direct-sql.ts';
import { postgresConnection } from './postgres-url.ts';
import { AGENT_NAMES_SQL, ExportCursor, type ExportBatchRow, type ReportDb, type ReportDialect, type ReportQuery, type ReportRow } from './ticket-report.ts';

const POSTGRES_REPORT_DIALECT: ReportDialect = {
  minutes: (column) => `GREATEST(0, EXTRACT(EPOCH FROM ("${column}" - "createdAt")) / 60.0)`,
  joinedIds: (column) => `string_agg(${column}, ' ')`,
};

/**
 * `pg` parses a `timestamp` (without time zone: what Prisma creates) as local time and 64-bit
 * integers and numerics as text; here timestamps become the text SQLite stores (they are UTC, as
 * Prisma writes them) and numbers become numbers, as SQLite returns them.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const { builtins } = pg.types;
    if (oid === builtins.TIMESTAMP) return (text: string) => storedDate(new Date(`${text.replace(' ', 'T')}Z`));
    if (oid === builtins.INT8 || oid === builtins.NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * A pool for the reports (a few connections: figures and an export or two at a time). No parallel
 * workers: PostgreSQL planned two for each export batch of 2,000 rows (90 ms of starting them at
 * load 12, against 20 ms for the batch), and a report should not take the machine's other cores
 * from the citizens' turns.
 */
export function reportPool(url: string): pg.Pool {
  const connection = new URL(postgresConnection(url).connectionString);
  // Set when the connection opens (with the schema's search_path, if any), before any statement.
  connection.searchParams.set('options', `${connection.searchParams.get('options') ?? ''} -c max_parallel_workers_per_gather=0`.trim());
  return new pg.Pool({ connectionString: connection.toString(), max: 3, types: TYPES as pg.CustomTypesConfig });
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the reports' SQL has no `?` of its own). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const queryOn =
  (client: pg.Pool | pg.PoolClient): ReportQuery =>
  async <Row>(sql: string, args: readonly unknown[]) =>
    (await client.query({ text: numbered(sql), values: [...args] })).rows as Row[];

/** PostgreSQL's connection for the reports: each report reads one snapshot (REPEATABLE READ). */
export function postgresReportDb(pool: pg.Pool): ReportDb {
  return {
    dialect: POSTGRES_REPORT_DIALECT,
    async read(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await work(queryOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/** The tickets created in a period, oldest first, read in batches (as ticket-report.ts's `ticketRows`). */
export async function* ticketRowsPostgres(pool: pg.Pool, since: Date | null): AsyncGenerator<ReportRow> {
  const query = queryOn(pool);
  const cursor = new ExportCursor(since);
  cursor.setNames(await query(AGENT_NAMES_SQL, []));
  while (!cursor.done) {
    const batch = await query<ExportBatchRow>(ExportCursor.sql(POSTGRES_REPORT_DIALECT), cursor.args());
    if (cursor.needsNames(batch)) cursor.setNames(await query(AGENT_NAMES_SQL, []));
    yield* cursor.rows(batch);
  }
}
