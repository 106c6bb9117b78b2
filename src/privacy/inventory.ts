// KVKK inventory: every table and column of the database, and what erasure does with it. A
// citizen's "verilerimi sil" and the retention period both apply this table (erasure.ts), so what
// is written here is what happens. A column added to prisma/schema.prisma without a decision here
// does not compile (the table is typed by Prisma's own column lists), and
// test/privacy/inventory.test.ts checks it against schema.prisma and the migrated database.
import type { Prisma } from '../generated/prisma/client.ts';

/** What an erased free text reads afterwards (the agent still sees that something was there). */
export const ERASED_TEXT = '[silindi]';

/**
 * The key of a ticket's data that lists its structured answers: options picked from a list,
 * counts, neighbourhoods matched to the official list, the reason of a handoff. Whoever creates a
 * ticket names them; anonymisation keeps those and drops every other answer.
 */
export const STRUCTURED_KEY = '_structured';

/** What erasure does with one column. */
export type Decision =
  /** Stays: it identifies nobody, or the figures need it and the reason is given. */
  | { keep: string }
  /** Overwritten with this value; with `unlessEmpty`, an empty text stays empty (nothing was there). */
  | { overwrite: string | null; why: string; unlessEmpty?: true }
  /** A fresh random value, so that nothing leads from the platform back to the row. */
  | { randomise: string }
  /** Set to the moment of erasure. */
  | { stamp: string }
  /** Rewritten to keep only the structured answers the row itself names (`STRUCTURED_KEY`). */
  | { structuredOnly: string }
  /** The citizen's rows are deleted whole; which rows those are is said in `STATE_ENTRIES`. */
  | { deleteRows: string };

interface ModelInventory<Column extends string> {
  /** Which rows of this table belong to the citizen being erased. */
  rows: string;
  columns: Record<Column, Decision>;
}

/** Prisma's scalar columns per model: a model or column missing below is a compile error. */
interface Columns {
  Contact: Prisma.ContactScalarFieldEnum;
  Conversation: Prisma.ConversationScalarFieldEnum;
  Message: Prisma.MessageScalarFieldEnum;
  StateEntry: Prisma.StateEntryScalarFieldEnum;
  Ticket: Prisma.TicketScalarFieldEnum;
  TicketEvent: Prisma.TicketEventScalarFieldEnum;
  TicketCounter: Prisma.TicketCounterScalarFieldEnum;
  Agent: Prisma.AgentScalarFieldEnum;
  AgentSession: Prisma.AgentSessionScalarFieldEnum;
  RateLimit: Prisma.RateLimitScalarFieldEnum;
  WebchatSession: Prisma.WebchatSessionScalarFieldEnum;
  ApiKey: Prisma.ApiKeyScalarFieldEnum;
  IntegrationDelivery: Prisma.IntegrationDeliveryScalarFieldEnum;
  Media: Prisma.MediaScalarFieldEnum;
  MediaContent: Prisma.MediaContentScalarFieldEnum;
  TicketDailyFigure: Prisma.TicketDailyFigureScalarFieldEnum;
  TicketDailyDuration: Prisma.TicketDailyDurationScalarFieldEnum;
  TicketFigureState: Prisma.TicketFigureStateScalarFieldEnum;
  Instance: Prisma.InstanceScalarFieldEnum;
  Lease: Prisma.LeaseScalarFieldEnum;
}

export type Model = Prisma.ModelName;
export type Inventory = { [M in Model]: ModelInventory<Columns[M]> };

const id = { keep: 'a random key, meaningless outside this database' } as const;
const when = { keep: 'a date: the figures need it, and it names nobody' } as const;
const staff = (what: string) => ({ keep: `${what}: the municipality's own staff, not a citizen's data` }) as const;

