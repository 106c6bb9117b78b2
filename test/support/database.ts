// Which database the tests run on. SQLite by default; the `postgresql` project of vitest.config.ts
// (there when TEST_DATABASE_URL names a PostgreSQL server) runs the storage, messaging, handoff and
// console tests again with COZUM_TEST_DIALECT=postgresql, and every database those tests open
// through this file is then a fresh PostgreSQL database instead of a SQLite file.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Dialect } from '../../src/storage/direct-sql.ts';

export const testDialect: Dialect = process.env.COZUM_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';

/** Test databases of one run share this prefix (set in test/support/postgresql-setup.ts), so the run drops them at its end. */
export function testDatabasePrefix(): string {
  const run = process.env.COZUM_TEST_RUN;
  if (!run) throw new Error('COZUM_TEST_RUN is not set: run the PostgreSQL tests through vitest.config.ts');
  return `cozum_test_${run}_`;
}

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

/** The URL of another database on the test server. */
export function databaseOnServer(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` on a connection to the test server's own database. */
export async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL database of this run, created empty if it does not exist yet. */
export async function postgresDatabase(name: string): Promise<string> {
  const database = `${testDatabasePrefix()}${name}`;
  await onServer(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  });
  return databaseOnServer(database);
}

/**
 * The database URL for a test that would use the SQLite file `file`: that file, or on PostgreSQL
 * a database named after it, so that a test restarting Çözüm on the same folder finds its data
 * again and two test files never share one.
 */
export async function testDatabaseUrl(file: string): Promise<string> {
  if (testDialect === 'sqlite') return `file:${file}`;
  return postgresDatabase(createHash('sha256').update(file).digest('hex').slice(0, 16));
}
