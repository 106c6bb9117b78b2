// KVKK: a citizen may ask for their personal data to be erased ("verilerimi sil"); a citizen silent
// for the whole retention period is erased the same way, and tickets closed that long ago lose
// their personal data. What happens to each column is written in inventory.ts; this module applies
// it, in one transaction per citizen (or ticket), so an erasure is never left half done.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { BAILEYS_DEVICE_KEY_TYPES, conversationStatePrefix, KEYS_PREFIX, keyOf } from '../storage/state-keys.ts';
import { changeTicketsIn } from '../tickets/daily-figures.ts';
import { FINISHED_STATUSES, OPEN_STATUSES } from '../tickets/status.ts';
import { columnsWith, overwrites, STRUCTURED_KEY, type Model } from './inventory.ts';

type Tx = Parameters<Parameters<Database['$transaction']>[0]>[0];

/** Why data is erased: the citizen asked, or the retention period is over. Named in the tickets' history. */
export type ErasureReason = 'erasure' | 'retention';

export interface Erasure {
  /** Tickets anonymised. */
  tickets: number;
  /** Messages erased. */
  messages: number;
  conversationIds: string[];
  /** Handoffs that were still open (waiting for or held by an agent): closed now. */
  endedHandoffs: { ticketId: string; conversationId: string | null }[];
  /** Hashes of media contents deleted with the citizen's attachments (a folder store removes their files: MediaFiles). */
  mediaContents: string[];
}

/** What removes media bytes kept outside the database (media/store.ts's folder store), after the erasure is committed. */
export interface MediaFiles {
  remove(hashes: string[]): Promise<void>;
}

/** Answers of tickets written before `STRUCTURED_KEY` existed: the structured slots of the built-in dialogs and handoffs. */
const LEGACY_STRUCTURED = ['category', 'aidType', 'target', 'unit', 'household', 'neighbourhood', 'reason'];

/** A ticket's data with only the answers it names as structured (and their labels) left. */
export function structuredOnly(raw: string): string {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Unreadable data keeps nothing.
  }
  const listed = parsed[STRUCTURED_KEY];
  const structured = Array.isArray(listed) ? listed.filter((key): key is string => typeof key === 'string') : LEGACY_STRUCTURED;
  const display = (parsed._display ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = { _anonymized: true, [STRUCTURED_KEY]: structured };
  if (typeof parsed._dialog === 'string') kept._dialog = parsed._dialog;
  const labels: Record<string, unknown> = {};
  for (const key of structured) {
    if (key in parsed && !key.startsWith('_')) kept[key] = parsed[key];
    if (key in display) labels[key] = display[key];
  }
  if (Object.keys(labels).length > 0) kept._display = labels;
  return JSON.stringify(kept);
}

/** The inventory's fixed values, fresh random ids and erasure time for one row of a model. */
function erasedColumns(model: Model, now: Date): Record<string, unknown> {
  const data: Record<string, unknown> = { ...overwrites(model, { unlessEmpty: false }) };
  for (const column of columnsWith(model, 'randomise')) data[column] = `silindi-${randomUUID()}`;
  for (const column of columnsWith(model, 'stamp')) data[column] = now;
  return data;
}

