// The shapes the municipality's other systems exchange with Çözüm, as zod schemas: they validate
// the back-office API's bodies (backoffice.ts), build the webhooks' bodies (feed.ts), and are the
// one source of the OpenAPI document (openapi.ts). Nothing here names a citizen: a department's
// system gets the ticket's number, kind, place in the workflow and dates, and opens the console
// (or asks GET /tickets/{number}) for the rest.
import { z } from 'zod';
import { TicketStatusSchema, TicketTypeSchema } from '../tickets/status.ts';

const note = z.string().trim().max(2000);

export const StatusChangeBody = z
  .strictObject({
    status: TicketStatusSchema.meta({ description: 'The new status. `rejected` needs a note (the reason the citizen reads).' }),
    note: note.default('').meta({ description: 'Shown to the citizen with the new status (masked: TC and phone numbers are hidden).' }),
  })
  .meta({ id: 'StatusChange', examples: [{ status: 'in_progress', note: 'Ekibimiz yarın sabah yerinde olacak.' }] });

export const AssignBody = z
  .strictObject({
    agent: z.string().trim().min(1).max(100).optional().meta({ description: "An agent's console username: the ticket becomes theirs." }),
    department: z.string().trim().min(1).max(100).optional().meta({ description: 'Another department, as named in the console: the ticket moves there (and out of this key’s reach).' }),
    note: note.default('').meta({ description: 'Why; recorded on the ticket, and told to the citizen with the transfer.' }),
  })
  .refine((body) => body.agent !== undefined || body.department !== undefined, { message: 'name an agent, a department or both' })
  .meta({ id: 'Assign', examples: [{ agent: 'fen.ayse', note: 'Saha ekibi 3' }] });

export const ReplyBody = z
  .strictObject({
    text: z.string().trim().min(1).max(4000).meta({ description: "Sent to the citizen on their own channel (chat, or e-mail for an Open311 requester), under the key's name." }),
  })
  .meta({ id: 'Reply', examples: [{ text: 'Merhaba, bildirdiğiniz çukur bu hafta içinde kapatılacak.' }] });

const when = z.iso.datetime().meta({ description: 'ISO 8601, UTC' });

export const BackofficeTicket = z
  .object({
    number: z.string().meta({ examples: ['YSL-2026-000123'] }),
    type: TicketTypeSchema,
    category: z.string().nullable(),
    department: z.string(),
    status: TicketStatusSchema,
    urgent: z.boolean(),
    /** The department's own ticket: its summary (no contact details) and the public status note. */
    summary: z.string(),
    statusNote: z.string().nullable().meta({ description: 'The note of the latest status change, as the citizen read it.' }),
    assignedAgent: z.string().nullable().meta({ description: "The assigned agent's username." }),
    channel: z.string().meta({ description: 'Where the citizen wrote from: telegram, whatsapp, web, open311…' }),
    createdAt: when,
    updatedAt: when,
    dueAt: when,
  })
  .meta({ id: 'Ticket' });
export type BackofficeTicket = z.infer<typeof BackofficeTicket>;

export const ErrorAnswer = z.object({ error: z.string() }).meta({ id: 'Error' });

export const WEBHOOK_KINDS = ['ticket.created', 'ticket.status_changed', 'ticket.rated'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/** What a webhook carries about the ticket: no summary, no note, nothing of the citizen's. */
export const WebhookTicket = z.object({
  number: z.string(),
  type: TicketTypeSchema,
  category: z.string().nullable(),
  department: z.string(),
  status: TicketStatusSchema,
  urgent: z.boolean(),
  createdAt: when,
  dueAt: when,
});

export const WebhookEvent = z
  .object({
    id: z.string().meta({ description: 'Unique per event and department: a receiver that saw it before ignores it (deliveries are at least once).' }),
    type: z.enum(WEBHOOK_KINDS),
    occurredAt: when,
    ticket: WebhookTicket,
    /** ticket.status_changed: the status after the change, and who made it. */
    status: TicketStatusSchema.optional(),
    actor: z.string().meta({ description: '"bot", "citizen", an agent\'s username, or "integration:<key name>".' }),
    /** ticket.rated: the citizen's 1–5. */
    rating: z.number().int().min(1).max(5).optional(),
  })
  .meta({
    id: 'WebhookEvent',
    examples: [
      {
        id: 'm0abc123def0000xyz12345',
        type: 'ticket.status_changed',
        occurredAt: '2026-12-07T09:30:00.000Z',
        ticket: { number: 'YSL-2026-000123', type: 'complaint', category: 'road', department: 'Fen İşleri Müdürlüğü', status: 'resolved', urgent: false, createdAt: '2026-12-05T08:00:00.000Z', dueAt: '2026-12-08T08:00:00.000Z' },
        status: 'resolved',
        actor: 'fen.ayse',
      },
    ],
  });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** The e-mail a delivery row carries (IntegrationDelivery.payload of channel "email"). */
export const StoredEmail = z.object({ subject: z.string(), text: z.string() });
