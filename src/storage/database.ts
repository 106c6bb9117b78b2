// The one way the application opens its database: Prisma Client over a driver adapter (no native
// Prisma engine needed at run time), with migrations applied first. SQLite (`file:`, through
// better-sqlite3) is the default; a `postgresql://` URL runs on PostgreSQL through `pg` (with
// `?schema=name`, in that schema: postgres-url.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { connectionOf, registerConnection, watchConnections, type Dialect } from './direct-sql.ts';
import { applyMigrations, applyPostgresMigrations, type AppliedMigrations } from './migrate.ts';
import { postgresConnection } from './postgres-url.ts';
import { serializeTransactions } from './serialized-adapter.ts';
import { cacheStatements } from './statement-cache.ts';

/**
 * The client the application uses, whichever the database: typed as the SQLite client, whose API
 * is what both have in common (PostgreSQL's adds only `mode: 'insensitive'` and field references,
 * see scripts/prisma-generate.mjs). Code that used PostgreSQL's extras would not compile here.
 */
export type Database = PrismaClient;

export interface OpenedDatabase {
  db: Database;
  migrations: AppliedMigrations;
  dialect: Dialect;
}

/** Which database a URL names; anything else is refused with a message for the operator. */
export function dialectOfUrl(url: string): Dialect {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`Unsupported database URL: ${url.split(':')[0]}: (use file: for SQLite or postgresql:// for PostgreSQL)`);
}

/** Path of the SQLite file in a `file:` URL. */
export function sqliteFile(url: string): string {
  if (dialectOfUrl(url) !== 'sqlite') throw new Error(`Not a SQLite database URL: ${url.split(':')[0]}: (this needs file:)`);
  return url.slice('file:'.length);
}

export async function openDatabase(url: string): Promise<OpenedDatabase> {
  return dialectOfUrl(url) === 'postgresql' ? openPostgres(url) : openSqlite(url);
}

// Each database's client and driver are loaded only when that database is opened: the other one's
// generated client (its query compiler, several MB) would only be held in memory.
async function openSqlite(url: string): Promise<OpenedDatabase> {
  const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-better-sqlite3'), import('../generated/prisma/client.ts')]);
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
  return { db, migrations, dialect: 'sqlite' };
}

/**
 * PostgreSQL through a pool of `pg` connections. No serialized-adapter.ts here: every transaction
 * has a connection of its own from the pool, so a query outside it cannot end up inside it.
 */
async function openPostgres(url: string): Promise<OpenedDatabase> {
  const [{ PrismaPg }, { PrismaClient: PostgresPrismaClient }] = await Promise.all([import('@prisma/adapter-pg'), import('../generated/postgresql/client.ts')]);
  const migrations = await applyPostgresMigrations(url);
  const { connectionString, schema } = postgresConnection(url);
  const adapter = watchConnections(new PrismaPg({ connectionString }, { schema }), (connected) => registerConnection(db, connected));
  // The PostgreSQL client, used through the SQLite client's type (see `Database`).
  const db = new PostgresPrismaClient({ adapter }) as unknown as Database;
  // Connects now (direct-sql.ts needs the connection) and fails here if the server cannot be reached.
  await db.$queryRawUnsafe('SELECT 1');
  return { db, migrations, dialect: 'postgresql' };
}

/**
 * Statistics for SQLite's query planner (sqlite_stat1), without which it guesses which index to use:
 * `PRAGMA optimize` analyses only the tables whose statistics are missing or stale, and
 * `analysis_limit` makes it sample instead of reading whole tables, so it takes milliseconds at any
 * size. At opening (0x10002: also tables never analysed), then every few hours (main.ts), as
 * SQLite's documentation recommends for long-running applications. PostgreSQL's autovacuum keeps
 * its own statistics: nothing to do there.
 */
export async function optimizeDatabase(db: Database, options: { opening?: boolean } = {}): Promise<void> {
  if (connectionOf(db)?.provider === 'postgres') return;
  await db.$queryRawUnsafe('PRAGMA analysis_limit = 400');
  await db.$executeRawUnsafe(options.opening ? 'PRAGMA optimize = 0x10002' : 'PRAGMA optimize');
}
