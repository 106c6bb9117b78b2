// Tickets: numbering, creation with their first event, status changes, and the citizen's own view.
import { Batcher } from '../storage/batcher.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { directSql, type DirectSql } from '../storage/direct-sql.ts';
import { nextStamp } from '../storage/ids.ts';
import { readFigureTickets, recordFigureChange } from '../storage/daily-figures.ts';
import { changeTickets } from './daily-figures.ts';
import { OPEN_STATUSES, type TicketStatus, type TicketType } from './status.ts';
import { EVENT_NOTES } from './agent-texts.ts';

export interface NewTicket {
  contactId: string;
  conversationId?: string;
  type: TicketType;
  category?: string;
  neighbourhood?: string;
  /** Where the problem is (a pin), in WGS 84 degrees. */
  location?: { latitude: number; longitude: number };
  department: string;
  slaHours: number;
  summary: string;
  data: Record<string, unknown>;
  /** First in the agents' queue (an emergency). */
  urgent?: boolean;
  /** The first event's note: where the ticket came from (the chat assistant unless told). */
  firstNote?: string;
}

export type TicketRow = Awaited<ReturnType<Database['ticket']['findUniqueOrThrow']>>;

/** What the creator of a ticket gets back (the rest is what it asked for). */
export type CreatedTicket = Pick<TicketRow, 'id' | 'number' | 'department' | 'dueAt' | 'createdAt'>;

const FIRST_EVENT_NOTE = EVENT_NOTES.chatFiled;

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

/** A contact's own tickets a status question looks through, newest first. */
const OWN_TICKETS_SHOWN = 50;

/** A status question: the contact's tickets, or one of them by number. */
interface OwnQuery {
  contactId: string;
  number?: string;
}

type CitizenTicketRow = Omit<CitizenTicket, 'updatedAt' | 'dueAt'> & { contactId: string; rank: number | bigint; updatedAt: string; dueAt: string };

/** Creations asked for at about the same moment share one transaction (see `createAll`). */
const MAX_TICKETS_PER_TRANSACTION = 100;

export class Tickets {
  private readonly creations: Batcher<{ input: NewTicket; now: Date }, CreatedTicket>;
  private readonly ownReads: Batcher<OwnQuery, CitizenTicket[]>;
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
    this.ownReads = new Batcher((queries) => this.readOwn(queries), { maxBatch: 200 });
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
          ON CONFLICT ("key") DO UPDATE SET "value" = "TicketCounter"."value" + excluded."value" RETURNING "value"`);
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
          "neighbourhood", "latitude", "longitude", "data", "summary", "urgent", "language", "dueAt", "createdAt", "updatedAt")
        VALUES ${Prisma.join(
          tickets.map(
            ({ id, number, department, dueAt, createdAt, input }) =>
              Prisma.sql`(${id}, ${number}, ${input.contactId}, ${input.conversationId ?? null}, ${input.type}, ${input.category ?? null},
                ${department}, 'new', ${input.neighbourhood ?? null},
                ${input.location?.latitude ?? null}, ${input.location?.longitude ?? null}, ${JSON.stringify(input.data)}, ${input.summary}, ${input.urgent ?? false},
                COALESCE((SELECT c."language" FROM "Contact" c WHERE c."id" = ${input.contactId}), 'tr'), ${dueAt}, ${createdAt}, ${createdAt})`,
          ),
        )}`);
      await tx.execute(Prisma.sql`
        INSERT INTO "TicketEvent" ("id", "ticketId", "kind", "status", "actor", "note", "createdAt")
        VALUES ${Prisma.join(tickets.map(({ id, createdAt, input }) => Prisma.sql`(${nextStamp().id}, ${id}, 'status', 'new', 'bot', ${input.firstNote ?? FIRST_EVENT_NOTE}, ${createdAt})`))}`);
      await recordFigureChange(tx, [], await readFigureTickets(tx, tickets.map((t) => t.id)));
      return tickets.map(({ input: _input, ...created }) => created);
    });
  }

  /** A ticket by number, only if it belongs to this contact: a stranger's number reads as unknown. */
  async findOwn(contactId: string, number: string): Promise<CitizenTicket | undefined> {
    const [ticket] = await this.ownReads.add({ contactId, number });
    return ticket;
  }

  /** The contact's tickets, open ones first, newest first. */
  async listOwn(contactId: string, limit = 5): Promise<CitizenTicket[]> {
    const rows = await this.ownReads.add({ contactId });
    const open = rows.filter((row) => OPEN_STATUSES.includes(row.status as TicketStatus));
    const done = rows.filter((row) => !OPEN_STATUSES.includes(row.status as TicketStatus));
    return [...open, ...done].slice(0, limit);
  }

  /**
   * The citizens' questions of one moment in one statement, straight to the connection (see
   * storage/direct-sql.ts): after an announcement many ask "what happened to my request" at once.
   * Each contact's latest 50 tickets (numbers break ties: tickets of one moment share a time), and
   * the exact ticket asked for by number. Only a status
   * change's note is shown (a rejection's reason), never an agent's internal note.
   */
  private async readOwn(queries: OwnQuery[]): Promise<CitizenTicket[][]> {
    const contacts = [...new Set(queries.map((q) => q.contactId))];
    const byNumber = queries.filter((q) => q.number !== undefined).map((q) => Prisma.sql`(${q.contactId}, ${q.number!})`);
    const asked = byNumber.length > 0 ? Prisma.sql`OR (v."contactId", v."number") IN (VALUES ${Prisma.join(byNumber)})` : Prisma.empty;
    const rows = await this.sql.query<CitizenTicketRow>(Prisma.sql`
      SELECT v."contactId", v."number", v."type", v."status", v."summary", v."department", v."updatedAt", v."dueAt", v."rank",
        (SELECT e."note" FROM "TicketEvent" e WHERE e."ticketId" = v."id" AND e."kind" = 'status'
          ORDER BY e."createdAt" DESC LIMIT 1) AS "statusNote"
      FROM (
        SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t."contactId" ORDER BY t."createdAt" DESC, t."number" DESC) AS "rank"
        FROM "Ticket" t WHERE t."contactId" IN (${Prisma.join(contacts)})
      ) v
      WHERE v."rank" <= ${OWN_TICKETS_SHOWN} ${asked}
      ORDER BY v."rank"`);
    const tickets = rows.map(({ contactId, rank, updatedAt, dueAt, ...ticket }) => ({
      contactId,
      rank: Number(rank),
      ticket: { ...ticket, updatedAt: new Date(updatedAt), dueAt: new Date(dueAt) },
    }));
    return queries.map(({ contactId, number }) =>
      tickets
        .filter((row) => row.contactId === contactId && (number === undefined ? row.rank <= OWN_TICKETS_SHOWN : row.ticket.number === number))
        .map((row) => row.ticket),
    );
  }

  /** Moves a ticket to a new status and records who did it and why (and, once resolved, when). */
  async changeStatus(ticketId: string, status: TicketStatus, actor: string, note = '') {
    const now = this.clock();
    return changeTickets(this.db, [ticketId], (tx) =>
      tx.ticket.update({
        where: { id: ticketId },
        data: {
          status,
          closedAt: status === 'closed' || status === 'rejected' ? now : null,
          ...(status === 'resolved' ? { resolvedAt: now } : {}),
          events: { create: { status, actor, note, createdAt: now } },
        },
      }),
    );
  }
}
