// Keeps the supervisor's daily figures (storage/daily-figures.ts) true as tickets change: every
// write that can move a figure (creation, status, assignment to a department, first response,
// resolution, rating, erasure) goes through `changeTicketsIn` or records its new tickets itself, in
// the transaction of the change, so the figures never count a change that was rolled back or miss
// one that was committed. An existing database is counted once by `rebuildDailyFigures`, in small
// batches after start-up; until it is done, the report worker counts from the tickets themselves.
import { setTimeout as sleep } from 'node:timers/promises';
import { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { deltaStatements, readFigureState, readFigureTickets, recordFigureChange, transactionStatements } from '../storage/daily-figures.ts';
import { FIGURE_TICKETS_FROM, FigureDelta, figureTicket, type FigureTicketRow } from '../storage/figure-delta.ts';
import { directSql } from '../storage/direct-sql.ts';

type Tx = Prisma.TransactionClient;

/**
 * Runs `work` (Prisma Client writes to the tickets `ticketIds`) inside the caller's interactive
 * transaction and moves the daily figures by what it changed.
 */
export async function changeTicketsIn<T>(tx: Tx, ticketIds: readonly string[], work: () => Promise<T>): Promise<T> {
  const statements = transactionStatements(tx);
  const before = await readFigureTickets(statements, ticketIds);
  const result = await work();
  await recordFigureChange(statements, before, await readFigureTickets(statements, ticketIds));
  return result;
}

/** `changeTicketsIn` in a transaction of its own. */
export function changeTickets<T>(db: Database, ticketIds: readonly string[], work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction((tx) => changeTicketsIn(tx, ticketIds, () => work(tx)));
}

/** The rebuild's mark moved under a batch: another rebuild counted it. */
class MarkMoved extends Error {}

export interface RebuildOptions {
  /** Tickets counted per transaction. */
  batch?: number;
  /** Pause between batches, so that the bot's writes and the console's reads go in between. */
  pauseMs?: number;
  /** Asked before each batch: stop (the process is shutting down); the next start carries on. */
  stopped?: () => boolean;
}

/**
 * Counts every ticket into the daily figures, oldest first, a batch per short transaction that also
 * moves the mark of how far it got (TicketFigureState). Changes to tickets up to the mark move the
 * figures as they happen; later ones are counted as they are when the rebuild reaches them. Starts
 * afresh (empty daily rows) when no mark is set; a stopped rebuild carries on from its mark, and
 * two running at once never count a batch twice (main.ts runs one, on one instance).
 * Returns whether the figures are complete.
 */
export async function rebuildDailyFigures(db: Database, options: RebuildOptions = {}): Promise<boolean> {
  const { batch = 1000, pauseMs = 20, stopped = () => false } = options;
  const sql = directSql(db);
  for (;;) {
    if (stopped()) return false;
    const complete = await sql.transaction(async (tx) => {
      const state = await readFigureState(tx);
      if (state.complete) return true;
      if (!state.until) {
        await tx.execute(Prisma.sql`DELETE FROM "TicketDailyFigure"`);
        await tx.execute(Prisma.sql`DELETE FROM "TicketDailyDuration"`);
      }
      // The mark is the stored value itself (text on SQLite), so that the comparison is exact; its
      // first term alone bounds the index range (with only the OR, every batch scanned from the start).
      const after = state.until
        ? Prisma.sql`WHERE t."createdAt" >= ${state.until.createdAt} AND (t."createdAt" > ${state.until.createdAt} OR (t."createdAt" = ${state.until.createdAt} AND t."id" > ${state.until.id}))`
        : Prisma.empty;
      const rows = await tx.query<FigureTicketRow>(Prisma.sql`${Prisma.raw(FIGURE_TICKETS_FROM)} ${after} ORDER BY t."createdAt", t."id" LIMIT ${batch}`);
      const delta = new FigureDelta();
      for (const row of rows) delta.add(figureTicket(row), 1);
      for (const statement of deltaStatements(delta)) await tx.execute(statement);
      const last = rows.at(-1);
      const done = rows.length < batch;
      // Only from the mark this batch started at: another rebuild that moved it meanwhile (several
      // instances: one paused past its lease while another took the job over) counted these
      // tickets, and this batch is rolled back instead of counting them twice.
      const unmoved = state.until ? Prisma.sql`"rebuiltId" = ${state.until.id}` : Prisma.sql`"rebuiltId" IS NULL`;
      const moved = await tx.execute(Prisma.sql`UPDATE "TicketFigureState" SET "complete" = ${done},
        "rebuiltCreatedAt" = ${last ? last.createdAt : (state.until?.createdAt ?? null)}, "rebuiltId" = ${last ? last.id : (state.until?.id ?? null)}
        WHERE "id" = 1 AND "complete" = ${false} AND ${unmoved}`);
      if (moved === 0) throw new MarkMoved();
      return done;
    }).catch((error: unknown) => {
      if (error instanceof MarkMoved) return false;
      throw error;
    });
    if (complete) return true;
    await sleep(pauseMs);
  }
}
