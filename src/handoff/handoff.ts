// Handing a conversation from the bot to a person and back, and everything an agent does to a
// ticket. Every step is recorded (ticket events, stored messages) and the citizen is told, on
// their own channel, in plain Turkish. The console calls these; so does the bot when it escalates.
import type { Config } from '../config.ts';
import type { Opening, Texts } from '../content/bot-texts.ts';
import type { Language } from '../content/languages.ts';
import { fold } from '../nlu/normalize.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { anonymizeContact, type Erasure, type MediaFiles } from '../privacy/erasure.ts';
import { STRUCTURED_KEY } from '../privacy/inventory.ts';
import type { Database } from '../storage/database.ts';
import { parseJsonObject } from '../storage/json-column.ts';
import { changeTickets } from '../tickets/daily-figures.ts';
import { ACTION_ERRORS, EVENT_NOTES } from '../tickets/agent-texts.ts';
import { FINISHED_STATUSES, type TicketStatus } from '../tickets/status.ts';
import type { Tickets } from '../tickets/tickets.ts';
import type { CozumEvents } from '../messaging/events.ts';
import { isOpen, nextOpening } from './working-hours.ts';
import { escalations, queueWait } from '../metrics.ts';

export type HandoffReason = 'requested' | 'misunderstood' | 'emergency' | 'dialog';

const REASON_TEXT: Record<HandoffReason, string> = {
  requested: 'Vatandaş bir görevliyle görüşmek istedi',
  misunderstood: 'Asistan mesajları anlayamadı',
  emergency: 'Acil durum',
  dialog: 'Başvuru bir görevlinin ilgilenmesini gerektiriyor',
};

/** How the console names each role; also what an account's name must not be when shown to citizens. */
export const ROLE_NAMES: Record<string, string> = { agent: 'Görevli', supervisor: 'Süpervizör', admin: 'Yönetici' };

/**
 * The name a citizen reads for an agent: their display name, unless it is only a role ("Yönetici",
 * the default of an admin account made without a name) or empty. Undefined then.
 */
export function agentNameForCitizens(agent: { displayName: string; username?: string; role?: string }): string | undefined {
  const name = agent.displayName.trim();
  const roleWords = [...Object.keys(ROLE_NAMES), ...Object.values(ROLE_NAMES), 'operator', 'operatör', 'temsilci'].map(fold);
  if (name === '' || roleWords.includes(fold(name))) return undefined;
  return name;
}

/** The person acting in the console. */
export interface AgentActor {
  id: string;
  username: string;
  displayName: string;
  role: 'agent' | 'supervisor' | 'admin';
  department: string | null;
  /** The languages the agent answers citizens in (Agent.languages); Turkish when not known. */
  languages?: Language[];
}

export interface Escalation {
  ticketId: string;
  ticketNumber: string;
  department: string;
  /** 1 = next in line. */
  position: number;
  /** When agents are back, if they are not at work now (the citizen reads it as "yarın 08:30"). */
  backAt?: Opening;
  /** The conversation was already waiting for or talking to a person. */
  alreadyQueued: boolean;
}

export class HandoffError extends Error {}

const UNREACHABLE = ACTION_ERRORS.unreachable;

/**
 * Whether a message reaches the conversation's citizen. An Open311 request (open311/) has no chat:
 * its requester is written to by e-mail (integrations/email.ts), when they gave an address and SMTP
 * is set up; otherwise a reply would be stored and read by nobody (they follow the public API).
 */
function reachable(conversation: { channel: string; address: string }, config: Config): boolean {
  if (conversation.channel !== 'open311') return true;
  return config.integrations.smtp.url !== '' && typeof parseJsonObject(conversation.address).email === 'string';
}

/** An emergency's case is due within the hour. */
const URGENT_SLA_HOURS = 1;
/** Conversations read per query when looking for unanswered citizens (`acknowledgeUnanswered`). */
const ACKNOWLEDGE_PAGE = 500;

/** Agents see their own department's cases; supervisors and admins see all. */
export function canSee(agent: AgentActor, ticket: { department: string }): boolean {
  return agent.role !== 'agent' || ticket.department === agent.department;
}

