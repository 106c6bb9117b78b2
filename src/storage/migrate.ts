// Applies the SQL migrations in prisma/migrations at start-up, so that a fresh clone needs no
// manual step (Prisma's own `migrate` needs an engine binary that cannot be downloaded everywhere).
// Applied migrations are recorded in Prisma's own `_prisma_migrations` table with the same
// checksum Prisma uses, so `prisma migrate deploy` agrees with what was done here.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

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
      const checksum = createHash('sha256').update(migration.sql).digest('hex');
      // One transaction per migration: a failing one leaves the database as it was.
      sqlite.transaction(() => {
        sqlite.exec(migration.sql);
        sqlite
          .prepare(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
             VALUES (?, ?, current_timestamp, ?, 1, current_timestamp)`,
          )
          .run(randomUUID(), checksum, migration.name);
      }).immediate();
      applied.push(migration.name);
    }
    return { applied, total: done.size + applied.length };
  } finally {
    sqlite.close();
  }
}
