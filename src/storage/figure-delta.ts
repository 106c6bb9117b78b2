// What one ticket adds to the supervisor's daily figures (issue 19; TicketDailyFigure and
// TicketDailyDuration in prisma/schema.prisma). One function (`FigureDelta.add`) says what a ticket
// counts for, and everything uses it: the change of a ticket (tickets/daily-figures.ts), the
// rebuild of an existing database, and the report worker for the part of a period that does not
// cover a whole day. So the daily rows and a count of the tickets cannot disagree about what is
// counted where. Days are UTC calendar days of the ticket's creation and durations are bucketed
// here, in JavaScript: the SQL stays plain INSERT … ON CONFLICT … DO UPDATE and SUM, the same on
// SQLite and PostgreSQL. No imports: the report worker loads this without Prisma Client.

/** What a ticket is filed under, as the figures and the CSV export (ticket-report.ts) read it. */
export interface TicketFiling {
  type: string;
  category: string | null;
  department: string;
  neighbourhood: string | null;
  /** The conversation's channel, or the contact's when the ticket has no conversation. */
  channel: string;
  status: string;
}

/** A ticket as the figures see it. */
export interface FigureTicket extends TicketFiling {
  id: string;
  createdAt: Date;
  rating: number | null;
  dueAt: Date;
  resolvedAt: Date | null;
  firstResponseAt: Date | null;
}

/** The figures' tickets with their channel; callers add WHERE and ORDER BY. */
export const FIGURE_TICKETS_FROM = `SELECT t."id", t."createdAt", t."type", t."category", t."department", t."neighbourhood",
    COALESCE(v."channel", c."channel") AS "channel", t."status", t."rating", t."dueAt", t."resolvedAt", t."firstResponseAt"
  FROM "Ticket" t JOIN "Contact" c ON c."id" = t."contactId" LEFT JOIN "Conversation" v ON v."id" = t."conversationId"`;

export type Stored = string | Date;
export type FigureTicketRow = Omit<FigureTicket, 'createdAt' | 'dueAt' | 'resolvedAt' | 'firstResponseAt' | 'rating'> & {
  createdAt: Stored;
  dueAt: Stored;
  resolvedAt: Stored | null;
  firstResponseAt: Stored | null;
  rating: number | bigint | null;
};

/** A row of FIGURE_TICKETS_FROM: SQLite gives dates as text, PostgreSQL as dates. */
export function figureTicket(row: FigureTicketRow): FigureTicket {
  const date = (value: Stored | null) => (value === null ? null : new Date(value));
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    dueAt: new Date(row.dueAt),
    resolvedAt: date(row.resolvedAt),
    firstResponseAt: date(row.firstResponseAt),
    rating: row.rating === null ? null : Number(row.rating),
  };
}

/** The day a moment belongs to in the daily figures: its UTC date, `YYYY-MM-DD`. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first moment of the day after `date`'s (UTC). */
export function nextDayStart(date: Date): Date {
  const day = new Date(`${dayOf(date)}T00:00:00.000Z`);
  return new Date(day.getTime() + 86_400_000);
}

/**
 * Durations are counted in buckets 2% wide: bucket 0 holds less than a minute, bucket b ≥ 1 holds
 * [1.02^(b-1), 1.02^b) minutes. With the count and the sum of minutes per bucket the average is
 * exact and the median (the mean of the bucket holding the middle) is within 2% of the exact one,
 * or within a minute below one minute: the page shows it in minutes below a day and in hours above.
 */
export const DURATION_RATIO = 1.02;

export function durationBucket(minutes: number): number {
  return minutes < 1 ? 0 : 1 + Math.floor(Math.log(minutes) / Math.log(DURATION_RATIO));
}

export type Measure = 'firstResponse' | 'resolution';

export function minutesBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 60_000);
}

/** Rows are kept per day and per month of creation: a year's figures add up the months inside the period and the days of its first, partial month. */
export type Span = 'day' | 'month';

interface CountCell {
  span: Span;
  period: string;
  dimension: string;
  key: string;
  count: number;
  resolvedLate: number;
  resolvedOnTime: number;
}

interface DurationCell {
  span: Span;
  period: string;
  measure: Measure;
  bucket: number;
  count: number;
  minutes: number;
}

/** What some tickets add to (or, with sign -1, take from) the daily and monthly rows. */
export class FigureDelta {
  readonly counts = new Map<string, CountCell>();
  readonly durations = new Map<string, DurationCell>();

  /**
   * A ticket's share of the figures: one for each dimension the page counts by, and its two
   * durations, under its day (`YYYY-MM-DD`) and its month (`YYYY-MM`) of creation. The report
   * worker puts the tickets of a period's first, partial day under one key of its own (`under`).
   */
  add(ticket: FigureTicket, sign: 1 | -1, under?: { span: Span; period: string }): void {
    const day = dayOf(ticket.createdAt);
    const keys = under ? [under] : [{ span: 'day' as const, period: day }, { span: 'month' as const, period: day.slice(0, 7) }];
    const late = ticket.resolvedAt !== null && ticket.resolvedAt > ticket.dueAt ? sign : 0;
    const onTime = ticket.resolvedAt !== null && ticket.resolvedAt <= ticket.dueAt ? sign : 0;
    const dimensions: [string, string | null][] = [
      ['status', ticket.status],
      ['type', ticket.type],
      ['category', `${ticket.type}:${ticket.category ?? ''}`],
      ['department', ticket.department],
      ['channel', ticket.channel],
      ['neighbourhood', ticket.neighbourhood ?? ''],
      ['rating', ticket.rating === null ? null : String(ticket.rating)],
    ];
    for (const { span, period } of keys) {
      for (const [dimension, key] of dimensions) {
        if (key === null) continue;
        const id = `${span}\u0000${period}\u0000${dimension}\u0000${key}`;
        const cell = this.counts.get(id) ?? { span, period, dimension, key, count: 0, resolvedLate: 0, resolvedOnTime: 0 };
        cell.count += sign;
        cell.resolvedLate += late;
        cell.resolvedOnTime += onTime;
        this.counts.set(id, cell);
      }
      for (const [measure, at] of [['firstResponse', ticket.firstResponseAt], ['resolution', ticket.resolvedAt]] as const) {
        if (at === null) continue;
        const minutes = minutesBetween(ticket.createdAt, at);
        const bucket = durationBucket(minutes);
        const id = `${span}\u0000${period}\u0000${measure}\u0000${bucket}`;
        const cell = this.durations.get(id) ?? { span, period, measure, bucket, count: 0, minutes: 0 };
        cell.count += sign;
        cell.minutes += sign * minutes;
        this.durations.set(id, cell);
      }
    }
  }
}