export const INVENTORY: Inventory = {
  Contact: {
    rows: 'the contact erased',
    columns: {
      id,
      channel: { keep: 'which channel (telegram, whatsapp-cloud…): a handful of values' },
      platformUserId: { randomise: 'the platform id (Telegram user id, WhatsApp number or lid, web chat token hash) leads back to the person; a new random id means the next message from them starts afresh' },
      displayName: { overwrite: null, why: 'the name the platform gave' },
      phone: { overwrite: null, why: 'a phone number' },
      consentAt: { keep: 'when consent was given: proof that what was processed before the erasure was processed lawfully; a date names nobody' },
      anonymizedAt: { stamp: 'when the data was erased: the console shows the contact as anonymised, the inbox starts afresh' },
      language: { keep: 'the language the citizen wrote in (tr, ar, en): three values, and the statistics count by it' },
      createdAt: when,
      updatedAt: when,
    },
  },
  Conversation: {
    rows: "the contact's conversations",
    columns: {
      id,
      contactId: { keep: 'leads to the anonymised contact only' },
      channel: { keep: 'which channel' },
      mode: { overwrite: 'erased', why: 'a handoff in progress ends; nobody (bot or agent) acts on the conversation again, and the console says why' },
      agentId: { overwrite: null, why: 'no agent holds the conversation any more' },
      handoffTicketId: { overwrite: null, why: 'the handoff ends: its ticket is closed with an erasure event the agent sees' },
      address: { overwrite: '{}', why: 'chat id, WhatsApp number or Bot Framework reference: how to reach the person' },
      lastMessageAt: when,
      createdAt: when,
      updatedAt: when,
    },
  },
  Message: {
    rows: "every message of the contact's conversations, the citizen's and those written to them",
    columns: {
      id,
      conversationId: { keep: 'leads to the anonymised conversation only' },
      direction: { keep: 'in or out' },
      author: { keep: 'citizen, bot, agent or system' },
      authorName: staff("the agent's display name on their replies"),
      replyToId: { keep: 'a message id' },
      text: { overwrite: ERASED_TEXT, why: "what the citizen wrote, and what was written to them (summaries repeat names, numbers and addresses)" },
      payload: { overwrite: '{}', why: 'media (platform file ids), locations and the choices offered' },
      intent: { keep: 'the topic the NLU read (complaint.create…): a label from a short list, for the figures' },
      confidence: { keep: 'a number' },
      platformMessageId: { overwrite: null, why: 'Telegram ids carry the chat id, WhatsApp and Bot Framework ids lead back to the platform account' },
      status: { keep: 'delivery state' },
      attempts: { keep: 'a count' },
      nextAttemptAt: when,
      lastError: { overwrite: null, why: "a platform's error may quote the address it failed to reach" },
      createdAt: when,
    },
  },
  StateEntry: {
    rows: 'the rows of STATE_ENTRIES that belong to the contact',
    columns: {
      key: { deleteRows: 'conversation keys and WhatsApp ids' },
      value: { deleteRows: 'dialog answers not yet submitted, Signal sessions, lid ↔ phone mappings' },
      eTag: { deleteRows: 'with its row' },
      updatedAt: { deleteRows: 'with its row' },
    },
  },
  Ticket: {
    rows: "the contact's tickets (and, at the end of the retention period, any closed ticket)",
    columns: {
      id,
      number: { keep: 'the ticket number: counted in the figures, names nobody once the contact is anonymised' },
      contactId: { keep: 'leads to the anonymised contact only' },
      conversationId: { keep: 'leads to the anonymised conversation only' },
      type: { keep: 'complaint, aid, appointment, emergency or handoff' },
      category: { keep: 'an option value from dialogs/ or a handoff reason' },
      department: { keep: 'the department' },
      status: { keep: 'for the figures (a handoff still open is closed: nobody can answer the citizen any more)' },
      urgent: { keep: 'a flag (an emergency was reported): for the figures, names nobody' },
      language: { keep: 'the language the citizen wrote in (tr, ar, en): three values, names nobody' },
      neighbourhood: { keep: 'an official neighbourhood name (thousands of residents each): the figures per neighbourhood need it; the street address is in `data` and goes' },
      latitude: { overwrite: null, why: 'a pin may be the citizen\'s own door: it goes with the address' },
      longitude: { overwrite: null, why: 'as latitude' },
      assignedAgentId: staff('the agent assigned'),
      firstResponseAt: when,
      resolvedAt: when,
      rating: { keep: 'a number from 1 to 5' },
      ratingComment: { overwrite: null, why: "the citizen's own words" },
      data: { structuredOnly: 'the answers collected: name, TC number, phone, address, descriptions, photos and transcripts go; options picked, counts and the neighbourhood stay' },
      summary: { keep: 'built from structured answers only (dialog summaries may name only choice, count and neighbourhood slots: checked when dialogs/ is loaded; a handoff names its reason), never from free text' },
      dueAt: when,
      createdAt: when,
      updatedAt: when,
      closedAt: when,
    },
  },
  TicketEvent: {
    rows: "the events of the contact's tickets",
    columns: {
      id,
      ticketId: { keep: 'a ticket id' },
      kind: { keep: 'status, note, assign, transfer, rating, erasure…' },
      status: { keep: 'a status' },
      actor: { keep: "'bot', 'citizen' or an agent's username (staff)" },
      note: { overwrite: ERASED_TEXT, unlessEmpty: true, why: "agents' notes, status explanations and the citizen's comments may quote anything" },
      createdAt: when,
    },
  },
  TicketCounter: {
    rows: 'none: ticket numbering per year',
    columns: { key: { keep: 'a prefix and a year' }, value: { keep: 'a count' } },
  },
  TicketDailyFigure: {
    rows: 'none: counts of tickets per day and value (tickets/daily-figures.ts)',
    columns: {
      span: { keep: 'day or month' },
      period: { keep: 'a date or a month' },
      dimension: { keep: 'the name of a figure (status, category, neighbourhood…)' },
      key: { keep: "a value of the ticket's own kept columns (a status, a category, an official neighbourhood name): names nobody" },
      count: { keep: 'a count' },
      resolvedLate: { keep: 'a count' },
      resolvedOnTime: { keep: 'a count' },
    },
  },
  TicketDailyDuration: {
    rows: 'none: counts of response and resolution times per day',
    columns: { span: { keep: 'day or month' }, period: { keep: 'a date or a month' }, measure: { keep: 'which time' }, bucket: { keep: 'a range of minutes' }, count: { keep: 'a count' }, minutes: { keep: 'a sum of minutes' } },
  },
  TicketFigureState: {
    rows: 'none: how far the daily figures were rebuilt',
    columns: { id, complete: { keep: 'a flag' }, rebuiltCreatedAt: when, rebuiltId: { keep: 'a ticket id' } },
  },
  Agent: {
    rows: "none: staff accounts (closing one is an admin's action in the console)",
    columns: {
      id,
      username: staff('login name'),
      displayName: staff('name'),
      passwordHash: staff('password hash'),
      role: staff('role'),
      department: staff('department'),
      mustChangePassword: staff('password flag'),
      languages: staff('languages spoken'),
      active: staff('account flag'),
      createdAt: when,
      updatedAt: when,
    },
  },
  AgentSession: {
    rows: 'none: staff sessions',
    columns: {
      id: staff('session token hash'),
      agentId: staff('the agent'),
      csrfToken: staff('CSRF token'),
      expiresAt: when,
      lastActiveAt: when,
      createdAt: when,
    },
  },
  Instance: {
    rows: 'none: the running Çözüm processes (storage/cluster.ts), each row gone when its process stops',
    columns: { id, startedAt: when, expiresAt: when },
  },
  Lease: {
    rows: "none: which Çözüm process answers a conversation or runs a job, gone when that process stops",
    columns: { key: { keep: 'a conversation id or a job name' }, holder: { keep: 'a Çözüm instance id' }, token: { keep: 'a count' } },
  },
  RateLimit: {
    rows: 'none: counters of the rate limits (console logins, new web chats), each gone when its window ends',
    columns: {
      key: { keep: "a limit's name with a client address or a typed login name: kept only as long as its window (minutes; 30 days for an agent's own addresses) and swept hourly" },
      points: { keep: 'a count' },
      expire: when,
    },
  },
  WebchatSession: {
    rows: "the web chat session whose id is the contact's platform id",
    columns: {
      id: { deleteRows: "the hash of the browser's token: the same value as the web chat contact's platform id, so the row goes with the contact" },
      createdAt: { deleteRows: 'with its row' },
    },
  },
  ApiKey: {
    rows: "none: the keys of the municipality's own systems and partners that file Open311 requests (an admin revokes one in the console)",
    columns: {
      id,
      name: { keep: "the system or organisation holding the key, as the admin named it: not a citizen's data" },
      hash: { keep: 'sha256 of the key: leads to no person, and the key cannot be read from it' },
      hint: { keep: "the key's first characters, for the admin to tell keys apart" },
      createdBy: staff("the admin's username"),
      createdAt: when,
      lastUsedAt: when,
      revokedAt: when,
      department: staff("the municipality's department the key acts for"),
    },
  },
  Media: {
    rows: "the citizen's conversations' attachments: photos, voice notes and files are personal data (a face, a voice, a house), deleted whole",
    columns: {
      id: { deleteRows: 'with its row' },
      conversationId: { deleteRows: 'with its row' },
      messageId: { deleteRows: 'with its row' },
      position: { deleteRows: 'with its row' },
      channel: { deleteRows: 'with its row' },
      kind: { deleteRows: 'with its row' },
      source: { deleteRows: "the platform's file id, which fetches the file again while the platform keeps it" },
      status: { deleteRows: 'with its row' },
      reason: { deleteRows: 'with its row' },
      contentHash: { deleteRows: 'names the bytes (MediaContent)' },
      mimeType: { deleteRows: 'with its row' },
      size: { deleteRows: 'with its row' },
      attempts: { deleteRows: 'with its row' },
      nextAttemptAt: { deleteRows: 'with its row' },
      lastError: { deleteRows: 'with its row' },
      claimedBy: { deleteRows: 'the Çözüm instance downloading it: a random key, names nobody' },
      latitude: { deleteRows: "where the photo was taken (its EXIF GPS): may be the citizen's home" },
      longitude: { deleteRows: 'as latitude' },
      createdAt: { deleteRows: 'with its row' },
      storedAt: { deleteRows: 'with its row' },
    },
  },
  MediaContent: {
    rows: "the bytes of the erased citizen's attachments that no other Media row names (the same photo sent by two citizens stays for the other), and their files in the folder store",
    columns: {
      hash: { deleteRows: 'with its row' },
      mimeType: { deleteRows: 'with its row' },
      size: { deleteRows: 'with its row' },
      bytes: { deleteRows: 'the photo, voice or file itself' },
      createdAt: { deleteRows: 'with its row' },
    },
  },
  IntegrationDelivery: {
    rows: "none: what departments' systems are sent (integrations/payloads.ts) names tickets, statuses and dates, never a citizen or their words",
    columns: {
      id,
      channel: { keep: 'webhook or email: names nobody' },
      department: staff('the department told'),
      eventId: { keep: "the ticket event's random key" },
      kind: { keep: 'created, status changed or rated: names nobody' },
      ticketNumber: { keep: 'the ticket number, which an erasure keeps on the ticket as well' },
      payload: { keep: 'the ticket number, type, category, department, status, dates and a rating; no name, contact, address, summary or note' },
      status: { keep: 'whether it was delivered: names nobody' },
      attempts: { keep: 'a count' },
      nextAttemptAt: when,
      lastError: { keep: "the receiving system's answer (English, operators')" },
      eventAt: when,
      createdAt: when,
      sentAt: when,
      claimedBy: { keep: 'the Çözüm instance sending it: a random key, names nobody' },
    },
  },
};

