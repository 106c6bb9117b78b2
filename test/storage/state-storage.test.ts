import { describe, expect, it } from 'vitest';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type { Database } from '../../src/storage/database.ts';
import { PrismaStorage } from '../../src/storage/state-storage.ts';
import { connectionOf, registerConnection } from '../../src/storage/direct-sql.ts';
import { useTestDatabase } from '../support/cozum.ts';

let db: Database;
useTestDatabase((opened) => (db = opened));

describe('botbuilder Storage on the database', () => {
  it('reads back what it wrote, with a fresh eTag', async () => {
    const storage = new PrismaStorage(db);
    await storage.write({ 'test/conversations/1': { dialogStack: [{ id: 'complaint' }], slots: { mahalle: 'Erzene' } } });
    const items = await storage.read(['test/conversations/1', 'missing']);
    expect(items['test/conversations/1']).toMatchObject({ dialogStack: [{ id: 'complaint' }], slots: { mahalle: 'Erzene' } });
    expect(items['test/conversations/1']!.eTag).toEqual(expect.any(String));
    expect(items.missing).toBeUndefined();
  });

  it('keeps data across a new Storage instance (a restart)', async () => {
    await new PrismaStorage(db).write({ k: { value: 42 } });
    expect((await new PrismaStorage(db).read(['k'])).k).toMatchObject({ value: 42 });
  });

  it('refuses a write with a stale eTag and accepts the current one or *', async () => {
    const storage = new PrismaStorage(db);
    await storage.write({ e: { n: 1 } });
    const first = (await storage.read(['e'])).e!;
    await storage.write({ e: { ...first, n: 2 } });
    await expect(storage.write({ e: { ...first, n: 3 } })).rejects.toThrow(/eTag conflict/);
    const current = (await storage.read(['e'])).e!;
    expect(current.n).toBe(2);
    await storage.write({ e: { ...current, n: 4 } });
    await storage.write({ e: { n: 5, eTag: '*' } });
    expect((await storage.read(['e'])).e!.n).toBe(5);
  });

  it('deletes', async () => {
    const storage = new PrismaStorage(db);
    await storage.write({ d: { x: 1 } });
    await storage.delete(['d']);
    expect(await storage.read(['d'])).toEqual({});
  });
});

