// vitest's global setup when TEST_DATABASE_URL is set: checks that the server answers (a clear
// failure instead of every test timing out), drops what an interrupted earlier run left (run
// databases are named after their run, which starts with its time), and creates this run's
// database (test/support/database.ts), dropped at the end.
import type pg from 'pg';
import { onServer, runDatabaseName } from './database.ts';

const STALE_MS = 6 * 3_600_000;
/** Run ids are `Date.now()` in base 36 followed by 6 random hex digits (vitest.config.ts). */
const startOf = (run: string) => parseInt(run.slice(0, -6), 36);

async function testDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, 'cozum_test_')");
  return rows.map((row) => row.datname);
}

export async function setup(): Promise<() => Promise<void>> {
  // vitest may call a global setup once per project as well as for the root: the first call of the
  // run does the work, and its teardown (at the very end) drops the database.
  if (process.env.COZUM_TEST_DATABASE_CREATED) return async () => undefined;
  process.env.COZUM_TEST_DATABASE_CREATED = '1';
  const database = runDatabaseName();
  try {
    await onServer(async (client) => {
      for (const name of await testDatabases(client)) {
        const run = name.slice('cozum_test_'.length).split('_')[0]!;
        if (Date.now() - startOf(run) > STALE_MS) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
      await client.query(`CREATE DATABASE "${database}"`);
    });
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL did not let the tests create their database: ${(error as Error).message}`, { cause: error });
  }
  return async () => {
    await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  };
}