/** Tables in the database that are not models of schema.prisma. */
export const OTHER_TABLES: Record<string, string> = {
  _prisma_migrations: 'migration bookkeeping (names, checksums, dates): no person',
};

/** What StateEntry holds, by key, and what erasure does with each kind of row. */
export const STATE_ENTRIES = [
  {
    keys: '<channel>/conversations/<conversation id>/<namespace>',
    holds: "botbuilder's conversation state: the session and the dialog stack with the answers given so far",
    erasure: "deleted for each of the contact's conversations",
  },
  {
    keys: 'baileys/keys/<type>/<id naming the WhatsApp user>',
    holds: 'Signal sessions, identity keys, device lists, lid ↔ phone mappings, tc tokens, sender keys of one WhatsApp user',
    erasure: "deleted for the contact's phone number and the lid Baileys mapped to it",
  },
  {
    keys: 'baileys/creds, baileys/keys/{pre-key,app-state-sync-key,app-state-sync-version}/…',
    holds: "the municipality's own linked WhatsApp device",
    erasure: "kept: no citizen's data",
  },
] as const;

/** The reason written for a decision. */
export function reasonOf(decision: Decision): string {
  if ('keep' in decision) return decision.keep;
  if ('overwrite' in decision) return decision.why;
  if ('randomise' in decision) return decision.randomise;
  if ('stamp' in decision) return decision.stamp;
  if ('structuredOnly' in decision) return decision.structuredOnly;
  return decision.deleteRows;
}

/** The fixed values erasure writes into a model's columns (`overwrite` decisions), by `unlessEmpty`. */
export function overwrites<M extends Model>(model: M, options: { unlessEmpty: boolean }): Partial<Record<Columns[M], string | null>> {
  const columns = INVENTORY[model].columns as Record<Columns[M], Decision>;
  const values: Partial<Record<Columns[M], string | null>> = {};
  for (const [column, decision] of Object.entries(columns) as [Columns[M], Decision][]) {
    if ('overwrite' in decision && Boolean(decision.unlessEmpty) === options.unlessEmpty) values[column] = decision.overwrite;
  }
  return values;
}

/** The columns of a model with a given kind of decision. */
export function columnsWith<M extends Model>(model: M, kind: 'keep' | 'overwrite' | 'randomise' | 'stamp' | 'structuredOnly' | 'deleteRows'): Columns[M][] {
  const columns = INVENTORY[model].columns as Record<Columns[M], Decision>;
  return (Object.entries(columns) as [Columns[M], Decision][]).filter(([, decision]) => kind in decision).map(([column]) => column);
}