/** The same database, with the statements on StateEntry counted as they reach the connection. */
function counted(database: Database) {
  const calls = { reads: 0, writes: 0 };
  const connection = connectionOf(database)!;
  const watched: SqlDriverAdapter = Object.create(connection);
  watched.queryRaw = (query) => {
    if (/^\s*SELECT\b[\s\S]*FROM\s+[`"](?:main[`"]\.[`"])?StateEntry[`"]/i.test(query.sql)) calls.reads++;
    if (/INSERT\s+INTO\s+[`"](?:main[`"]\.[`"])?StateEntry[`"]/i.test(query.sql)) calls.writes++;
    return connection.queryRaw(query);
  };
  watched.executeRaw = (query) => {
    if (/INSERT\s+INTO\s+[`"](?:main[`"]\.[`"])?StateEntry[`"]/i.test(query.sql)) calls.writes++;
    return connection.executeRaw(query);
  };
  const proxy = new Proxy(database, {
    get(target, property) {
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  registerConnection(proxy, watched);
  return { db: proxy, calls };
}

describe('botbuilder Storage on the database, turns at the same moment', () => {
  it('reads the keys of concurrent turns in one query, each turn getting its own items', async () => {
    const { db: countedDb, calls } = counted(db);
    const storage = new PrismaStorage(countedDb);
    for (let i = 0; i < 5; i++) await storage.write({ [`r/${i}`]: { turn: i } });
    calls.reads = 0;
    const results = await Promise.all([
      ...[0, 1, 2, 3, 4].map((i) => storage.read([`r/${i}`])),
      storage.read(['r/0', 'r/missing', 'r/3']),
      storage.read([]),
    ]);
    expect(calls.reads).toBe(1);
    for (let i = 0; i < 5; i++) {
      expect(Object.keys(results[i]!)).toEqual([`r/${i}`]);
      expect(results[i]![`r/${i}`]).toMatchObject({ turn: i, eTag: expect.any(String) });
    }
    expect(Object.keys(results[5]!).sort()).toEqual(['r/0', 'r/3']);
    expect(results[5]!['r/3']).toEqual(results[3]!['r/3']);
    expect(results[6]).toEqual({});
  });

  it('writes concurrent turns in one statement, each with its own new eTag, readable at once', async () => {
    const { db: countedDb, calls } = counted(db);
    const storage = new PrismaStorage(countedDb);
    await storage.write({ 'w/0': { n: 0 } });
    const before = (await storage.read(['w/0']))['w/0']!;
    calls.writes = 0;
    await Promise.all([
      storage.write({ 'w/0': { ...before, n: 10 } }),
      ...[1, 2, 3, 4, 5].map((i) => storage.write({ [`w/${i}`]: { n: i, slots: { mahalle: 'Erzene' } } })),
      storage.write({ 'w/6': { n: 6, eTag: '*' } }),
    ]);
    expect(calls.writes).toBe(1);
    const keys = [0, 1, 2, 3, 4, 5, 6].map((i) => `w/${i}`);
    const items = await storage.read(keys);
    expect(keys.map((key) => items[key]!.n)).toEqual([10, 1, 2, 3, 4, 5, 6]);
    expect(items['w/3']).toMatchObject({ slots: { mahalle: 'Erzene' } });
    const eTags = keys.map((key) => items[key]!.eTag);
    expect(new Set([...eTags, before.eTag]).size).toBe(8);
    const row = await db.stateEntry.findUniqueOrThrow({ where: { key: 'w/3' } });
    expect(JSON.parse(row.value)).toEqual({ n: 3, slots: { mahalle: 'Erzene' } });
    expect(row.updatedAt).toBeInstanceOf(Date);
  });

  it('writes concurrent overwrites (each turn saving its conversation) in one statement, the later of one key last', async () => {
    const { db: countedDb, calls } = counted(db);
    const storage = new PrismaStorage(countedDb);
    await storage.writeJson('o/0', '{"n":0}');
    calls.writes = 0;
    await Promise.all([
      ...[1, 2, 3].map((i) => storage.writeJson(`o/${i}`, JSON.stringify({ n: i, slots: { mahalle: 'Erzene' } }))),
      storage.writeJson('o/0', '{"n":"first"}'),
      storage.writeJson('o/0', '{"n":"second"}'),
      storage.write({ 'o/4': { n: 4, eTag: '*' } }),
    ]);
    expect(calls.writes).toBe(1);
    expect(await storage.readJson('o/0')).toBe('{"n":"second"}');
    expect(await storage.readJson('o/2')).toBe('{"n":2,"slots":{"mahalle":"Erzene"}}');
    expect(await storage.readJson('o/missing')).toBeUndefined();
    const items = await storage.read(['o/3', 'o/4']);
    expect(items['o/3']).toMatchObject({ n: 3, eTag: expect.any(String) });
    expect(items['o/4']).toMatchObject({ n: 4, eTag: expect.any(String) });
    expect((await db.stateEntry.findUniqueOrThrow({ where: { key: 'o/4' } })).updatedAt).toBeInstanceOf(Date);
  });

  it('refuses a stale eTag in a batch for its own caller only', async () => {
    const storage = new PrismaStorage(db);
    await Promise.all(['a', 'b', 'c'].map((k) => storage.write({ [`s/${k}`]: { v: `${k}0` } })));
    const read = await storage.read(['s/a', 's/b', 's/c']);
    await storage.write({ 's/b': { ...read['s/b'], v: 'b1' } });
    const results = await Promise.allSettled([
      storage.write({ 's/a': { ...read['s/a'], v: 'a1' } }),
      storage.write({ 's/b': { ...read['s/b'], v: 'b-stale' } }),
      storage.write({ 's/c': { v: 'c1' } }),
      storage.write({ 's/new': { ...read['s/a'], v: 'new' } }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/"s\/b".*eTag conflict/);
    const items = await storage.read(['s/a', 's/b', 's/c', 's/new']);
    expect(['s/a', 's/b', 's/c', 's/new'].map((key) => items[key]!.v)).toEqual(['a1', 'b1', 'c1', 'new']);
  });

  it('lets only the first of two writes made from the same read win, also in one batch', async () => {
    const storage = new PrismaStorage(db);
    await storage.write({ twice: { step: 'start' } });
    const read = (await storage.read(['twice'])).twice!;
    const [first, second] = await Promise.allSettled([
      storage.write({ twice: { ...read, step: 'first' } }),
      storage.write({ twice: { ...read, step: 'second' } }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(String((second as PromiseRejectedResult).reason)).toMatch(/eTag conflict/);
    expect((await storage.read(['twice'])).twice!.step).toBe('first');
  });

  it('writes several keys of one call all or none', async () => {
    const storage = new PrismaStorage(db);
    await storage.write({ 'm/1': { v: 1 }, 'm/2': { v: 1 } });
    const read = await storage.read(['m/1', 'm/2']);
    await storage.write({ 'm/2': { ...read['m/2'], v: 2 } });
    await expect(storage.write({ 'm/1': { ...read['m/1'], v: 3 }, 'm/2': { ...read['m/2'], v: 3 } })).rejects.toThrow(/eTag conflict/);
    const after = await storage.read(['m/1', 'm/2']);
    expect([after['m/1']!.v, after['m/2']!.v]).toEqual([1, 2]);
  });

  it('deletes what concurrent turns wrote', async () => {
    const storage = new PrismaStorage(db);
    await Promise.all(['x', 'y'].map((k) => storage.write({ [`del/${k}`]: { k } })));
    await storage.delete(['del/x', 'del/y']);
    expect(await Promise.all([storage.read(['del/x']), storage.read(['del/y'])])).toEqual([{}, {}]);
  });
});
