// Tickets: numbering, creation with their first event, status changes, and the citizen's own view.
import type { Database } from '../storage/database.ts';
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

export function formatTicketNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

export class Tickets {
  constructor(
    private readonly db: Database,
    private readonly prefix: string,
    private readonly timeZone = 'Europe/Istanbul',
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a ticket with the next number of the year. The counter is incremented by one UPDATE
   * inside the same transaction as the insert, so concurrent submissions never share a number
   * and a failed insert does not burn one.
   */
  async create(input: NewTicket): Promise<TicketRow> {
    const now = this.clock();
    // The year of the municipality's calendar, not of the server's clock setting.
    const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: this.timeZone }).format(now));
    return this.db.$transaction(async (tx) => {
      const counter = await tx.ticketCounter.upsert({
        where: { key: `${this.prefix}-${year}` },
        create: { key: `${this.prefix}-${year}`, value: 1 },
        update: { value: { increment: 1 } },
      });
      return tx.ticket.create({
        data: {
          number: formatTicketNumber(this.prefix, year, counter.value),
          contactId: input.contactId,
          conversationId: input.conversationId,
          type: input.type,
          category: input.category,
          neighbourhood: input.neighbourhood,
          department: input.department,
          summary: input.summary,
          data: JSON.stringify(input.data),
          dueAt: new Date(now.getTime() + input.slaHours * 3_600_000),
          createdAt: now,
          events: { create: { status: 'new', actor: 'bot', note: 'Başvuru sohbet asistanı üzerinden alındı.', createdAt: now } },
        },
      });
    });
  }

  /** A ticket by number, only if it belongs to this contact: a stranger's number reads as unknown. */
  async findOwn(contactId: string, number: string) {
    return this.db.ticket.findFirst({ where: { number, contactId }, include: { events: { orderBy: { createdAt: 'desc' }, take: 1 } } });
  }

  /** The contact's tickets, open ones first, newest first. */
  async listOwn(contactId: string, limit = 5) {
    const rows = await this.db.ticket.findMany({
      where: { contactId },
      orderBy: { createdAt: 'desc' },
      take: 50,
      include: { events: { orderBy: { createdAt: 'desc' }, take: 1 } },
    });
    const open = rows.filter((row) => OPEN_STATUSES.includes(row.status as TicketStatus));
    const done = rows.filter((row) => !OPEN_STATUSES.includes(row.status as TicketStatus));
    return [...open, ...done].slice(0, limit);
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
