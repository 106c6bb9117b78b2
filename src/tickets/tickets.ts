// Tickets: numbering, creation with their first event, status changes, and the citizen's own view.
import { Batcher } from '../storage/batcher.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { directSql, type DirectSql } from '../storage/direct-sql.ts';
import { nextStamp } from '../storage/ids.ts';
import { OPEN_STATUSES, type TicketStatus, type TicketType } from './status.ts';

export interface NewTicket {
  contactId: string;
  conversationId?: string;
  type: TicketType;
  category?: string;
  neighbourhood?: string;
  department: string;
  slaHours: number;
  summary: string;
  data: Record<string, unknown>;
}

export type TicketRow = Awaited<ReturnType<Database['ticket']['findUniqueOrThrow']>>;

/** What the creator of a ticket gets back (the rest is what it asked for). */
export type CreatedTicket = Pick<TicketRow, 'id' | 'number' | 'department' | 'dueAt' | 'createdAt'>;

const FIRST_EVENT_NOTE = 'Başvuru sohbet asistanı üzerinden alındı.';

/** What a citizen is shown of their own ticket. */
export interface CitizenTicket {
  number: string;
  type: string;
  status: string;
  summary: string;
  department: string;
  updatedAt: Date;
  dueAt: Date;
  /** The note of the latest status change: a rejection's reason. */
  statusNote: string | null;
}

export function formatTicketNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** Creations asked for at about the same moment share one transaction (see `createAll`). */
const MAX_TICKETS_PER_TRANSACTION = 100;

export class Tickets {
  private readonly creations: Batcher<{ input: NewTicket; now: Date }, CreatedTicket>;
  private readonly sql: DirectSql;
  private readonly yearFormat: Intl.DateTimeFormat;

