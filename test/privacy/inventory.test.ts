// The KVKK inventory (src/privacy/inventory.ts) has a decision, with its reason, for every table
// and column there is: those of schema.prisma and those of a database built by the migrations. A
// column added without a decision fails here (and does not compile).
import { readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { INVENTORY, OTHER_TABLES, reasonOf, type Decision } from '../../src/privacy/inventory.ts';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { tempDir } from '../support/cozum.ts';
import { parseSchema } from '../support/prisma-schema.ts';

const schema = parseSchema(readFileSync('prisma/schema.prisma', 'utf8'));
const inventory = INVENTORY as Record<string, { rows: string; columns: Record<string, Decision> }>;

const temp = tempDir();
const file = `${temp.dir}/inventory.db`;
applyMigrations(file);
const sqlite = new BetterSqlite3(file, { readonly: true });
afterAll(() => {
  sqlite.close();
  temp.remove();
});

describe('the KVKK inventory', () => {
  it('has every model of schema.prisma, and every scalar column of each, and nothing else', () => {
    expect(Object.keys(inventory).sort()).toEqual(schema.map((model) => model.name).sort());
    for (const model of schema) {
      const columns = model.fields.filter((field) => !field.relation && !field.list).map((field) => field.name);
      expect(Object.keys(inventory[model.name]!.columns).sort(), model.name).toEqual(columns.sort());
    }
  });

  it('has every table and column of the migrated database', () => {
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    expect(tables.sort()).toEqual([...Object.keys(inventory), ...Object.keys(OTHER_TABLES)].sort());
    for (const table of Object.keys(inventory)) {
      const columns = (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      expect(columns.sort(), table).toEqual(Object.keys(inventory[table]!.columns).sort());
    }
  });

  it('says for every decision why, and which rows of each table are the citizen\'s', () => {
    for (const [model, { rows, columns }] of Object.entries(inventory)) {
      expect(rows.length, model).toBeGreaterThan(3);
      for (const [column, decision] of Object.entries(columns)) expect(reasonOf(decision).length, `${model}.${column}`).toBeGreaterThanOrEqual(5);
    }
  });
});
