// A batch of turns' writes on PostgreSQL, where several instances share the database, as ONE
// statement: each turn's replies, its message's processed mark (with what the NLU made of it) and
// its conversation state are written only if that message is still unanswered, i.e. another
// instance did not answer it first (this one's lease lapsed during a long pause,
// ../ownership.ts). It used to be a transaction of six round trips (BEGIN, SELECT … FOR UPDATE,
// the INSERT, the UPDATE, the state's upsert, COMMIT) on every turn batch, about one and a half
// statements per message with two instances; one statement is one round trip and commits alone.
//
// How: the data-modifying CTEs of one statement share its snapshot and its transaction. `open`
// locks the batch's messages still 'received' (FOR UPDATE re-reads a row another transaction
// changed meanwhile, so a message answered elsewhere is not in it); every write below is filtered
// by its turn's message being in `open`, as the transaction's `keep` filter did. Rows that belong to
// no answered message (proactive turns) are always written. SQLite has one process and no fence.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { STATE_ON_CONFLICT, type StateOverwrite } from '../../storage/state-storage.ts';
import { outboundPayload, type OutboundRow, type Understanding } from './rows.ts';

export interface TurnWrite {
  replies: OutboundRow[];
  /** The inbound message to mark processed, with what the NLU made of it. */
  processed?: { id: string; understanding?: Understanding };
  /** The conversation state the turn saved (storage/conversation-state.ts): stored with the replies. */
  state: StateOverwrite[];
}

/** Bound values per statement: well under PostgreSQL's limit of 65,535. */
const VALUES_PER_STATEMENT = 30_000;

function valuesOf(item: TurnWrite): number {
  return 1 + item.replies.length * 10 + (item.processed ? 4 : 0) + item.state.length * 4;
}

/**
 * The batch cut into statements: each under the bound values' limit, and a state key written once
 * per statement (PostgreSQL's upsert cannot change one row twice; the later save, in a later
 * statement, wins as it would one after the other). A turn is never cut.
 */
export function fencedGroups(items: TurnWrite[]): TurnWrite[][] {
  const groups: TurnWrite[][] = [];
  let group: TurnWrite[] = [];
  let values = 0;
  let keys = new Set<string>();
  for (const item of items) {
    const size = valuesOf(item);
    if (group.length > 0 && (values + size > VALUES_PER_STATEMENT || item.state.some((entry) => keys.has(entry.key)))) {
      groups.push(group);
      group = [];
      values = 0;
      keys = new Set();
    }
    group.push(item);
    values += size;
    for (const entry of item.state) keys.add(entry.key);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** The statement for one group; it returns the ids of the messages it marked processed. */
export function fencedTurnsSql(items: TurnWrite[], now: Date): Prisma.Sql {
  const ids = items.flatMap((item) => (item.processed ? [item.processed.id] : []));
  const turnOf = (item: TurnWrite) => item.processed?.id ?? null;
  // Untyped parameters in VALUES are text to PostgreSQL: the other types are cast where used.
  const replies = items.flatMap((item) =>
    item.replies.map(
      (row) =>
        Prisma.sql`(${row.id}, ${row.conversationId}, ${row.author}, ${row.authorName ?? null}, ${row.replyToId ?? null}, ${row.message.text}, ${outboundPayload(row.message)}, ${row.status}, ${row.createdAt}, ${turnOf(item)})`,
    ),
  );
  const done = items.flatMap((item) => (item.processed ? [Prisma.sql`(${item.processed.id}, ${item.processed.understanding?.intent ?? null}, ${item.processed.understanding?.confidence ?? null})`] : []));
  const state = items.flatMap((item) => item.state.map((entry) => Prisma.sql`(${entry.key}, ${entry.json}, ${entry.eTag ?? randomUUID()}, ${turnOf(item)})`));
  const kept = Prisma.sql`("turn" IS NULL OR "turn" IN (SELECT "id" FROM "open"))`;
  const parts = [
    ids.length > 0
      ? Prisma.sql`"open" AS (SELECT "id" FROM "Message" WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'received' FOR UPDATE)`
      : Prisma.sql`"open" AS (SELECT "id" FROM "Message" WHERE false)`,
  ];
  if (replies.length > 0) {
    parts.push(Prisma.sql`"reply" ("id", "conversationId", "author", "authorName", "replyToId", "text", "payload", "status", "createdAt", "turn") AS (VALUES ${Prisma.join(replies)})`);
    parts.push(Prisma.sql`"replies" AS (INSERT INTO "Message" ("id", "conversationId", "direction", "author", "authorName", "replyToId", "text", "payload", "status", "attempts", "createdAt")
      SELECT "id", "conversationId", 'out', "author", "authorName", "replyToId", "text", "payload", "status", 0, CAST("createdAt" AS TIMESTAMP(3)) FROM "reply" WHERE ${kept}
      ON CONFLICT DO NOTHING)`);
  }
  if (done.length > 0) {
    parts.push(Prisma.sql`"done" ("id", "intent", "confidence") AS (VALUES ${Prisma.join(done)})`);
    parts.push(Prisma.sql`"processed" AS (UPDATE "Message" SET "status" = 'processed',
        "intent" = COALESCE("done"."intent", "Message"."intent"),
        "confidence" = COALESCE(CAST("done"."confidence" AS DOUBLE PRECISION), "Message"."confidence")
      FROM "done" WHERE "Message"."id" = "done"."id" AND "Message"."id" IN (SELECT "id" FROM "open"))`);
  }
  if (state.length > 0) {
    // As storage/state-storage.ts overwriteStateSql: the item stored as it is, whatever is stored now.
    parts.push(Prisma.sql`"saved" ("key", "value", "eTag", "turn") AS (VALUES ${Prisma.join(state)})`);
    parts.push(Prisma.sql`"state" AS (INSERT INTO "StateEntry" ("key", "value", "eTag", "updatedAt")
      SELECT "key", "value", "eTag", ${now} FROM "saved" WHERE ${kept}
      ${STATE_ON_CONFLICT})`);
  }
  return Prisma.sql`WITH ${Prisma.join(parts, ',\n')} SELECT "id" FROM "open"`;
}
