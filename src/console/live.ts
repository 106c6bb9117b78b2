// Server-sent events for the console's live views. Only small "changed" notices travel (what
// kind of thing changed and its ids); the page refetches what it shows. A comment line every
// 25 seconds keeps proxies from closing the stream and checks that the session still exists.
//
// Most messages are citizens talking with the bot, which no console view shows: a busy morning is
// hundreds a second. A message's notice goes out only when a person answers or is awaited in its
// conversation (HandoffConversations), or to the page showing that very conversation.
//
// An agent hears only of what they may open (EventAudience): a conversation one of whose tickets
// belongs to their department, a ticket of their department. Supervisors and admins hear of all.
import type { Request, Response } from 'express';
import type { CozumEvents, CozumEventMap } from '../messaging/events.ts';
import type { AgentActor } from '../handoff/handoff.ts';
import type { Database } from '../storage/database.ts';
import type { ConsoleAuth, ConsoleSession } from './auth.ts';

export const HEARTBEAT_MS = 25_000;

/** The conversations not in the bot's hands (waiting for or held by an agent), kept up to date from the events. */
export class HandoffConversations {
  private readonly ids = new Set<string>();
  private loaded = false;
  /** Conversations whose mode an event told while the first load ran: the event is newer than the load. */
  private readonly changedWhileLoading = new Set<string>();

  constructor(
    private readonly db: Database,
    events: CozumEvents,
  ) {
    // Every change of who answers a conversation is announced as a 'conversation' event.
    events.on('conversation', ({ conversationId, mode }) => {
      if (mode === 'bot') this.ids.delete(conversationId);
      else this.ids.add(conversationId);
      if (!this.loaded) this.changedWhileLoading.add(conversationId);
    });
    void this.load().catch(() => undefined);
  }

  /** True also before the first load has finished: then every notice goes out, as it did before. */
  has(conversationId: string): boolean {
    return !this.loaded || this.ids.has(conversationId);
  }

  private async load(): Promise<void> {
    const rows = await this.db.conversation.findMany({ where: { mode: { not: 'bot' } }, select: { id: true } });
    for (const row of rows) if (!this.changedWhileLoading.has(row.id)) this.ids.add(row.id);
    this.loaded = true;
    this.changedWhileLoading.clear();
  }
}

/**
 * The departments whose agents may hear of an event. Every open stream receives the same event
 * object, so the answer is looked up once per event (WeakMap on the event) however many agents
 * are listening.
 */
export class EventAudience {
  private readonly answers = new WeakMap<object, Promise<Set<string>>>();

  constructor(private readonly db: Database) {}

  /** Departments of the conversation's tickets: as ConsoleViews.canOpenConversation decides. */
  ofConversation(event: { conversationId: string }): Promise<Set<string>> {
    return this.once(event, async () => {
      const rows = await this.db.ticket.findMany({ where: { conversationId: event.conversationId }, select: { department: true }, distinct: ['department'] });
      return new Set(rows.map((row) => row.department));
    });
  }

  /** The ticket's department (canSee in handoff.ts). */
  ofTicket(event: { ticketId: string }): Promise<Set<string>> {
    return this.once(event, async () => {
      const row = await this.db.ticket.findUnique({ where: { id: event.ticketId }, select: { department: true } });
      return new Set(row ? [row.department] : []);
    });
  }

  private once(event: object, lookup: () => Promise<Set<string>>): Promise<Set<string>> {
    let answer = this.answers.get(event);
    if (!answer) {
      answer = lookup().catch(() => new Set<string>());
      this.answers.set(event, answer);
    }
    return answer;
  }
}

/** Whether the agent may hear of something that concerns these departments. */
function mayHear(agent: AgentActor, departments: Set<string>): boolean {
  return agent.role !== 'agent' || (agent.department !== null && departments.has(agent.department));
}

export interface StreamOptions {
  /** The conversation the page shows: its messages are announced whoever answers it. */
  conversationId?: string;
  heartbeatMs?: number;
}

export function streamEvents(
  events: CozumEvents,
  handoffs: HandoffConversations,
  audience: EventAudience,
  auth: ConsoleAuth,
  session: ConsoleSession,
  request: Request,
  response: Response,
  options: StreamOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Connection', 'keep-alive');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  response.write('retry: 3000\n\n');

  let closed = false;
  const send = (data: Record<string, unknown>) => {
    if (!closed) response.write(`event: changed\ndata: ${JSON.stringify(data)}\n\n`);
  };
  // Notices wait for their audience in the order the events came: a stream never tells of a later
  // change before an earlier one.
  let queue = Promise.resolve();
  const sendIfAllowed = (departments: (() => Promise<Set<string>>) | undefined, data: Record<string, unknown>) => {
    if (!departments || session.agent.role !== 'agent') {
      queue = queue.then(() => send(data)).catch(() => undefined);
      return;
    }
    const answer = departments();
    queue = queue
      .then(async () => {
        if (mayHear(session.agent, await answer)) send(data);
      })
      .catch(() => undefined);
  };
  const onMessage = (e: CozumEventMap['message'][0]) => {
    const data = { kind: 'message', conversationId: e.conversationId, direction: e.direction };
    // The page of one conversation was allowed when the stream opened.
    if (e.conversationId === options.conversationId) sendIfAllowed(undefined, data);
    else if (handoffs.has(e.conversationId)) sendIfAllowed(() => audience.ofConversation(e), data);
  };
  // A photo or voice note finished arriving: the page of its conversation redraws it (as for a message).
  const onMedia = (e: CozumEventMap['media'][0]) => {
    if (e.conversationId === options.conversationId) sendIfAllowed(undefined, { kind: 'message', conversationId: e.conversationId, direction: 'in' });
  };
  const onConversation = (e: CozumEventMap['conversation'][0]) => sendIfAllowed(() => audience.ofConversation(e), { kind: 'conversation', conversationId: e.conversationId });
  const onTicket = (e: CozumEventMap['ticket'][0]) => sendIfAllowed(() => audience.ofTicket(e), { kind: 'ticket', ticketId: e.ticketId, conversationId: e.conversationId ?? null });
  events.on('message', onMessage);
  events.on('conversation', onConversation);
  events.on('ticket', onTicket);
  events.on('media', onMedia);

  const timer = setInterval(() => {
    auth
      .stillValid(session.id)
      .then((valid) => {
        if (closed) return;
        if (valid) return void response.write(': ping\n\n');
        response.write('event: logout\ndata: {}\n\n');
        response.end();
        cleanup();
      })
      .catch(() => undefined);
  }, heartbeatMs);
  timer.unref();

  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    events.off('message', onMessage);
    events.off('conversation', onConversation);
    events.off('ticket', onTicket);
    events.off('media', onMedia);
  };
  request.on('close', cleanup);
  response.on('close', cleanup);
}
