// A conversation's messages in order, as the web chat page shows them again after a reload.
import type { Database } from '../../storage/database.ts';

/** Messages of a conversation in order, optionally only those after a given message. */
export async function transcript(db: Database, conversationId: string, options: { afterId?: string; limit?: number } = {}) {
  let after: Date | undefined;
  if (options.afterId) {
    const anchor = await db.message.findFirst({ where: { id: options.afterId, conversationId }, select: { createdAt: true } });
    after = anchor?.createdAt;
  }
  const rows = await db.message.findMany({
    where: { conversationId, ...(after ? { createdAt: { gte: after } } : {}) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: options.limit ?? 500,
  });
  return options.afterId ? rows.slice(rows.findIndex((row) => row.id === options.afterId) + 1) : rows;
}
