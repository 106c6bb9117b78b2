// Which database the tests run on. SQLite by default; the `postgresql` project of vitest.config.ts
// (there when TEST_DATABASE_URL names a PostgreSQL server) runs the storage, messaging, handoff and
// console tests again with COZUM_TEST_DIALECT=postgresql, and every database those tests open
// through this file is then a fresh PostgreSQL schema instead of a SQLite file.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Dialect } from '../../src/storage/direct-sql.ts';

export const testDialect: Dialect = process.env.COZUM_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';

/**
 * The run's own database (created and dropped by test/support/postgresql-setup.ts). Every test
 * database is a schema in it: a schema is created and dropped in milliseconds, while each
 * CREATE/DROP DATABASE waits for a checkpoint (seconds on a busy machine).
 */
export function runDatabaseName(): string {
  const run = process.env.COZUM_TEST_RUN;
  if (!run) throw new Error('COZUM_TEST_RUN is not set: run the PostgreSQL tests through vitest.config.ts');
  return `cozum_test_${run}`;
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

/**
 * A PostgreSQL database of its own for a test: a schema (`?schema=`, storage/postgres-url.ts) of
 * the run's database, created by Çözüm's migrations when it first opens it.
 */
export function postgresDatabase(name: string): Promise<string> {
  const url = new URL(databaseOnServer(runDatabaseName()));
  url.searchParams.set('schema', `t_${name}`);
  return Promise.resolve(url.toString());
}

/**
 * The database URL for a test that would use the SQLite file `file`: that file, or on PostgreSQL
 * a schema named after it, so that a test restarting Çözüm on the same folder finds its data
 * again and two test files never share one.
 */
export async function testDatabaseUrl(file: string): Promise<string> {
  if (testDialect === 'sqlite') return `file:${file}`;
  return postgresDatabase(createHash('sha256').update(file).digest('hex').slice(0, 16));
}
