// schema.prisma and the SQL migrations are written separately (Prisma's migrate cannot run
// everywhere), so this test holds them together: every model, field, optionality, type, unique
// constraint, index and foreign key of the schema must exist in a database built from the SQL,
// and nothing more. PostgreSQL's migrations are held to it in postgresql.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { tempDir } from '../support/cozum.ts';
import { expectedForeignKeys, expectedIndexes, parseSchema, primaryKeyFields, SQLITE_TYPES } from '../support/prisma-schema.ts';

const schema = parseSchema(readFileSync('prisma/schema.prisma', 'utf8'));
const temp = tempDir();
const file = `${temp.dir}/schema.db`;
applyMigrations(file);
const sqlite = new BetterSqlite3(file, { readonly: true });
afterAll(() => { sqlite.close(); temp.remove(); });

type Column = { name: string; type: string; notnull: number; pk: number };
type IndexRow = { name: string; unique: number; origin: string };

describe('schema.prisma and prisma/migrations agree', () => {
  it('has exactly the schema\'s tables', () => {
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as { name: string }[]).map((t) => t.name);
    expect(tables.sort()).toEqual(schema.map((m) => m.name).sort());
  });

  for (const model of schema) {
    describe(model.name, () => {
      const columns = sqlite.prepare(`PRAGMA table_info("${model.name}")`).all() as Column[];
      const scalars = model.fields.filter((f) => !f.relation && !f.list);

      it('has one column per scalar field, with the right type, optionality and primary key', () => {
        expect(columns.map((c) => c.name).sort()).toEqual(scalars.map((f) => f.name).sort());
        for (const field of scalars) {
          const column = columns.find((c) => c.name === field.name)!;
          expect(column.type, `${model.name}.${field.name} type`).toBe(SQLITE_TYPES[field.type]);
          expect(column.notnull === 1 || column.pk === 1, `${model.name}.${field.name} NOT NULL`).toBe(!field.optional);
          expect(column.pk > 0, `${model.name}.${field.name} primary key`).toBe(primaryKeyFields(model).includes(field.name));
        }
      });

      it('has the unique constraints and indexes of the schema', () => {
        const indexes = sqlite.prepare(`PRAGMA index_list("${model.name}")`).all() as IndexRow[];
        const described = indexes
          .filter((i) => i.origin !== 'pk')
          .map((i) => {
            const cols = (sqlite.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name);
            return `${i.unique ? 'unique' : 'index'}(${cols.join(',')})`;
          })
          .sort();
        expect(described).toEqual(expectedIndexes(model));
      });

      it('has the foreign keys of the schema\'s relations', () => {
        const keys = (sqlite.prepare(`PRAGMA foreign_key_list("${model.name}")`).all() as { table: string; from: string; to: string; on_delete: string }[])
          .map((k) => `${k.from}->${k.table}.${k.to} ${k.on_delete}`)
          .sort();
        expect(keys).toEqual(expectedForeignKeys(model));
      });
    });
  }
});

describe('migrations at start-up', () => {
  /** Every migration folder, in the order Prisma applies them (by name). */
  const MIGRATIONS = readdirSync('prisma/migrations', { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

  it('build an empty database, record themselves as Prisma does, and are not applied twice', async () => {
    const dir = tempDir();
    try {
      const url = `file:${dir.dir}/nested/folder/cozum.db`;
      const first = await openDatabase(url);
      expect(first.migrations.applied).toEqual(MIGRATIONS);
      expect(MIGRATIONS.slice(0, 3)).toEqual(['20261124000000_init', '20261124020000_agents_handoff_outbox', '20261124160000_message_status_index']);
      expect(await first.db.contact.count()).toBe(0);
      const recorded = await first.db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>('SELECT migration_name, checksum FROM _prisma_migrations');
      expect(recorded.map((row) => row.migration_name)).toEqual(MIGRATIONS);
      expect(recorded[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
      await first.db.$disconnect();

      const second = await openDatabase(url);
      expect(second.migrations).toEqual({ applied: [], total: MIGRATIONS.length });
      await second.db.$disconnect();
    } finally {
      dir.remove();
    }
  });
});
