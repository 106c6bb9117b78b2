// PostgreSQL's side of the storage layer on a real server (TEST_DATABASE_URL, which .ci/run
// sets): prisma/postgresql/migrations agree with schema.prisma exactly as schema.test.ts holds
// SQLite's, two instances starting together apply each migration once (the advisory lock), and
// direct SQL returns dates and counts as it does on SQLite.
//
// Without TEST_DATABASE_URL this says "skipped: no PostgreSQL"; under CI=true that fails instead.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { directSql, storedDate } from '../../src/storage/direct-sql.ts';
import { POSTGRESQL_MIGRATIONS_DIR } from '../../src/storage/migrate.ts';
import { postgresConnection } from '../../src/storage/postgres-url.ts';
import { postgresDatabase } from '../support/database.ts';
import { expectedForeignKeys, expectedIndexes, parseSchema, primaryKeyFields, POSTGRES_TYPES } from '../support/prisma-schema.ts';
import { serverFor } from '../support/servers.ts';

const server = serverFor('TEST_DATABASE_URL', { server: 'PostgreSQL', example: 'postgresql://postgres@127.0.0.1:5432/postgres', tests: 'the PostgreSQL tests' });

const MIGRATIONS = readdirSync(POSTGRESQL_MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

describe.skipIf(!server)('PostgreSQL: schema.prisma and prisma/postgresql/migrations agree', () => {
  const schema = parseSchema(readFileSync('prisma/schema.prisma', 'utf8'));
  let client: pg.Client;
  beforeAll(async () => {
    const url = await postgresDatabase('schema');
    const { db } = await openDatabase(url);
    await db.$disconnect();
    client = new pg.Client({ connectionString: postgresConnection(url).connectionString });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });
  const rows = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => (await client.query<Row>(sql, values)).rows;

  it('has exactly the schema\'s tables', async () => {
    const tables = await rows<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`);
    expect(tables.map((t) => t.name).sort()).toEqual(schema.map((m) => m.name).sort());
  });

  it('has one column per scalar field, with the right type, optionality and primary key, in every table', async () => {
    for (const model of schema) {
      const columns = await rows<{ name: string; type: string; nullable: string }>(
        `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        [model.name],
      );
      const primary = await rows<{ name: string }>(
        `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary`,
        [`"${model.name}"`],
      );
      const scalars = model.fields.filter((f) => !f.relation && !f.list);
      expect(columns.map((c) => c.name).sort(), model.name).toEqual(scalars.map((f) => f.name).sort());
      for (const field of scalars) {
        const column = columns.find((c) => c.name === field.name)!;
        expect(column.type, `${model.name}.${field.name} type`).toBe(POSTGRES_TYPES[field.type]);
        expect(column.nullable === 'NO', `${model.name}.${field.name} NOT NULL`).toBe(!field.optional);
        expect(primary.some((p) => p.name === field.name), `${model.name}.${field.name} primary key`).toBe(primaryKeyFields(model).includes(field.name));
      }
    }
  });

  it('has the unique constraints and indexes of the schema, in every table', async () => {
    for (const model of schema) {
      const indexes = await rows<{ unique: boolean; columns: string[] }>(
        `SELECT i.indisunique AS unique,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisprimary`,
        [`"${model.name}"`],
      );
      const described = indexes.map((i) => `${i.unique ? 'unique' : 'index'}(${i.columns.join(',')})`).sort();
      expect(described, model.name).toEqual(expectedIndexes(model));
    }
  });

  it('has the foreign keys of the schema\'s relations, in every table', async () => {
    const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
    for (const model of schema) {
      const keys = await rows<{ from: string; table: string; to: string; action: string }>(
        `SELECT a.attname AS "from", t.relname AS "table", b.attname AS "to", c.confdeltype AS action
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1]
         WHERE c.conrelid = $1::regclass AND c.contype = 'f'`,
        [`"${model.name}"`],
      );
      expect(keys.map((k) => `${k.from}->${k.table}.${k.to} ${ACTIONS[k.action]}`).sort(), model.name).toEqual(expectedForeignKeys(model));
    }
  });
});

describe.skipIf(!server)('PostgreSQL: migrations at start-up', () => {
  it('are applied once when two instances start together, recorded as Prisma does, and not applied again', async () => {
    const url = await postgresDatabase('race');
    const [first, second] = await Promise.all([openDatabase(url), openDatabase(url)]);
    try {
      // Whichever took the advisory lock first applied everything; the other found it done.
      expect([first.migrations.applied, second.migrations.applied].sort((a, b) => b.length - a.length)).toEqual([MIGRATIONS, []]);
      expect(first.migrations.total).toBe(MIGRATIONS.length);
      expect(second.dialect).toBe('postgresql');
      const recorded = await first.db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>('SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name');
      expect(recorded.map((row) => row.migration_name)).toEqual(MIGRATIONS);
      expect(recorded[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await Promise.all([first.db.$disconnect(), second.db.$disconnect()]);
    }
    const third = await openDatabase(url);
    expect(third.migrations).toEqual({ applied: [], total: MIGRATIONS.length });
    await third.db.$disconnect();
  });
});

describe.skipIf(!server)('PostgreSQL: direct SQL', () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await openDatabase(await postgresDatabase('direct')));
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('returns dates as the text SQLite stores and counts as numbers', async () => {
    // A whole second: PostgreSQL prints it without fractional digits, SQLite's text has three.
    const createdAt = new Date('2026-12-07T06:26:46.000Z');
    const contact = await db.contact.create({ data: { channel: 'test', platformUserId: 'u1', createdAt, consentAt: new Date('2026-12-07T06:26:46.620Z') } });
    const sql = directSql(db);
    expect(sql.dialect).toBe('postgresql');
    const [row] = await sql.query<{ createdAt: string; consentAt: string; n: number }>(
      Prisma.sql`SELECT "createdAt", "consentAt", (SELECT COUNT(*) FROM "Contact") AS n FROM "Contact" WHERE "id" = ${contact.id}`,
    );
    expect(row).toEqual({ createdAt: storedDate(createdAt), consentAt: '2026-12-07T06:26:46.620+00:00', n: 1 });
  });
});

describe('PostgreSQL URLs', () => {
  it('turn Prisma\'s ?schema= into the connection\'s search path, and refuse a schema that is not a plain name', () => {
    expect(postgresConnection('postgresql://cozum:gizli@db.example:5432/cozum')).toEqual({ connectionString: 'postgresql://cozum:gizli@db.example:5432/cozum' });
    const { connectionString, schema } = postgresConnection('postgresql://cozum@db.example/belediye?schema=cozum&sslmode=require');
    expect(schema).toBe('cozum');
    const parsed = new URL(connectionString);
    expect(parsed.searchParams.get('options')).toBe('-c search_path=cozum');
    expect(parsed.searchParams.get('sslmode')).toBe('require');
    expect(parsed.searchParams.has('schema')).toBe(false);
    expect(() => postgresConnection('postgresql://db.example/cozum?schema=a";DROP')).toThrow(/plain identifier/);
  });
});
