// The report queries' connection (storage/ticket-report.ts) to a test's database, SQLite or
// PostgreSQL, opened as the report worker opens it: read-only on SQLite, a pool on PostgreSQL.
import BetterSqlite3 from 'better-sqlite3';
import { postgresReportDb, reportPool } from '../../src/storage/ticket-report-postgres.ts';
import { sqliteReportDb, type ReportDb } from '../../src/storage/ticket-report.ts';

export function openReportDb(url: string): { db: ReportDb; close(): Promise<void> } {
  if (url.startsWith('file:')) {
    const sqlite = new BetterSqlite3(url.slice('file:'.length), { readonly: true });
    return { db: sqliteReportDb(sqlite), close: () => Promise.resolve(void sqlite.close()) };
  }
  const pool = reportPool(url);
  return { db: postgresReportDb(pool), close: () => pool.end() };
}