/** Ticket, its events and their personal columns, as the inventory says; the history records why. */
async function anonymizeTicketsIn(tx: Tx, ticketIds: string[], now: Date, reason: ErasureReason, closed = new Set<string>()): Promise<void> {
  if (ticketIds.length === 0) return;
  const structured = columnsWith('Ticket', 'structuredOnly');
  const tickets = await tx.ticket.findMany({ where: { id: { in: ticketIds } } });
  // The inventory keeps every column the figures count by today; should that change, the figures follow.
  await changeTicketsIn(tx, ticketIds, async () => {
    for (const ticket of tickets) {
      const data = erasedColumns('Ticket', now);
      for (const column of structured) data[column] = structuredOnly(String(ticket[column]));
      await tx.ticket.update({ where: { id: ticket.id }, data: data as Prisma.TicketUpdateInput });
    }
  });
  for (const [column, value] of Object.entries(overwrites('TicketEvent', { unlessEmpty: true }))) {
    await tx.ticketEvent.updateMany({ where: { ticketId: { in: ticketIds }, [column]: { not: '' } }, data: { [column]: value } });
  }
  const always = erasedColumns('TicketEvent', now);
  if (Object.keys(always).length > 0) await tx.ticketEvent.updateMany({ where: { ticketId: { in: ticketIds } }, data: always as Prisma.TicketEventUpdateManyMutationInput });
  // Recorded after the notes were erased; its own note is empty: the console names the event.
  await tx.ticketEvent.createMany({
    data: ticketIds.map((ticketId) => ({ ticketId, kind: reason, status: closed.has(ticketId) ? 'closed' : null, actor: reason === 'erasure' ? 'citizen' : 'bot', note: '', createdAt: now })),
  });
}

/** WhatsApp (Baileys) ids: `905321110001@s.whatsapp.net`, `123456789012345@lid`, with a device or not. */
const WHATSAPP_JID = /^(\d+)(?::\d+)?@(?:s\.whatsapp\.net|c\.us|lid|hosted|hosted\.lid)$/;

/** StateEntry rows Baileys keeps about one WhatsApp user: under their number and the lid mapped to it. */
async function whatsAppKeyRows(tx: Tx, platformUserId: string): Promise<string[]> {
  const user = WHATSAPP_JID.exec(platformUserId)?.[1];
  if (!user) return [];
  const users = new Set([user]);
  const mappings = await tx.stateEntry.findMany({ where: { key: { in: [keyOf('lid-mapping', user), keyOf('lid-mapping', `${user}_reverse`)] } } });
  for (const row of mappings) {
    try {
      const other = JSON.parse(row.value) as unknown;
      if (typeof other === 'string' && /^\d+$/.test(other)) users.add(other);
    } catch {
      // A row that is not a mapping names no one else.
    }
  }
  const keys = new Set<string>();
  for (const digits of users) {
    const named = new RegExp(`(^|\\D)${digits}(\\D|$)`);
    const rows = await tx.stateEntry.findMany({ where: { key: { startsWith: KEYS_PREFIX, contains: digits } }, select: { key: true } });
    for (const { key } of rows) {
      const [type, ...rest] = key.slice(KEYS_PREFIX.length).split('/');
      if (!BAILEYS_DEVICE_KEY_TYPES.includes(type!) && named.test(rest.join('/'))) keys.add(key);
    }
  }
  return [...keys];
}

