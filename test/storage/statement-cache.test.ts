// Compiled statements are kept by their text (storage/statement-cache.ts): what Prisma Client and
// direct-sql.ts read and write must be exactly what they would without the cache.
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import type { Database } from '../../src/storage/database.ts';
import { connectionOf, directSql } from '../../src/storage/direct-sql.ts';
import { StatementCache, statementCacheOf } from '../../src/storage/statement-cache.ts';
import { useTestDatabase } from '../support/cozum.ts';

let db: Database;
useTestDatabase((opened) => (db = opened));

describe('the statement cache of the database connection', () => {
  it('compiles a statement once and binds fresh arguments at every run', async () => {
    const cache = statementCacheOf(connectionOf(db)!)!;
    const sql = directSql(db);
    const read = (key: string) => sql.query<{ key: string; value: string }>(Prisma.sql`SELECT "key", "value" FROM "StateEntry" WHERE "key" = ${key}`);
    for (const key of ['s1', 's2', 's3']) {
      await sql.execute(Prisma.sql`INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt") VALUES (${key}, ${`{"n":"${key}"}`}, '1', ${new Date()})`);
    }
    const misses = cache.misses;
    expect(await read('s1')).toEqual([{ key: 's1', value: '{"n":"s1"}' }]);
    expect(await read('s3')).toEqual([{ key: 's3', value: '{"n":"s3"}' }]);
    expect(await read('nothing')).toEqual([]);
    expect(await read('s2')).toEqual([{ key: 's2', value: '{"n":"s2"}' }]);
    expect(cache.misses - misses).toBeLessThanOrEqual(1);
  });

  it('serves Prisma Client: the same query with other arguments, writes, and transactions', async () => {
    const cache = statementCacheOf(connectionOf(db)!)!;
    const contact = await db.contact.create({ data: { channel: 'test', platformUserId: 'önbellek-1', displayName: 'Ayşe' } });
    await db.contact.create({ data: { channel: 'test', platformUserId: 'önbellek-2', displayName: 'Mehmet' } });
    const hits = cache.hits;
    expect((await db.contact.findUniqueOrThrow({ where: { id: contact.id } })).displayName).toBe('Ayşe');
    expect((await db.contact.findFirstOrThrow({ where: { platformUserId: 'önbellek-2' } })).displayName).toBe('Mehmet');
    await db.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: contact.id }, data: { displayName: 'Ayşe Yılmaz' } });
      expect((await tx.contact.findUniqueOrThrow({ where: { id: contact.id } })).displayName).toBe('Ayşe Yılmaz');
    });
    expect((await db.contact.findUniqueOrThrow({ where: { id: contact.id } })).displayName).toBe('Ayşe Yılmaz');
    expect(cache.hits).toBeGreaterThan(hits);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const sqlite = new Sqlite(':memory:');
    try {
      const compiled: string[] = [];
      const cache = new StatementCache((sql) => (compiled.push(sql), sqlite.prepare(sql)), 2);
      const value = (sql: string) => (cache.prepare(sql).bind([]).raw().all() as unknown[][])[0]![0];
      expect(value('SELECT 1')).toBe(1);
      expect(value('SELECT 2')).toBe(2);
      expect(value('SELECT 1')).toBe(1); // now the most recent
      expect(value('SELECT 3')).toBe(3); // drops SELECT 2
      expect(value('SELECT 1')).toBe(1);
      expect(value('SELECT 2')).toBe(2);
      expect(compiled).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
      expect(cache.size).toBe(2);
    } finally {
      sqlite.close();
    }
  });
});
