// vitest's global setup when TEST_DATABASE_URL is set: checks that the server answers (a clear
// failure instead of every test timing out), drops what an interrupted earlier run left (test
// databases are named after their run, which starts with its time), and drops this run's
// databases at its end.
import { onServer, testDatabasePrefix } from './database.ts';

const STALE_MS = 6 * 3_600_000;
/** Run ids are `Date.now()` in base 36 followed by 6 random hex digits (vitest.config.ts). */
const startOf = (run: string) => parseInt(run.slice(0, -6), 36);

export async function setup(): Promise<() => Promise<void>> {
  const names = async (client: import('pg').Client, prefix: string) =>
    (await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])).rows.map((row) => row.datname);
  try {
    await onServer(async (client) => {
      for (const name of await names(client, 'cozum_test_')) {
        const run = name.slice('cozum_test_'.length).split('_')[0]!;
        if (Date.now() - startOf(run) > STALE_MS) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    });
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer there: ${(error as Error).message}`, { cause: error });
  }
  return async () => {
    await onServer(async (client) => {
      for (const name of await names(client, testDatabasePrefix())) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  };
}
