// From ticket events to what departments' systems are sent. The feed reads TicketEvent, where every
// change of every ticket is already recorded, whoever made it (a dialog, Open311, an agent, a
// department's system, the citizen's rating), instead of asking each of them to announce it: nothing
// can forget to. Each event of interest becomes one IntegrationDelivery row per channel of its
// department (unique by event, so a second look at the same event adds nothing), handed to the
// outbox. It looks on each ticket change the console's live view is told of, and every
// `integrations.feedSeconds` for the rest; after a restart it resumes where its last row was, a
// minute earlier, so that events written while it was down (or by another instance, in the same
// moment) are sent too.
import type { Config } from '../config.ts';
import type { Emails } from '../content/emails.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Logger } from '../log.ts';
import type { Outbox, OutboxItem } from '../messaging/outbox.ts';
import type { Database } from '../storage/database.ts';
import { nextStamp } from '../storage/ids.ts';
import { typeName } from '../tickets/status.ts';
import { pendingOf, type DeliveryChannel } from './deliveries.ts';
import type { WebhookEvent, WebhookKind } from './payloads.ts';

/** How far back each look starts before the newest event already handled. */
const OVERLAP_MS = 60_000;
const PAGE = 500;

type EventRow = Prisma.TicketEventGetPayload<{ include: { ticket: true } }>;

function kindOf(event: EventRow): WebhookKind | undefined {
  if (event.kind === 'rating') return 'ticket.rated';
  if (event.status === null) return undefined;
  // The first event of a ticket, written with it (tickets.ts): its creation.
  if (event.kind === 'status' && event.status === 'new' && event.createdAt.getTime() === event.ticket.createdAt.getTime()) return 'ticket.created';
  return 'ticket.status_changed';
}

export class TicketFeed {
  private cursor: Date | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private queued = false;
  private readonly departments: Map<string, DeliveryChannel[]>;
  private readonly dueFormat: Intl.DateTimeFormat;

  constructor(
    private readonly deps: {
      db: Database;
      config: Config;
      outbox: Outbox;
      emails: Emails;
      logger: Logger;
      /** Whether e-mails can go (SMTP set up). */
      mail: boolean;
      /** A category's name as citizens read it ("Yol / çukur"), by its code. */
      categoryNames: ReadonlyMap<string, string>;
      clock?: () => Date;
      /** The instance a new row is claimed by (several instances, integrations/deliveries.ts). */
      claimant?: () => string | null;
    },
  ) {
    const { config } = deps;
    this.departments = new Map(
      config.integrations.departments.map((entry) => [
        entry.name,
        [...(entry.webhook ? (['webhook'] as const) : []), ...(entry.email && deps.mail ? (['email'] as const) : [])],
      ]),
    );
    for (const [name, channels] of this.departments) if (channels.length === 0) this.departments.delete(name);
    this.dueFormat = new Intl.DateTimeFormat('tr-TR', { dateStyle: 'long', timeStyle: 'short', timeZone: config.timeZone });
  }

  /** Whether any department is told anything: without one, the feed never reads. */
  get active(): boolean {
    return this.departments.size > 0;
  }

  /**
   * One look at new events. Looks asked for while one runs wait for it and are then made once for
   * all of them: a burst of ticket changes costs two looks, not one per change.
   */
  sweep(): Promise<number> {
    if (this.queued) return this.running;
    this.queued = true;
    const next = () => {
      this.queued = false;
      return this.look();
    };
    this.running = this.running.then(next, next);
    return this.running;
  }