/** The one thing handoff needs from messaging: a message into a citizen's conversation, stored and delivered. */
export interface Notifier {
  notify(conversationId: string, text: string, choices?: string[], from?: { author: 'system' | 'agent'; authorName?: string }): Promise<void>;
}

export class Handoff {
  constructor(
    private readonly deps: {
      db: Database;
      tickets: Tickets;
      /** Sends a message to the citizen's conversation (the messaging adapter does). */
      notifier: Notifier;
      config: Config;
      events: CozumEvents;
      /** What the citizen reads (bot/texts.yaml). */
      texts: Texts;
      /** The same in each language (locales/<language>/bot/texts.yaml): a citizen is told things in their own. */
      languages?: Partial<Record<Language, { texts: Texts }>>;
      clock?: () => Date;
      /** Removes erased media bytes kept outside the database (the media folder store). */
      mediaFiles?: MediaFiles;
    },
  ) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Opens (or finds) the conversation's handoff ticket and puts it in the agents' queue. */
  async escalate(input: {
    conversationId: string;
    contactId: string;
    reason: HandoffReason;
    understood?: { intent: string; confidence: number };
    department?: string;
    detail?: string;
    /** An emergency: first in the queue, with a short deadline. */
    urgent?: boolean;
    /** What the citizen wrote that led here, for the summary; their last message when absent. */
    citizenText?: string;
  }): Promise<Escalation> {
    const { db, config } = this.deps;
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: input.conversationId } });
    const existing = conversation.handoffTicketId && conversation.mode !== 'bot' ? await db.ticket.findUnique({ where: { id: conversation.handoffTicketId } }) : null;
    if (existing) {
      if (input.urgent) await this.markUrgent(input.conversationId, input.detail ?? REASON_TEXT[input.reason]);
      return { ...(await this.queueInfo(existing)), alreadyQueued: true };
    }

    const transcript = await db.message.findMany({ where: { conversationId: input.conversationId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 50 });
    const department = input.department ?? config.handoff.defaultDepartment;
    // The reason and its detail (the configured keyword, a ticket number), never the citizen's own
    // words: a summary outlives an erasure (privacy/inventory.ts). Agents read the words in the transcript.
    const summary = input.detail ? `${REASON_TEXT[input.reason]}: ${input.detail}` : REASON_TEXT[input.reason];
    const ticket = await this.deps.tickets.create({
      contactId: input.contactId,
      conversationId: input.conversationId,
      type: 'handoff',
      category: input.reason,
      department,
      slaHours: input.urgent ? URGENT_SLA_HOURS : config.tickets.defaultSlaHours,
      urgent: input.urgent,
      summary,
      data: {
        reason: input.reason,
        understood: input.understood,
        transcript: transcript.reverse().map((m) => ({ at: m.createdAt.toISOString(), author: m.author, text: m.text })),
        [STRUCTURED_KEY]: ['reason', 'understood'],
      },
    });
    await db.conversation.update({ where: { id: input.conversationId }, data: { mode: 'waiting', handoffTicketId: ticket.id, agentId: null } });
    escalations.inc();
    this.deps.events.emit('ticket', { ticketId: ticket.id, conversationId: input.conversationId });
    this.deps.events.emit('conversation', { conversationId: input.conversationId, mode: 'waiting' });
    return { ...(await this.queueInfo(ticket)), alreadyQueued: false };
  }

  /**
   * The citizen reported an emergency while waiting for or talking to an agent: their case moves
   * to the top of the queue, with a note saying why.
   */
  async markUrgent(conversationId: string, note: string): Promise<void> {
    const { db } = this.deps;
    const conversation = await db.conversation.findUnique({ where: { id: conversationId } });
    if (!conversation?.handoffTicketId || conversation.mode === 'bot') return;
    const ticketId = conversation.handoffTicketId;
    await db.ticket.update({
      where: { id: ticketId },
      data: { urgent: true, events: { create: { kind: 'note', actor: 'bot', note: `${REASON_TEXT.emergency}: ${note}` } } },
    });
    this.deps.events.emit('ticket', { ticketId, conversationId });
  }

  /** An urgent record of an emergency the citizen was told how to deal with (bot/emergencies.yaml). */
  async reportEmergency(input: { conversationId: string; contactId: string; kind: { id: string; title: string; department?: string }; text: string }) {
    const ticket = await this.deps.tickets.create({
      contactId: input.contactId,
      conversationId: input.conversationId,
      type: 'emergency',
      category: input.kind.id,
      department: input.kind.department ?? this.deps.config.handoff.defaultDepartment,
      slaHours: URGENT_SLA_HOURS,
      summary: `${input.kind.title} · ${input.text.slice(0, 80)}`,
      data: { emergency: input.kind.id, _display: { 'Acil durum': input.kind.title, Mesaj: input.text } },
      urgent: true,
    });
    this.deps.events.emit('ticket', { ticketId: ticket.id, conversationId: input.conversationId });
    return ticket;
  }

  private async queueInfo(ticket: { id: string; number: string; department: string; createdAt: Date }) {
    const ahead = await this.deps.db.ticket.count({
      where: { type: 'handoff', status: 'new', department: ticket.department, createdAt: { lt: ticket.createdAt }, conversation: { mode: 'waiting' } },
    });
    const { workingHours } = this.deps.config.handoff;
    return {
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      department: ticket.department,
      position: ahead + 1,
      backAt: nextOpening(this.now(), workingHours, this.deps.config.timeZone),
    };
  }

  /** The agent takes the conversation over: from now on the citizen's messages go to them. */
  async claim(agent: AgentActor, conversationId: string): Promise<void> {
    const { db } = this.deps;
    const { ticket } = await this.handedOver(agent, conversationId);
    // Taken only while nobody holds it: of two agents claiming at the same moment (on one instance
    // or two) one gets it and the other is told who has it; the citizen is told once. The one check:
    // an erased conversation, or one another agent holds, is refused after the update changed nothing.
    const { count: taken } = await db.conversation.updateMany({
      where: { id: conversationId, OR: [{ mode: { notIn: ['agent', 'erased'] } }, { mode: 'agent', agentId: null }] },
      data: { mode: 'agent', agentId: agent.id },
    });
    if (taken === 0) {
      const now = await db.conversation.findUnique({ where: { id: conversationId }, select: { mode: true, agentId: true, agent: { select: { displayName: true } } } });
      if (!now || now.mode === 'erased') throw new HandoffError(ACTION_ERRORS.erased);
      if (now.agentId !== agent.id) throw new HandoffError(ACTION_ERRORS.heldBy(now.agent?.displayName));
      // Already this agent's (a second click): nothing changes.
      return;
    }
    // Leaving the queue: how long the citizen waited for a person since the escalation.
    if (ticket && (ticket.status === 'new' || ticket.status === 'assigned')) queueWait.observe(Math.max(0, (this.now().getTime() - ticket.createdAt.getTime()) / 1000));
    if (ticket) {
      await changeTickets(db, [ticket.id], (tx) => tx.ticket.update({
        where: { id: ticket.id },
        data: {
          assignedAgentId: agent.id,
          status: ticket.status === 'new' || ticket.status === 'assigned' ? 'in_progress' : ticket.status,
          events: { create: { kind: 'assign', status: 'in_progress', actor: agent.username, note: EVENT_NOTES.claimed(agent.displayName) } },
        },
      }));
      this.deps.events.emit('ticket', { ticketId: ticket.id, conversationId });
    }
    this.deps.events.emit('conversation', { conversationId, mode: 'agent' });
    const agentName = agentNameForCitizens(agent);
    const texts = await this.textsFor(conversationId);
    const joined = agentName ? texts.format('agentJoined', { agentName }) : texts.agentJoinedUnnamed;
    await this.deps.notifier.notify(conversationId, joined, [], { author: 'system' });
  }

  /** The agent's answer, delivered on the citizen's own channel (through the outbox). */
  async reply(agent: AgentActor, conversationId: string, text: string): Promise<void> {
    const body = text.trim();
    if (body === '') throw new HandoffError(ACTION_ERRORS.emptyMessage);
    const { conversation } = await this.handedOver(agent, conversationId);
    if (!reachable(conversation, this.deps.config)) throw new HandoffError(UNREACHABLE);
    if (conversation.mode !== 'agent' || conversation.agentId !== agent.id) await this.claim(agent, conversationId);
    await this.deps.notifier.notify(conversationId, body, [], { author: 'agent', authorName: agent.displayName });
    if (conversation.handoffTicketId) {
      const ticketId = conversation.handoffTicketId;
      await changeTickets(this.deps.db, [ticketId], (tx) => tx.ticket.updateMany({ where: { id: ticketId, firstResponseAt: null }, data: { firstResponseAt: this.now() } }));
    }
  }

  /**
   * A public reply from a department's own system (integrations/backoffice.ts): delivered as an
   * agent's reply is, without taking the conversation over (no person holds it), and recorded on
   * the ticket under the system's name. The words themselves are in the transcript only, which an
   * erasure removes; the ticket's history outlives it.
   */
  async publicReply(actor: AgentActor, ticketId: string, text: string): Promise<void> {
    const body = text.trim();
    if (body === '') throw new HandoffError(ACTION_ERRORS.emptyMessage);
    const { db } = this.deps;
    const ticket = await this.visibleTicket(actor, ticketId);
    const conversation = ticket.conversationId ? await db.conversation.findUnique({ where: { id: ticket.conversationId } }) : null;
    if (!conversation || conversation.mode === 'erased' || !reachable(conversation, this.deps.config)) throw new HandoffError(UNREACHABLE);
    await this.deps.notifier.notify(conversation.id, body, [], { author: 'agent', authorName: actor.displayName });
    await changeTickets(db, [ticketId], (tx) => tx.ticket.updateMany({ where: { id: ticketId, firstResponseAt: null }, data: { firstResponseAt: this.now() } }));
    await db.ticketEvent.create({ data: { ticketId, kind: 'reply', actor: actor.username, note: EVENT_NOTES.replied } });
    this.deps.events.emit('ticket', { ticketId, conversationId: conversation.id });
  }

  /** A note for colleagues; the citizen never sees it. */
  async addNote(agent: AgentActor, ticketId: string, text: string): Promise<void> {
    const note = text.trim();
    if (note === '') throw new HandoffError(ACTION_ERRORS.emptyNote);
    const ticket = await this.visibleTicket(agent, ticketId);
    await this.deps.db.ticketEvent.create({ data: { ticketId, kind: 'note', actor: agent.username, note } });
    this.deps.events.emit('ticket', { ticketId, conversationId: ticket.conversationId });
  }

  /** Moves a ticket to another department or agent; its conversation goes back to the queue. */
  async transfer(agent: AgentActor, ticketId: string, target: { department?: string; agentId?: string }, note = ''): Promise<void> {
    const { db } = this.deps;
    const ticket = await this.visibleTicket(agent, ticketId);
    const toAgent = target.agentId ? await db.agent.findUnique({ where: { id: target.agentId } }) : null;
    if (target.agentId && !toAgent) throw new HandoffError(ACTION_ERRORS.noSuchAgent);
    const department = target.department ?? toAgent?.department ?? ticket.department;
    const to = toAgent ? `${toAgent.displayName} (${department})` : department;
    await changeTickets(db, [ticketId], (tx) => tx.ticket.update({
      where: { id: ticketId },
      data: {
        department,
        assignedAgentId: toAgent?.id ?? null,
        status: 'assigned',
        events: { create: { kind: 'transfer', status: 'assigned', actor: agent.username, note: [EVENT_NOTES.transferred(to), note].filter(Boolean).join(' ') } },
      },
    }));
    if (ticket.conversationId) {
      const conversation = await db.conversation.findUnique({ where: { id: ticket.conversationId } });
      if (conversation?.handoffTicketId === ticketId && conversation.mode !== 'bot') {
        await db.conversation.update({ where: { id: conversation.id }, data: { mode: toAgent ? 'agent' : 'waiting', agentId: toAgent?.id ?? null } });
        this.deps.events.emit('conversation', { conversationId: conversation.id, mode: toAgent ? 'agent' : 'waiting' });
      }
      const texts = await this.textsFor(ticket.conversationId);
      await this.deps.notifier.notify(ticket.conversationId, texts.format('transferred', { number: ticket.number, department }), [], { author: 'system' });
    }
    this.deps.events.emit('ticket', { ticketId, conversationId: ticket.conversationId });
  }

  /** The agent hands the conversation back to the bot. */
  async release(agent: AgentActor, conversationId: string): Promise<void> {
    const { db } = this.deps;
    const { conversation } = await this.handedOver(agent, conversationId);
    if (conversation.mode === 'bot' || conversation.mode === 'erased') return;
    if (conversation.agentId && conversation.agentId !== agent.id && agent.role === 'agent') throw new HandoffError(ACTION_ERRORS.heldBy(undefined));
    await db.conversation.update({ where: { id: conversationId }, data: { mode: 'bot', agentId: null, handoffTicketId: null } });
    if (conversation.handoffTicketId) {
      await db.ticketEvent.create({ data: { ticketId: conversation.handoffTicketId, kind: 'note', actor: agent.username, note: EVENT_NOTES.released } });
      this.deps.events.emit('ticket', { ticketId: conversation.handoffTicketId, conversationId });
    }
    this.deps.events.emit('conversation', { conversationId, mode: 'bot' });
    await this.deps.notifier.notify(conversationId, (await this.textsFor(conversationId)).talkEnded, [], { author: 'system' });
  }

  /** The texts in a language stored on a contact (Turkish when none or unknown). */
  private textsIn(language: string | null | undefined): Texts {
    return (language && this.deps.languages?.[language as Language]?.texts) || this.deps.texts;
  }

  /** The texts in the language of the citizen of a conversation: an agent's action reaches them in it. */
  private async textsFor(conversationId: string): Promise<Texts> {
    if (!this.deps.languages) return this.deps.texts;
    const conversation = await this.deps.db.conversation.findUnique({ where: { id: conversationId }, select: { contact: { select: { language: true } } } });
    return this.textsIn(conversation?.contact.language);
  }

  /** Whether an agent who speaks `language` is at work now: an active account listing it, within working hours. */
  async speakerAvailable(language: Language): Promise<boolean> {
    const { workingHours } = this.deps.config.handoff;
    if (!isOpen(this.now(), workingHours, this.deps.config.timeZone)) return false;
    const accounts = await this.deps.db.agent.findMany({ where: { active: true }, select: { languages: true } });
    return accounts.some((account) => account.languages.split(',').map((code) => code.trim()).includes(language));
  }

  /** Changes a ticket's status; the citizen is told, and asked to rate when it is resolved. */
  async setStatus(agent: AgentActor, ticketId: string, status: TicketStatus, note = ''): Promise<void> {
    const { db } = this.deps;
    const ticket = await this.visibleTicket(agent, ticketId);
    if (status === 'rejected' && note.trim() === '') throw new HandoffError(ACTION_ERRORS.rejectWithoutReason);
    await this.deps.tickets.changeStatus(ticketId, status, agent.username, note.trim());
    this.deps.events.emit('ticket', { ticketId, conversationId: ticket.conversationId });
    if (!ticket.conversationId) return;

    const texts = await this.textsFor(ticket.conversationId);
    const lines = [texts.format('statusChanged', { number: ticket.number, status: texts.statusName(status) })];
    // A note may quote the ticket (a TC number, a phone): masked, except the municipality's own lines.
    const shown = maskPersonalData(note.trim(), { keepPhones: Object.values(this.deps.config.municipality.phones).map(String) });
    if (shown) lines.push(texts.format(status === 'rejected' ? 'statusReason' : 'statusNote', { note: shown }));
    if (FINISHED_STATUSES.includes(status)) {
      const conversation = await db.conversation.findUnique({ where: { id: ticket.conversationId } });
      if (conversation?.handoffTicketId === ticketId && conversation.mode !== 'bot') {
        await db.conversation.update({ where: { id: conversation.id }, data: { mode: 'bot', agentId: null, handoffTicketId: null } });
        this.deps.events.emit('conversation', { conversationId: conversation.id, mode: 'bot' });
      }
    }
    // An Open311 requester reads this by e-mail and has no way to answer with a score.
    const rated = status === 'resolved' && (await db.conversation.findUnique({ where: { id: ticket.conversationId }, select: { channel: true } }))?.channel !== 'open311';
    if (rated) {
      lines.push(texts.askRating);
      await db.ticketEvent.create({ data: { ticketId, kind: 'rating_request', actor: 'bot', note: '' } });
      await this.deps.notifier.notify(ticket.conversationId, lines.join('\n'), ['1', '2', '3', '4', '5'], { author: 'system' });
      return;
    }
    await this.deps.notifier.notify(ticket.conversationId, lines.join('\n'), [], { author: 'system' });
  }

  /**
   * The citizen never talks into silence: each conversation waiting for or held by a person whose
   * last message is the citizen's, unanswered for `handoff.acknowledgeAfterMinutes`, gets one short
   * acknowledgement: the queue position and hours while waiting, the agent's name once claimed.
   * The acknowledgement is the conversation's last message then, so it is sent once per unanswered
   * message (or burst of messages). Run every half minute by main.ts; returns how many were sent.
   */
  async acknowledgeUnanswered(now: Date = this.now()): Promise<number> {
    const { db, config } = this.deps;
    const before = new Date(now.getTime() - config.handoff.acknowledgeAfterMinutes * 60_000);
    let sent = 0;
    // Read a page at a time: the last message of every conversation is one query per page, and a
    // centre with thousands of conversations with a person went over the database's parameter limit.
    for (let after: string | undefined; ; ) {
      const conversations = await db.conversation.findMany({
        where: { mode: { in: ['waiting', 'agent'] } },
        orderBy: { id: 'asc' },
        take: ACKNOWLEDGE_PAGE,
        ...(after ? { cursor: { id: after }, skip: 1 } : {}),
        select: {
          id: true,
          mode: true,
          handoffTicketId: true,
          agent: { select: { displayName: true } },
          contact: { select: { language: true } },
          messages: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1, select: { direction: true, createdAt: true } },
        },
      });
      sent += await this.acknowledgePage(conversations, before);
      if (conversations.length < ACKNOWLEDGE_PAGE) return sent;
      after = conversations[conversations.length - 1]!.id;
    }
  }

  private async acknowledgePage(
    conversations: { id: string; mode: string; handoffTicketId: string | null; agent: { displayName: string } | null; contact: { language: string | null }; messages: { direction: string; createdAt: Date }[] }[],
    before: Date,
  ): Promise<number> {
    const { db } = this.deps;
    let sent = 0;
    for (const conversation of conversations) {
      const last = conversation.messages[0];
      if (!last || last.direction !== 'in' || last.createdAt > before) continue;
      let text: string;
      const texts = this.textsIn(conversation.contact.language);
      if (conversation.mode === 'agent') {
        const agentName = conversation.agent ? agentNameForCitizens(conversation.agent) : undefined;
        text = agentName ? texts.format('agentAck', { agentName }) : texts.agentAckUnnamed;
      } else {
        const ticket = conversation.handoffTicketId ? await db.ticket.findUnique({ where: { id: conversation.handoffTicketId } }) : null;
        if (!ticket) continue;
        const { position, backAt } = await this.queueInfo(ticket);
        text = backAt ? texts.format('waitingAckOutOfHours', { position, backAt: texts.opening(backAt) }) : texts.format('waitingAck', { position });
      }
      await this.deps.notifier.notify(conversation.id, text, [], { author: 'system' });
      sent += 1;
    }
    return sent;
  }

  /**
   * An account was closed (someone left the centre): the conversations it held go back to the
   * queue, with the citizen told, and its open tickets lose their assignee, so that nobody waits
   * for a person who will not come back.
   */
  async agentClosed(admin: AgentActor, closed: { id: string; displayName: string }): Promise<void> {
    const { db } = this.deps;
    const held = await db.conversation.findMany({ where: { agentId: closed.id, mode: 'agent' }, select: { id: true, handoffTicketId: true } });
    for (const conversation of held) {
      await db.conversation.update({ where: { id: conversation.id }, data: { mode: 'waiting', agentId: null } });
      if (conversation.handoffTicketId) {
        await db.ticketEvent.create({ data: { ticketId: conversation.handoffTicketId, kind: 'assign', actor: admin.username, note: EVENT_NOTES.accountClosed(closed.displayName) } });
        this.deps.events.emit('ticket', { ticketId: conversation.handoffTicketId, conversationId: conversation.id });
      }
      this.deps.events.emit('conversation', { conversationId: conversation.id, mode: 'waiting' });
      await this.deps.notifier.notify(conversation.id, (await this.textsFor(conversation.id)).handedToAnotherAgent, [], { author: 'system' });
    }
    await db.ticket.updateMany({ where: { assignedAgentId: closed.id, status: { notIn: [...FINISHED_STATUSES] } }, data: { assignedAgentId: null } });
  }

  /** The citizen wrote `iptal` or `menü` while waiting for or talking to a person. */
  async citizenLeft(conversationId: string): Promise<void> {
    const { db } = this.deps;
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    if (conversation.mode === 'bot') return;
    await db.conversation.update({ where: { id: conversationId }, data: { mode: 'bot', agentId: null, handoffTicketId: null } });
    if (conversation.handoffTicketId) {
      await db.ticketEvent.create({ data: { ticketId: conversation.handoffTicketId, kind: 'note', actor: 'citizen', note: EVENT_NOTES.citizenLeft } });
      this.deps.events.emit('ticket', { ticketId: conversation.handoffTicketId, conversationId });
    }
    this.deps.events.emit('conversation', { conversationId, mode: 'bot' });
  }

  /**
   * The citizen had their personal data erased (KVKK, privacy/erasure.ts): a handoff still open
   * ends with it, and open consoles are told, so the agent sees why the conversation stopped.
   */
  async citizenErased(contactId: string): Promise<Erasure> {
    const erasure = await anonymizeContact(this.deps.db, contactId, this.now(), 'erasure', this.deps.mediaFiles);
    for (const ended of erasure.endedHandoffs) this.deps.events.emit('ticket', { ticketId: ended.ticketId, conversationId: ended.conversationId });
    for (const conversationId of erasure.conversationIds) this.deps.events.emit('conversation', { conversationId, mode: 'erased' });
    return erasure;
  }

  /** The citizen's rating of a resolved ticket they were asked about, if one is waiting for it. */
  async pendingRating(conversationId: string): Promise<{ id: string; number: string; resolvedAt: Date | null } | null> {
    return this.deps.db.ticket.findFirst({
      where: { conversationId, status: 'resolved', rating: null, events: { some: { kind: 'rating_request' } } },
      orderBy: { resolvedAt: 'desc' },
      select: { id: true, number: true, resolvedAt: true },
    });
  }

  async rate(ticketId: string, rating: number, comment?: string): Promise<void> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new HandoffError(ACTION_ERRORS.ratingOutOfRange);
    await changeTickets(this.deps.db, [ticketId], (tx) =>
      tx.ticket.update({
        where: { id: ticketId },
        data: { rating, ratingComment: comment, events: { create: { kind: 'rating', actor: 'citizen', note: comment ? `${rating}/5 · ${comment}` : `${rating}/5` } } },
      }),
    );
    this.deps.events.emit('ticket', { ticketId });
  }

  async comment(ticketId: string, comment: string): Promise<void> {
    await this.deps.db.ticket.update({ where: { id: ticketId }, data: { ratingComment: comment.slice(0, 1000), events: { create: { kind: 'note', actor: 'citizen', note: EVENT_NOTES.ratingComment(comment.slice(0, 1000)) } } } });
    this.deps.events.emit('ticket', { ticketId });
  }

  /**
   * A conversation and its handoff ticket, for an action on the conversation itself (claim, reply,
   * release): refused when that ticket belongs to another department than the agent's. Seeing the
   * conversation (through an older ticket of one's own department) is not enough to act on it.
   */
  private async handedOver(agent: AgentActor, conversationId: string) {
    const { db } = this.deps;
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { agent: true } });
    const ticket = conversation.handoffTicketId ? await db.ticket.findUnique({ where: { id: conversation.handoffTicketId } }) : null;
    if (ticket && !canSee(agent, ticket)) throw new HandoffError(ACTION_ERRORS.otherDepartment);
    return { conversation, ticket };
  }

  private async visibleTicket(agent: AgentActor, ticketId: string) {
    const ticket = await this.deps.db.ticket.findUnique({ where: { id: ticketId } });
    if (!ticket || !canSee(agent, ticket)) throw new HandoffError(ACTION_ERRORS.noSuchTicket);
    return ticket;
  }
}