  constructor(
    private readonly db: Database,
    private readonly prefix: string,
    timeZone = 'Europe/Istanbul',
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sql = directSql(db);
    this.yearFormat = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone });
    this.creations = new Batcher((items) => this.createAll(items), { maxBatch: MAX_TICKETS_PER_TRANSACTION });
  }

  /** Creates a ticket with the next number of the year, and its first event. */
  create(input: NewTicket): Promise<CreatedTicket> {
    return this.creations.add({ input, now: this.clock() });
  }

  /**
   * Creates the tickets of one batch in one transaction: the year's counter moves once by the
   * batch's size, so concurrent submissions never share a number, numbers follow the order of
   * submission, and a failed insert rolls the counter back with it (no number is burnt). A failed
   * batch is retried ticket by ticket by the Batcher, so one bad ticket fails only its caller.
   * During a burst this is one transaction for dozens of tickets instead of one each. Written by
   * hand, straight to the connection (storage/direct-sql.ts): through Prisma Client the same three
   * statements in an interactive transaction cost about 3 ms of CPU per batch.
   */
  private createAll(items: { input: NewTicket; now: Date }[]): Promise<CreatedTicket[]> {
    return this.sql.transaction(async (tx) => {
      const numbers: string[] = [];
      const byYear = new Map<number, number[]>();
      items.forEach(({ now }, index) => {
        // The year of the municipality's calendar, not of the server's clock setting.
        const year = Number(this.yearFormat.format(now));
        const indexes = byYear.get(year);
        if (indexes) indexes.push(index);
        else byYear.set(year, [index]);
      });
      for (const [year, indexes] of byYear) {
        const key = `${this.prefix}-${year}`;
        const [counter] = await tx.query<{ value: number | bigint }>(Prisma.sql`
          INSERT INTO "TicketCounter" ("key", "value") VALUES (${key}, ${indexes.length})
          ON CONFLICT ("key") DO UPDATE SET "value" = "value" + excluded."value" RETURNING "value"`);
        const first = Number(counter!.value) - indexes.length + 1;
        indexes.forEach((itemIndex, offset) => (numbers[itemIndex] = formatTicketNumber(this.prefix, year, first + offset)));
      }
      const tickets = items.map(({ input, now }, index): CreatedTicket & { input: NewTicket } => ({
        id: nextStamp().id,
        number: numbers[index]!,
        department: input.department,
        dueAt: new Date(now.getTime() + input.slaHours * 3_600_000),
        createdAt: now,
        input,
      }));
      await tx.execute(Prisma.sql`
        INSERT INTO "Ticket" ("id", "number", "contactId", "conversationId", "type", "category", "department", "status",
          "neighbourhood", "data", "summary", "dueAt", "createdAt", "updatedAt")
        VALUES ${Prisma.join(
          tickets.map(
            ({ id, number, department, dueAt, createdAt, input }) =>
              Prisma.sql`(${id}, ${number}, ${input.contactId}, ${input.conversationId ?? null}, ${input.type}, ${input.category ?? null},
                ${department}, 'new', ${input.neighbourhood ?? null}, ${JSON.stringify(input.data)}, ${input.summary}, ${dueAt}, ${createdAt}, ${createdAt})`,
          ),
        )}`);
      await tx.execute(Prisma.sql`
        INSERT INTO "TicketEvent" ("id", "ticketId", "kind", "status", "actor", "note", "createdAt")
        VALUES ${Prisma.join(tickets.map(({ id, createdAt }) => Prisma.sql`(${nextStamp().id}, ${id}, 'status', 'new', 'bot', ${FIRST_EVENT_NOTE}, ${createdAt})`))}`);
      return tickets.map(({ input: _input, ...created }) => created);
    });
  }

  /** A ticket by number, only if it belongs to this contact: a stranger's number reads as unknown. */
  async findOwn(contactId: string, number: string): Promise<CitizenTicket | undefined> {
    const [ticket] = await this.citizenView(Prisma.sql`t."contactId" = ${contactId} AND t."number" = ${number}`);
    return ticket;
  }

  /** The contact's tickets, open ones first, newest first. */
  async listOwn(contactId: string, limit = 5): Promise<CitizenTicket[]> {
    const rows = await this.citizenView(Prisma.sql`t."contactId" = ${contactId}`);
    const open = rows.filter((row) => OPEN_STATUSES.includes(row.status as TicketStatus));
    const done = rows.filter((row) => !OPEN_STATUSES.includes(row.status as TicketStatus));
    return [...open, ...done].slice(0, limit);
  }

  /**
   * One statement, straight to the connection (see storage/direct-sql.ts): citizens ask "what
   * happened to my request" often, and through Prisma Client this was two queries of ~0.4 ms.
   * Only a status change's note is shown (a rejection's reason), never an agent's internal note.
   */
  private async citizenView(where: Prisma.Sql): Promise<CitizenTicket[]> {
    const rows = await this.sql.query<Omit<CitizenTicket, 'updatedAt' | 'dueAt'> & { updatedAt: string; dueAt: string }>(Prisma.sql`
      SELECT t."number", t."type", t."status", t."summary", t."department", t."updatedAt", t."dueAt",
        (SELECT e."note" FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."kind" = 'status'
          ORDER BY e."createdAt" DESC LIMIT 1) AS "statusNote"
      FROM "Ticket" t WHERE ${where} ORDER BY t."createdAt" DESC LIMIT 50`);
    return rows.map((row) => ({ ...row, updatedAt: new Date(row.updatedAt), dueAt: new Date(row.dueAt) }));
  }

  /** Moves a ticket to a new status and records who did it and why. */
  async changeStatus(ticketId: string, status: TicketStatus, actor: string, note = '') {
    const now = this.clock();
    return this.db.ticket.update({
      where: { id: ticketId },
      data: {
        status,
        closedAt: status === 'closed' || status === 'rejected' ? now : null,
        events: { create: { status, actor, note, createdAt: now } },
      },
    });
  }
}
