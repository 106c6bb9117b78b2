// botbuilder's Storage on the database: conversation and user state (dialog stacks, slots,
// pending choices) survive a restart. Writes follow MemoryStorage's eTag rules: an item written
// with a stale eTag is refused, so two turns of one conversation cannot overwrite each other;
// '*' or no eTag overwrites; every write gets a new eTag.
//
// Every turn reads and writes its conversation's state, so reads and writes of turns running at the
// same moment are batched (src/storage/batcher.ts): one SELECT for all keys requested, and one
// conditional upsert for all single-key writes, without an interactive transaction (which would
// hold back every other query on the shared connection, see serialized-adapter.ts). The upsert
// writes a row only if its stored eTag is still the one the caller read; RETURNING tells which rows
// were written, so a stale eTag fails its own caller only. Rows of one statement are applied in the
// order the writes were made: two writes of the same key from the same read in one batch behave as
// they would one after the other (the first wins, the second is refused). A batch of overwrites only
// (every turn's save: BotState writes with eTag '*') is a plain upsert.
import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { Prisma } from '../generated/prisma/client.ts';
import { Batcher } from './batcher.ts';
import type { Database } from './database.ts';
import { directSql, type DirectSql } from './direct-sql.ts';

interface StoredRow {
  key: string;
  value: string;
  eTag: string;
}

interface PendingWrite {
  key: string;
  value: string;
  /** The eTag this write creates (unique: it also identifies the write in RETURNING). */
  eTag: string;
  /** The eTag the caller read, or null to overwrite ('*' or none). */
  expected: string | null;
}

/** One state item to store as it is, whatever is stored now. */
export interface StateOverwrite {
  key: string;
  json: string;
  eTag?: string;
}

/** An upsert of StateEntry rows: a row already stored under the key takes the new value and eTag. */
export const STATE_ON_CONFLICT = Prisma.sql`ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "eTag" = excluded."eTag", "updatedAt" = excluded."updatedAt"`;

/** The statement that overwrites state items (a turn's save, see conversation-store.ts `commitTurn`). */
export function overwriteStateSql(items: StateOverwrite[], now: Date): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt")
    VALUES ${Prisma.join(items.map((item) => Prisma.sql`(${item.key}, ${item.json}, ${item.eTag ?? randomUUID()}, ${now})`))}
    ${STATE_ON_CONFLICT}`;
}

const conflict = (key: string) => new Error(`Storage: error writing "${key}" due to eTag conflict.`);

export class PrismaStorage implements Storage {
  private readonly reads: Batcher<string, StoredRow | undefined>;
  private readonly writes: Batcher<PendingWrite, boolean>;
  /** Every turn reads and writes its state: see direct-sql.ts. */
  private readonly sql: DirectSql;

  constructor(private readonly db: Database) {
    this.sql = directSql(db);
    this.reads = new Batcher((keys) => this.readRows(keys), { maxBatch: 500 });
    this.writes = new Batcher((items) => this.writeRows(items), { maxBatch: 200 });
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new Error('Keys are required when reading');
    const rows = await Promise.all(keys.map((key) => this.reads.add(key)));
    const items: StoreItems = {};
    for (const row of rows) if (row) items[row.key] = { ...JSON.parse(row.value), eTag: row.eTag };
    return items;
  }

  /** The stored JSON of one item, without its eTag (see conversation-state.ts). */
  async readJson(key: string): Promise<string | undefined> {
    return (await this.reads.add(key))?.value;
  }

  /** Stores an item given as JSON (without eTag), whatever is stored now ('*'). */
  async writeJson(key: string, json: string): Promise<void> {
    await this.writes.add({ key, value: json, eTag: randomUUID(), expected: null });
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new Error('Changes are required when writing');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    const pending = entries.map(([key, item]): PendingWrite => {
      const { eTag: expected, ...value } = item as { eTag?: string };
      return { key, value: JSON.stringify(value), eTag: randomUUID(), expected: !expected || expected === '*' ? null : expected };
    });
    // Several keys in one call are written all or none, as before: that needs a transaction. botbuilder's
    // BotState saves one key per call, so this path is not taken by turns.
    if (pending.length > 1) return this.writeAtomically(pending);
    const written = await this.writes.add(pending[0]!);
    if (!written) throw conflict(pending[0]!.key);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new Error('Keys are required when deleting');
    if (keys.length === 0) return;
    await this.db.stateEntry.deleteMany({ where: { key: { in: keys } } });
  }

  private async readRows(keys: string[]): Promise<(StoredRow | undefined)[]> {
    const rows = await this.sql.query<StoredRow>(
      Prisma.sql`SELECT "key", "value", "eTag" FROM "StateEntry" WHERE "key" IN (${Prisma.join([...new Set(keys)])})`,
    );
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return keys.map((key) => byKey.get(key));
  }

  /** One statement for all writes of a batch; true for each write that was applied. */
  private async writeRows(items: PendingWrite[]): Promise<boolean[]> {
    const now = new Date();
    if (items.every((item) => item.expected === null)) {
      // Only overwrites (every turn's save): nothing to check, every row is written. One row per
      // key, the later write's: PostgreSQL refuses to update one row twice in a statement.
      const latest = new Map(items.map((item) => [item.key, { key: item.key, json: item.value, eTag: item.eTag }]));
      await this.sql.execute(overwriteStateSql([...latest.values()], now));
      return items.map(() => true);
    }
    const pending = Prisma.join(items.map((item) => Prisma.sql`(${item.key}, ${item.value}, ${item.eTag}, ${item.expected})`));
    // `WHERE true` resolves the parsing ambiguity between INSERT … SELECT and ON CONFLICT. On a
    // conflict the stored row is updated only if its eTag is the one this write expected (none: always).
    const rows = await this.sql.query<{ eTag: string }>(Prisma.sql`
      WITH "pending" ("key", "value", "eTag", "expected") AS (VALUES ${pending})
      INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt")
      SELECT "key", "value", "eTag", ${now} FROM "pending" WHERE true
      ${STATE_ON_CONFLICT}
      WHERE COALESCE((SELECT "pending"."expected" FROM "pending" WHERE "pending"."eTag" = excluded."eTag"), "StateEntry"."eTag") = "StateEntry"."eTag"
      RETURNING "eTag"`);
    const written = new Set(rows.map((row) => row.eTag));
    return items.map((item) => written.has(item.eTag));
  }

  private async writeAtomically(pending: PendingWrite[]): Promise<void> {
    await this.db.$transaction(async (tx) => {
      for (const { key, value, eTag, expected } of pending) {
        if (expected === null) {
          await tx.stateEntry.upsert({ where: { key }, create: { key, value, eTag }, update: { value, eTag } });
          continue;
        }
        const existing = await tx.stateEntry.findUnique({ where: { key }, select: { eTag: true } });
        if (!existing) {
          await tx.stateEntry.create({ data: { key, value, eTag } });
        } else {
          const { count } = await tx.stateEntry.updateMany({ where: { key, eTag: expected }, data: { value, eTag } });
          if (count === 0) throw conflict(key);
        }
      }
    });
  }
}
