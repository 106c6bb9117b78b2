import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// With TEST_DATABASE_URL (a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres:
// .ci/run sets it), the tests that exercise the database run a second time on PostgreSQL, each
// test file in databases of its own (test/support/database.ts). Without it they run on SQLite
// only, and test/storage/postgresql.test.ts says that PostgreSQL was skipped (and fails under CI).
const postgresql = Boolean(process.env.TEST_DATABASE_URL);
const run = (process.env.COZUM_TEST_RUN ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`);

/** Test files about SQLite itself, and postgresql.test.ts (which tests PostgreSQL on its own). */
const SQLITE_ONLY = [
  'test/storage/postgresql.test.ts',
  'test/storage/schema.test.ts',
  'test/storage/query-plans.test.ts',
  'test/storage/statement-cache.test.ts',
  // The first-admin flow of an installation: a server and `npm run agent:add` finding the same
  // SQLite file through DATA_DIR.
  'test/console/first-admin.test.ts',
  'test/console/agent-add.test.ts',
  'test/console/agent-add-command.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { DOTENV_CONFIG_QUIET: 'true' },
    // The run's PostgreSQL database, for both projects (postgresql.test.ts runs in the sqlite one).
    globalSetup: postgresql ? ['test/support/postgresql-setup.ts'] : [],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(postgresql
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgresql',
                include: [
                  'test/storage/**/*.test.ts',
                  'test/messaging/**/*.test.ts',
                  'test/handoff/**/*.test.ts',
                  'test/console/**/*.test.ts',
                  // Photos, voice notes and files: kept in the database store (MediaContent) shared by instances.
                  'test/media/**/*.test.ts',
                  // The daily figures kept by every ticket write, read back by the reports' PostgreSQL queries.
                  'test/tickets/daily-figures.test.ts',
                ],
                exclude: SQLITE_ONLY,
                env: { DOTENV_CONFIG_QUIET: 'true', COZUM_TEST_DIALECT: 'postgresql', COZUM_TEST_RUN: run },
              },
            },
          ]
        : []),
    ],
  },
});