  private async look(): Promise<number> {
    if (!this.active) return 0;
    const { db } = this.deps;
    let cursor = this.cursor;
    if (!cursor) {
      const last = await db.integrationDelivery.findFirst({ orderBy: { eventAt: 'desc' }, select: { eventAt: true } });
      // The first start with integrations: from now on, not the whole history.
      cursor = last?.eventAt ?? this.deps.clock?.() ?? new Date();
    }
    let added = 0;
    const since = new Date(cursor.getTime() - OVERLAP_MS);
    // The overlap is read again on every look: what it already made is skipped without an insert.
    const made = await db.integrationDelivery.findMany({ where: { eventAt: { gte: since } }, select: { channel: true, department: true, eventId: true } });
    const known = new Set(made.map((row) => `${row.channel}\u0000${row.department}\u0000${row.eventId}`));
    // Pages follow each other by (createdAt, id), so that a burst of more than a page within the
    // overlap is read to its end in one look.
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const events = await db.ticketEvent.findMany({
        where: {
          AND: [
            after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : { createdAt: { gte: since } },
            { OR: [{ kind: 'rating' }, { status: { not: null } }] },
          ],
          ticket: { department: { in: [...this.departments.keys()] } },
        },
        include: { ticket: true },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: PAGE,
      });
      const items: OutboxItem[] = [];
      for (const event of events) items.push(...(await this.deliveriesOf(event, known)));
      added += items.length;
      if (items.length > 0) void this.deps.outbox.enqueue(items);
      const last = events.at(-1);
      if (last) after = { createdAt: last.createdAt, id: last.id };
      if (last && last.createdAt > cursor) cursor = last.createdAt;
      this.cursor = cursor;
      if (events.length < PAGE) return added;
    }
  }

  private async deliveriesOf(event: EventRow, known: ReadonlySet<string>): Promise<OutboxItem[]> {
    const kind = kindOf(event);
    if (!kind) return [];
    const department = event.ticket.department;
    const items: OutboxItem[] = [];
    for (const channel of this.departments.get(department) ?? []) {
      if ((channel === 'email' && kind !== 'ticket.created') || known.has(`${channel}\u0000${department}\u0000${event.id}`)) continue;
      const payload = channel === 'webhook' ? JSON.stringify(this.webhookBody(event, kind)) : JSON.stringify(this.email(event));
      try {
        const row = await this.deps.db.integrationDelivery.create({
          data: { id: nextStamp().id, channel, department, eventId: event.id, kind, ticketNumber: event.ticket.number, payload, eventAt: event.createdAt, createdAt: this.deps.clock?.() ?? new Date(), claimedBy: this.deps.claimant?.() ?? null },
        });
        const pending = pendingOf(row);
        items.push({ id: pending.id, conversationId: pending.conversationId, channel: pending.channel, message: pending.message });
      } catch (error) {
        // Seen before (an earlier look, or another instance): already on its way.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') continue;
        throw error;
      }
    }
    return items;
  }

  private webhookBody(event: EventRow, kind: WebhookKind): WebhookEvent {
    const { ticket } = event;
    return {
      id: event.id,
      type: kind,
      occurredAt: event.createdAt.toISOString(),
      ticket: {
        number: ticket.number,
        type: ticket.type as WebhookEvent['ticket']['type'],
        category: ticket.category,
        department: ticket.department,
        status: ticket.status as WebhookEvent['ticket']['status'],
        urgent: ticket.urgent,
        createdAt: ticket.createdAt.toISOString(),
        dueAt: ticket.dueAt.toISOString(),
      },
      ...(kind === 'ticket.status_changed' && { status: event.status as WebhookEvent['ticket']['status'] }),
      ...(kind === 'ticket.rated' && ticket.rating !== null && { rating: ticket.rating }),
      actor: event.actor,
    };
  }

  private email(event: EventRow) {
    const { ticket } = event;
    const consoleUrl = this.deps.config.integrations.consoleUrl.replace(/\/+$/, '');
    return this.deps.emails.render('newTicket', {
      number: ticket.number,
      department: ticket.department,
      type: typeName(ticket.type),
      category: (ticket.category && this.deps.categoryNames.get(ticket.category)) ?? ticket.category ?? '-',
      dueAt: this.dueFormat.format(ticket.dueAt),
      link: consoleUrl ? `${consoleUrl}/console` : '',
    });
  }
}
