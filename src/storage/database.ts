// The one way the application opens its database: Prisma Client over the better-sqlite3 driver
// adapter (no native Prisma engine needed at run time), with migrations applied first.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.ts';
import { registerConnection } from './direct-sql.ts';
import { applyMigrations, type AppliedMigrations } from './migrate.ts';
import { serializeTransactions } from './serialized-adapter.ts';
import { cacheStatements } from './statement-cache.ts';

export type Database = PrismaClient;

export interface OpenedDatabase {
  db: Database;
  migrations: AppliedMigrations;
}

/** Path of the SQLite file in a `file:` URL. */
export function sqliteFile(url: string): string {
  if (!url.startsWith('file:')) throw new Error(`Unsupported database URL: ${url.split(':')[0]}: (only file: SQLite for now)`);
  return url.slice('file:'.length);
}

export async function openDatabase(url: string): Promise<OpenedDatabase> {
  const file = sqliteFile(url);
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const migrations = applyMigrations(file);
  // WAL lets the web pages read while the bot writes; busy_timeout waits for a lock instead of failing.
  // Prisma Client connects on its first query (below) and again after a reconnect: direct-sql.ts
  // always gets the connection in use.
  const adapter = serializeTransactions(cacheStatements(new PrismaBetterSqlite3({ url: file, timeout: 10_000 })), (connected) => registerConnection(db, connected));
  const db: Database = new PrismaClient({ adapter });
  await db.$executeRawUnsafe('PRAGMA journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints instead of at every commit (an fsync blocks the event loop
  // for milliseconds). A killed process loses nothing; only a power cut can lose the last commits.
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  await optimizeDatabase(db, { opening: true });
  return { db, migrations };
}

/**
 * Statistics for SQLite's query planner (sqlite_stat1), without which it guesses which index to use:
 * `PRAGMA optimize` analyses only the tables whose statistics are missing or stale, and
 * `analysis_limit` makes it sample instead of reading whole tables, so it takes milliseconds at any
 * size. At opening (0x10002: also tables never analysed), then every few hours (main.ts), as
 * SQLite's documentation recommends for long-running applications.
 */
export async function optimizeDatabase(db: Database, options: { opening?: boolean } = {}): Promise<void> {
  await db.$queryRawUnsafe('PRAGMA analysis_limit = 400');
  await db.$executeRawUnsafe(options.opening ? 'PRAGMA optimize = 0x10002' : 'PRAGMA optimize');
}
