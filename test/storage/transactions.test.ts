// A write made outside a transaction while it is open must not be swept into it and lost when it
// rolls back (the SQLite driver adapter shares one connection; storage/serialized-adapter.ts).
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import type { Database } from '../../src/storage/database.ts';
import { directSql } from '../../src/storage/direct-sql.ts';
import { useTestDatabase } from '../support/cozum.ts';

let db: Database;
useTestDatabase((opened) => (db = opened));

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
    // Watched at once: on PostgreSQL (a connection per transaction) it may fail before the first ends.
    const secondFails = expect(second).rejects.toThrow('rollback');
    const third = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'third', value: '{}', eTag: '1' } });
    });
    await first;
    await secondFails;
    await third;
    await outside;
    const keys = (await db.stateEntry.findMany({ where: { key: { in: ['first', 'second', 'third', 'outside-2'] } }, select: { key: true } })).map((row) => row.key).sort();
    expect(keys).toEqual(['first', 'outside-2', 'third']);
  });

  it('keep a concurrent write sent straight to the connection (direct-sql.ts) when they roll back', async () => {
    const sql = directSql(db);
    let outside: Promise<unknown> | undefined;
    const failing = db.$transaction(async (tx) => {
      await tx.stateEntry.create({ data: { key: 'inside-direct', value: '{}', eTag: '1' } });
      outside = sql.execute(Prisma.sql`INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt") VALUES (${'outside-direct'}, '{}', '1', ${new Date()})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('rollback');
    });
    await expect(failing).rejects.toThrow('rollback');
    expect(await outside).toBe(1);
    const rows = await sql.query<{ key: string; updatedAt: string }>(Prisma.sql`SELECT "key", "updatedAt" FROM "StateEntry" WHERE "key" LIKE ${'%-direct'}`);
    expect(rows.map((row) => row.key)).toEqual(['outside-direct']);
    // Written as Prisma writes dates, so Prisma Client reads it back as a Date.
    const read = await db.stateEntry.findUniqueOrThrow({ where: { key: 'outside-direct' } });
    expect(read.updatedAt).toBeInstanceOf(Date);
    expect(Math.abs(read.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);
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

  it('sent straight to the connection commit together, or not at all, and keep an outside write', async () => {
    const sql = directSql(db);
    const keys = async (pattern: string) =>
      (await sql.query<{ key: string }>(Prisma.sql`SELECT "key" FROM "StateEntry" WHERE "key" LIKE ${pattern} ORDER BY "key"`)).map((row) => row.key);
    const insert = (key: string) => Prisma.sql`INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt") VALUES (${key}, '{}', '1', ${new Date()})`;

    const committed = await sql.transaction(async (tx) => {
      await tx.execute(insert('dtx-a1'));
      await tx.execute(insert('dtx-a2'));
      return (await tx.query<{ n: number }>(Prisma.sql`SELECT COUNT(*) AS n FROM "StateEntry" WHERE "key" LIKE 'dtx-a%'`))[0]!.n;
    });
    expect(Number(committed)).toBe(2);
    expect(await keys('dtx-a%')).toEqual(['dtx-a1', 'dtx-a2']);

    let outside: Promise<unknown> | undefined;
    const failing = sql.transaction(async (tx) => {
      await tx.execute(insert('dtx-b1'));
      outside = Promise.all([sql.execute(insert('dtx-outside-direct')), db.stateEntry.create({ data: { key: 'dtx-outside-prisma', value: '{}', eTag: '1' } })]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.execute(insert('dtx-b1')); // the same key again: the transaction fails here
    });
    await expect(failing).rejects.toThrow();
    await outside;
    expect(await keys('dtx-%')).toEqual(['dtx-a1', 'dtx-a2', 'dtx-outside-direct', 'dtx-outside-prisma']);

    // The connection is free again for both kinds of transaction.
    await sql.transaction((tx) => tx.execute(insert('dtx-c1')));
    await db.$transaction((tx) => tx.stateEntry.create({ data: { key: 'dtx-c2', value: '{}', eTag: '1' } }));
    expect(await keys('dtx-c%')).toEqual(['dtx-c1', 'dtx-c2']);
  });
});
