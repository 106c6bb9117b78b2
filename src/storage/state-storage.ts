// botbuilder's Storage on the database: conversation and user state (dialog stacks, slots,
// pending choices) survive a restart. Writes follow MemoryStorage's eTag rules: an item written
// with a stale eTag is refused, so two turns of one conversation cannot overwrite each other.
import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Database } from './database.ts';

export class PrismaStorage implements Storage {
  constructor(private readonly db: Database) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows = await this.db.stateEntry.findMany({ where: { key: { in: keys } } });
    const items: StoreItems = {};
    for (const row of rows) items[row.key] = { ...JSON.parse(row.value), eTag: row.eTag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.db.$transaction(async (tx) => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag: expected, ...value } = item as { eTag?: string };
        const eTag = randomUUID();
        const json = JSON.stringify(value);
        if (!expected || expected === '*') {
          await tx.stateEntry.upsert({ where: { key }, create: { key, value: json, eTag }, update: { value: json, eTag } });
          continue;
        }
        const existing = await tx.stateEntry.findUnique({ where: { key }, select: { eTag: true } });
        if (!existing) {
          await tx.stateEntry.create({ data: { key, value: json, eTag } });
        } else {
          const { count } = await tx.stateEntry.updateMany({ where: { key, eTag: expected }, data: { value: json, eTag } });
          if (count === 0) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        }
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.db.stateEntry.deleteMany({ where: { key: { in: keys } } });
  }
}
