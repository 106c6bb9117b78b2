// A write made outside a transaction while it is open must not be swept into it and lost when it
// rolls back (the SQLite driver adapter shares one connection; storage/serialized-adapter.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { tempDir } from '../support/cozum.ts';

const temp = tempDir();
let db: Database;
beforeAll(async () => {
  ({ db } = await openDatabase(`file:${temp.dir}/tx.db`));
});
afterAll(async () => {
  await db.$disconnect();
  temp.remove();
});

describe('transactions on the shared SQLite connection', () => {
  it('keep a concurrent outside write when they roll back', async () => {
    let outside: Promise<unknown> | undefined;
    const failing = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'inside', value: '{}', eTag: '1' } });
      // Another flow's write, started now (a Prisma query runs when it is awaited or then-ed).
      outside = db.stateEntry.create({ data: { key: 'outside', value: '{}', eTag: '1' } }).then((row) => row);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('rollback');
    });
    await expect(failing).rejects.toThrow('rollback');
    await outside;
    const keys = (await db.stateEntry.findMany({ select: { key: true } })).map((row) => row.key);
    expect(keys).toEqual(['outside']);
  });

  it('keep an outside write when several transactions wait and a later one rolls back', async () => {
    let outside: Promise<unknown> | undefined;
    const first = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'first', value: '{}', eTag: '1' } });
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const second = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'second', value: '{}', eTag: '1' } });
      outside = db.stateEntry.create({ data: { key: 'outside-2', value: '{}', eTag: '1' } }).then((row) => row);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('rollback');
    });
    const third = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'third', value: '{}', eTag: '1' } });
    });
    await first;
    await expect(second).rejects.toThrow('rollback');
    await third;
    await outside;
    const keys = (await db.stateEntry.findMany({ where: { key: { in: ['first', 'second', 'third', 'outside-2'] } }, select: { key: true } })).map((row) => row.key).sort();
    expect(keys).toEqual(['first', 'outside-2', 'third']);
  });

  it('still commit their own writes, and let many run side by side', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.$transaction(async (tx) => {
          await tx.stateEntry.create({ data: { key: `k${i}`, value: '{}', eTag: '1' } });
        }),
      ),
    );
    expect(await db.stateEntry.count({ where: { key: { startsWith: 'k' } } })).toBe(20);
  });
});
