// Applies the SQL migrations at start-up, so that a fresh clone needs no manual step (Prisma's own
// `migrate` needs an engine binary that cannot be downloaded everywhere). One folder per dialect,
// in Prisma's layout: prisma/migrations (SQLite) and prisma/postgresql/migrations (PostgreSQL),
// each with its own migration_lock.toml.
// Applied migrations are recorded in Prisma's own `_prisma_migrations` table with the same
// checksum Prisma uses, so `prisma migrate deploy` agrees with what was done here.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { postgresConnection } from './postgres-url.ts';

const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma');
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
export const POSTGRESQL_MIGRATIONS_DIR = path.join(PRISMA_DIR, 'postgresql/migrations');

/** The migrations folder of a database. */
export function migrationsDirOf(dialect: 'sqlite' | 'postgresql'): string {
  return dialect === 'postgresql' ? POSTGRESQL_MIGRATIONS_DIR : MIGRATIONS_DIR;
}

/**
 * The advisory lock `prisma migrate deploy` itself takes on PostgreSQL (its schema engine's
 * constant), so that two instances starting together, or an instance and an operator's
 * `prisma migrate deploy`, apply each migration once.
 */
export const MIGRATION_LOCK_KEY = 72707369;

export interface AppliedMigrations {
  /** Names applied by this call. */
  applied: string[];
  /** All names recorded in the database afterwards. */
  total: number;
}

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => ({ name: entry.name, sql: readFileSync(path.join(dir, entry.name, 'migration.sql'), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex');

export function applyMigrations(file: string, dir = MIGRATIONS_DIR): AppliedMigrations {
  const sqlite = new BetterSqlite3(file);
  try {
    sqlite.pragma('busy_timeout = 10000');
    sqlite.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const done = new Set(
      (sqlite.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as { migration_name: string }[]).map(
        (row) => row.migration_name,
      ),
    );
    const applied: string[] = [];
    for (const migration of listMigrations(dir)) {
      if (done.has(migration.name)) continue;
      // One transaction per migration: a failing one leaves the database as it was.
      sqlite.transaction(() => {
        sqlite.exec(migration.sql);
        sqlite
          .prepare(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
             VALUES (?, ?, current_timestamp, ?, 1, current_timestamp)`,
          )
          .run(randomUUID(), checksumOf(migration.sql), migration.name);
      }).immediate();
      applied.push(migration.name);
    }
    return { applied, total: done.size + applied.length };
  } finally {
    sqlite.close();
  }
}

/**
 * PostgreSQL's migrations, under the advisory lock: a second instance waits for the first to
 * finish, then finds everything applied. DDL is transactional in PostgreSQL, so as on SQLite a
 * failing migration leaves the database as it was.
 */
export async function applyPostgresMigrations(url: string, dir = POSTGRESQL_MIGRATIONS_DIR): Promise<AppliedMigrations> {
  const { connectionString, schema } = postgresConnection(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    // As Prisma's migrate does: the schema named by the URL is created when missing.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // Prisma's own definition of the table (what `prisma migrate deploy` creates on PostgreSQL).
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(rows.map((row) => row.migration_name));
    const applied: string[] = [];
    for (const migration of listMigrations(dir)) {
      if (done.has(migration.name)) continue;
      await client.query('BEGIN');
      try {
        // No parameters: the simple query protocol runs every statement of the file.
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), checksumOf(migration.sql), migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
    return { applied, total: done.size + applied.length };
  } finally {
    // Ending the session releases the advisory lock too, also when a migration failed.
    await client.end();
  }
}