/** Everything personal about one contact, erased as the inventory says, in the caller's transaction. */
async function eraseContactIn(tx: Tx, contactId: string, now: Date, reason: ErasureReason): Promise<Erasure> {
  const contact = await tx.contact.findUniqueOrThrow({ where: { id: contactId }, select: { platformUserId: true } });
  const conversations = await tx.conversation.findMany({ where: { contactId }, select: { id: true, channel: true } });
  const conversationIds = conversations.map((c) => c.id);

  // Nobody can answer the citizen any more: open handoffs end here.
  const endedHandoffs = await tx.ticket.findMany({ where: { contactId, type: 'handoff', status: { in: OPEN_STATUSES } }, select: { id: true, conversationId: true } });
  if (endedHandoffs.length > 0) {
    const ids = endedHandoffs.map((t) => t.id);
    await changeTicketsIn(tx, ids, () => tx.ticket.updateMany({ where: { id: { in: ids } }, data: { status: 'closed', closedAt: now } }));
  }

  // Photos, voice notes and files: the rows, and the bytes no other citizen's attachment names.
  const attachments = await tx.media.findMany({ where: { conversationId: { in: conversationIds } }, select: { contentHash: true } });
  await tx.media.deleteMany({ where: { conversationId: { in: conversationIds } } });
  const hashes = [...new Set(attachments.flatMap((row) => (row.contentHash ? [row.contentHash] : [])))];
  const shared = hashes.length > 0 ? await tx.media.findMany({ where: { contentHash: { in: hashes } }, select: { contentHash: true }, distinct: ['contentHash'] }) : [];
  const mediaContents = hashes.filter((hash) => !shared.some((row) => row.contentHash === hash));
  if (mediaContents.length > 0) await tx.mediaContent.deleteMany({ where: { hash: { in: mediaContents } } });

  const messages = await tx.message.updateMany({ where: { conversationId: { in: conversationIds } }, data: erasedColumns('Message', now) as Prisma.MessageUpdateManyMutationInput });
  await tx.conversation.updateMany({ where: { contactId }, data: erasedColumns('Conversation', now) as Prisma.ConversationUpdateManyMutationInput });

  // The browser's session token opens the web chat contact: it goes with it (inventory: WebchatSession).
  if (conversations.some((c) => c.channel === 'webchat')) await tx.webchatSession.deleteMany({ where: { id: contact.platformUserId } });
  const stateKeys = await whatsAppKeyRows(tx, contact.platformUserId);
  if (stateKeys.length > 0) await tx.stateEntry.deleteMany({ where: { key: { in: stateKeys } } });
  for (const { id, channel } of conversations) await tx.stateEntry.deleteMany({ where: { key: { startsWith: conversationStatePrefix(channel, id) } } });

  const tickets = await tx.ticket.findMany({ where: { contactId }, select: { id: true } });
  await anonymizeTicketsIn(tx, tickets.map((t) => t.id), now, reason, new Set(endedHandoffs.map((t) => t.id)));
  await tx.contact.update({ where: { id: contactId }, data: erasedColumns('Contact', now) as Prisma.ContactUpdateInput });
  return {
    tickets: tickets.length,
    messages: messages.count,
    conversationIds,
    endedHandoffs: endedHandoffs.map((t) => ({ ticketId: t.id, conversationId: t.conversationId })),
    mediaContents,
  };
}

/**
 * Erases everything personal about one contact; their tickets remain, anonymised, for the figures.
 * Media bytes kept outside the database go after the transaction (`files`).
 */
export async function anonymizeContact(db: Database, contactId: string, now = new Date(), reason: ErasureReason = 'erasure', files?: MediaFiles): Promise<Erasure> {
  const erasure = await db.$transaction((tx) => eraseContactIn(tx, contactId, now, reason));
  if (files && erasure.mediaContents.length > 0) await files.remove(erasure.mediaContents);
  return erasure;
}

/** Rows handled per retention call: small, so that no call holds the database (and the event loop) long; main.ts calls again while a backlog remains. */
export const RETENTION_BATCH = 100;

/**
 * The retention period (`days`, 0 keeps everything): citizens who wrote nothing for that long and
 * have nothing open are erased as on their own request; tickets closed (resolved, closed,
 * rejected) that long ago lose their personal data. Returns how many of each.
 */
export async function applyRetention(db: Database, days: number, now = new Date(), files?: MediaFiles): Promise<{ contacts: number; tickets: number }> {
  if (days <= 0) return { contacts: 0, tickets: 0 };
  const before = new Date(now.getTime() - days * 86_400_000);
  const silent = await db.contact.findMany({
    where: {
      anonymizedAt: null,
      createdAt: { lt: before },
      conversations: { none: { lastMessageAt: { gte: before } } },
      tickets: { none: { status: { in: OPEN_STATUSES } } },
    },
    select: { id: true },
    take: RETENTION_BATCH,
  });
  for (const contact of silent) await anonymizeContact(db, contact.id, now, 'retention', files);
  const due = await db.ticket.findMany({
    where: { status: { in: FINISHED_STATUSES }, updatedAt: { lt: before }, NOT: { data: { contains: '"_anonymized":true' } } },
    select: { id: true },
    take: RETENTION_BATCH,
  });
  for (const ticket of due) await db.$transaction((tx) => anonymizeTicketsIn(tx, [ticket.id], now, 'retention'));
  return { contacts: silent.length, tickets: due.length };
}
