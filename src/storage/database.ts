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
  return { db, migrations };
}
