import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { PrismaStorage } from '../../src/storage/state-storage.ts';
import { tempDir } from '../support/cozum.ts';

const temp = tempDir();
let db: Database;
beforeAll(async () => {
  ({ db } = await openDatabase(`file:${temp.dir}/state.db`));
});
afterAll(async () => {
  await db.$disconnect();
  temp.remove();
});

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
