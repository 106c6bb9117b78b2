// The daily figures in the database (storage/figure-delta.ts says what a ticket counts for): the
// statements that add a delta, the mark of the rebuild, and the tickets read in the figures' shape.
import { Prisma } from '../generated/prisma/client.ts';
import type { DirectStatements } from './direct-sql.ts';
import { FIGURE_TICKETS_FROM, FigureDelta, figureTicket, type FigureTicket, type FigureTicketRow, type Stored } from './figure-delta.ts';

/** Rows per INSERT statement: well under SQLite's and PostgreSQL's limits on bound values. */
const ROWS_PER_STATEMENT = 150;

/** The statements that add `delta` to the daily rows (none for a change the figures do not see). */
export function deltaStatements(delta: FigureDelta): Prisma.Sql[] {
  const counts = [...delta.counts.values()].filter((c) => c.count !== 0 || c.resolvedLate !== 0 || c.resolvedOnTime !== 0);
  const durations = [...delta.durations.values()].filter((d) => d.count !== 0);
  const out: Prisma.Sql[] = [];
  for (let i = 0; i < counts.length; i += ROWS_PER_STATEMENT) {
    const rows = counts.slice(i, i + ROWS_PER_STATEMENT).map((c) => Prisma.sql`(${c.span}, ${c.period}, ${c.dimension}, ${c.key}, ${c.count}, ${c.resolvedLate}, ${c.resolvedOnTime})`);
    out.push(Prisma.sql`INSERT INTO "TicketDailyFigure" ("span", "period", "dimension", "key", "count", "resolvedLate", "resolvedOnTime") VALUES ${Prisma.join(rows)}
      ON CONFLICT ("span", "period", "dimension", "key") DO UPDATE SET "count" = "TicketDailyFigure"."count" + excluded."count",
        "resolvedLate" = "TicketDailyFigure"."resolvedLate" + excluded."resolvedLate", "resolvedOnTime" = "TicketDailyFigure"."resolvedOnTime" + excluded."resolvedOnTime"`);
  }
  for (let i = 0; i < durations.length; i += ROWS_PER_STATEMENT) {
    const rows = durations.slice(i, i + ROWS_PER_STATEMENT).map((d) => Prisma.sql`(${d.span}, ${d.period}, ${d.measure}, ${d.bucket}, ${d.count}, ${d.minutes})`);
    out.push(Prisma.sql`INSERT INTO "TicketDailyDuration" ("span", "period", "measure", "bucket", "count", "minutes") VALUES ${Prisma.join(rows)}
      ON CONFLICT ("span", "period", "measure", "bucket") DO UPDATE SET "count" = "TicketDailyDuration"."count" + excluded."count",
        "minutes" = "TicketDailyDuration"."minutes" + excluded."minutes"`);
  }
  return out;
}

/** How far the daily figures hold every ticket (TicketFigureState). */
export interface FigureState {
  complete: boolean;
  /** While rebuilding: the last ticket counted, in (createdAt, id) order, as stored; null before the first. */
  until: { createdAt: Stored; id: string } | null;
}

export async function readFigureState(tx: DirectStatements): Promise<FigureState> {
  const [row] = await tx.query<{ complete: boolean | number | bigint; rebuiltCreatedAt: Stored | null; rebuiltId: string | null }>(
    Prisma.sql`SELECT "complete", "rebuiltCreatedAt", "rebuiltId" FROM "TicketFigureState" WHERE "id" = 1`,
  );
  if (!row) return { complete: false, until: null };
  return { complete: Boolean(Number(row.complete)), until: row.rebuiltCreatedAt !== null && row.rebuiltId !== null ? { createdAt: row.rebuiltCreatedAt, id: row.rebuiltId } : null };
}

/** Whether the daily rows already hold `ticket` (all do once complete; while rebuilding, those up to the mark). */
export function isCounted(state: FigureState, ticket: FigureTicket): boolean {
  if (state.complete) return true;
  if (!state.until) return false;
  const until = new Date(state.until.createdAt).getTime();
  const at = ticket.createdAt.getTime();
  return at < until || (at === until && ticket.id <= state.until.id);
}

/** The tickets `ids` as the figures see them (those that exist). */
export async function readFigureTickets(tx: DirectStatements, ids: readonly string[]): Promise<FigureTicket[]> {
  if (ids.length === 0) return [];
  const rows = await tx.query<FigureTicketRow>(Prisma.sql`${Prisma.raw(FIGURE_TICKETS_FROM)} WHERE t."id" IN (${Prisma.join([...ids])})`);
  return rows.map(figureTicket);
}

/**
 * Moves the daily rows from what `before` counted for to what `after` counts for (the same
 * tickets read before and after a change, in the change's own transaction). Tickets the rebuild
 * has not reached yet are left to it.
 */
export async function recordFigureChange(tx: DirectStatements, before: FigureTicket[], after: FigureTicket[]): Promise<void> {
  if (before.length === 0 && after.length === 0) return;
  const state = await readFigureState(tx);
  const delta = new FigureDelta();
  for (const ticket of before) if (isCounted(state, ticket)) delta.add(ticket, -1);
  for (const ticket of after) if (isCounted(state, ticket)) delta.add(ticket, 1);
  for (const statement of deltaStatements(delta)) await tx.execute(statement);
}

/** Statements inside a Prisma Client interactive transaction (`db.$transaction(async (tx) => …)`), for the functions above. */
export function transactionStatements(tx: Prisma.TransactionClient): DirectStatements {
  return {
    query: <Row>(statement: Prisma.Sql) => tx.$queryRaw<Row[]>(statement),
    execute: (statement: Prisma.Sql) => tx.$executeRaw(statement),
  };
}
