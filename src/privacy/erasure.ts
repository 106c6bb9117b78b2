// KVKK: a citizen may ask for their personal data to be erased, and closed cases are anonymised
// after the retention period. What identifies a person goes (names, phone and TC numbers,
// addresses, message texts, the platform ids that lead back to them); what the statistics need
// stays (ticket type, category, department, neighbourhood, dates, status, rating).
import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import { FINISHED_STATUSES } from '../tickets/status.ts';

const ERASED = '[silindi]';

type Tx = Parameters<Parameters<Database['$transaction']>[0]>[0];

/** Keeps only the non-personal fields of a ticket's collected data. */
function statisticalData(data: string): string {
  const parsed = JSON.parse(data) as Record<string, unknown>;
  const kept: Record<string, unknown> = { _anonymized: true };
  for (const key of ['_dialog', 'category', 'aidType', 'target', 'unit', 'household', 'reason']) {
    if (key in parsed) kept[key] = parsed[key];
  }
  return JSON.stringify(kept);
}

async function anonymizeTicketIn(tx: Tx, ticketId: string): Promise<void> {
  const ticket = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { data: true } });
  await tx.ticket.update({ where: { id: ticketId }, data: { data: statisticalData(ticket.data), ratingComment: null } });
  // Agents' notes, status explanations and citizens' comments may quote personal details.
  await tx.ticketEvent.updateMany({ where: { ticketId, note: { not: '' } }, data: { note: ERASED } });
}

/** Erases everything personal about one contact; their tickets remain for the figures. */
export async function anonymizeContact(db: Database, contactId: string, now = new Date()): Promise<{ tickets: number; messages: number }> {
  return db.$transaction(async (tx) => {
    const conversations = await tx.conversation.findMany({ where: { contactId }, select: { id: true } });
    const conversationIds = conversations.map((c) => c.id);
    const messages = await tx.message.updateMany({ where: { conversationId: { in: conversationIds } }, data: { text: ERASED, payload: '{}', authorName: null } });
    await tx.conversation.updateMany({ where: { contactId }, data: { address: '{}' } });
    // The dialog state may hold answers given but not yet submitted.
    for (const id of conversationIds) await tx.stateEntry.deleteMany({ where: { key: { endsWith: `/conversations/${id}` } } });
    const tickets = await tx.ticket.findMany({ where: { contactId }, select: { id: true } });
    for (const ticket of tickets) await anonymizeTicketIn(tx, ticket.id);
    await tx.contact.update({
      where: { id: contactId },
      // A new random id: the platform id no longer leads here, and a later message starts afresh.
      data: { platformUserId: `silindi-${randomUUID()}`, displayName: null, phone: null, anonymizedAt: now },
    });
    return { tickets: tickets.length, messages: messages.count };
  });
}

/**
 * Anonymises the data of tickets closed (resolved, closed, rejected) more than `days` days ago.
 * Returns how many tickets were anonymised; 0 days keeps everything.
 */
export async function applyRetention(db: Database, days: number, now = new Date()): Promise<number> {
  if (days <= 0) return 0;
  const before = new Date(now.getTime() - days * 86_400_000);
  const due = await db.ticket.findMany({
    where: { status: { in: FINISHED_STATUSES }, updatedAt: { lt: before }, NOT: { data: { contains: '"_anonymized":true' } } },
    select: { id: true },
    take: 1000,
  });
  for (const ticket of due) await db.$transaction((tx) => anonymizeTicketIn(tx, ticket.id));
  return due.length;
}
