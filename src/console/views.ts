// What the console's pages read: the queue and one conversation with its tickets. Every query
// takes the agent into account: agents see their own department's cases only.
import { canSee, type AgentActor } from '../handoff/handoff.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { OPEN_STATUSES, statusName, typeName } from '../tickets/status.ts';
import { channelName, languageName, type Catalog } from './catalog.ts';
import { DEFAULT_LANGUAGE, type Language } from '../content/languages.ts';
import { parseJsonObject } from '../storage/json-column.ts';

export type QueueScope = 'mine' | 'department' | 'all';

/** One screen of the queue. */
export interface QueuePage {
  limit: number;
  offset: number;
}

/** Rows per page of the queue when the page does not say. */
export const QUEUE_PAGE = 50;
export const QUEUE_PAGE_MAX = 200;

const MODE_NAMES: Record<string, string> = { bot: 'Asistanda', waiting: 'Görevli bekliyor', agent: 'Görevlide', erased: 'Veriler silindi' };

function citizenName(contact: { displayName: string | null; anonymizedAt: Date | null }): string {
  if (contact.anonymizedAt) return 'Anonimleştirilmiş vatandaş';
  return contact.displayName?.trim() || 'Vatandaş';
}

interface Coordinates {
  latitude: number;
  longitude: number;
}

function isCoordinates(value: unknown): value is Coordinates {
  const v = value as Partial<Coordinates> | null;
  return Boolean(v) && typeof v!.latitude === 'number' && typeof v!.longitude === 'number' && Math.abs(v!.latitude) <= 90 && Math.abs(v!.longitude) <= 180;
}

interface MediaRef {
  kind: string;
  fileId?: string;
  mimeType?: string;
}

/** A photo, voice note or file as the console shows it: its address, and how its download went. */
export interface MediaView {
  id: string;
  kind: string;
  /** pending (arriving) | stored | refused | failed */
  status: string;
  reason: string | null;
  mimeType: string | null;
  size: number | null;
  /** Only for a stored one: /console/api/media/<id> (session-checked), and its thumbnail for images. */
  url: string | null;
  thumbUrl: string | null;
  at: string;
}

type MediaRow = { id: string; messageId: string; position: number; kind: string; status: string; reason: string | null; mimeType: string | null; size: number | null; createdAt: Date };

function mediaView(row: MediaRow): MediaView {
  const stored = row.status === 'stored';
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    reason: row.reason,
    mimeType: row.mimeType,
    size: row.size,
    url: stored ? `/console/api/media/${row.id}` : null,
    thumbUrl: stored && row.kind === 'image' ? `/console/api/media/${row.id}?thumb=1` : null,
    at: row.createdAt.toISOString(),
  };
}

function mediaOf(value: unknown): MediaRef[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((m): m is Record<string, unknown> => Boolean(m) && typeof m === 'object')
    .map((m) => ({ kind: String(m.kind ?? 'other'), fileId: typeof m.fileId === 'string' ? m.fileId : undefined, mimeType: typeof m.mimeType === 'string' ? m.mimeType : undefined }));
}

/** Why a contact's data was erased: their own request, the retention period, or (no ticket tells) unknown. */
function erasedBy(tickets: { events: { kind: string }[] }[]): 'request' | 'retention' | 'unknown' {
  const kinds = new Set(tickets.flatMap((t) => t.events.map((e) => e.kind)));
  return kinds.has('erasure') ? 'request' : kinds.has('retention') ? 'retention' : 'unknown';
}

/**
 * The queue's order: emergencies first; then the cases in a language other than Turkish that the
 * agent speaks (few agents can take them, so they wait first for those who can), then the rest of
 * the agent's languages, then the cases in languages the agent does not speak; oldest first within
 * each. All from the queue index (language is its last column): no row is read to order them.
 */
function queueOrder(agent: AgentActor): Prisma.Sql {
  const spoken = agent.languages ?? [DEFAULT_LANGUAGE];
  const foreign = spoken.filter((language) => language !== DEFAULT_LANGUAGE);
  const rank = Prisma.sql`CASE ${foreign.length > 0 ? Prisma.sql`WHEN q."language" IN (${Prisma.join(foreign)}) THEN 0` : Prisma.empty}
    WHEN q."language" IN (${Prisma.join(spoken)}) THEN 1 ELSE 2 END`;
  return Prisma.sql`q."urgent" DESC, ${rank} ASC, q."createdAt" ASC, q."id" ASC`;
}

export class ConsoleViews {
  constructor(
    private readonly db: Database,
    private readonly catalog: Catalog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Open tickets (the handoff queue and the dialogs' tickets): urgent ones first, then oldest first,
   * one page of them (`limit` from `offset`) with the counts of the whole queue, both from the
   * database: a refresh costs the same however many tickets are open.
   */
  async queue(agent: AgentActor, scope: QueueScope, department?: string, page: QueuePage = { limit: QUEUE_PAGE, offset: 0 }, language?: Language) {
    const { where, inQueue } = this.queueQuery(agent, scope, department, language);
    const [ids, counted] = await Promise.all([
      // Emergencies first, then the agent's languages, then oldest first; only this page's rows are read afterwards.
      this.db.$queryRaw<{ id: string }[]>(Prisma.sql`
        SELECT q."id" FROM (${inQueue(where)}) AS q ORDER BY ${queueOrder(agent)} LIMIT ${page.limit} OFFSET ${page.offset}`),
      this.queueCounts(inQueue(where), where, agent.id, scope === 'mine'),
    ]);
    return { items: await this.queueItems(agent, ids.map((row) => row.id)), page: { limit: page.limit, offset: page.offset }, counts: counted };
  }

  /**
   * The rows of the queue a live notice is about (tickets by id, and the tickets of conversations),
   * those of them that are in this agent's queue now, with the queue's counts: the page puts them
   * in place, and takes away the rows it shows of those asked that are not here, instead of asking
   * for the whole page again at every notice.
   */
  async queueRows(agent: AgentActor, scope: QueueScope, department: string | undefined, asked: { tickets: string[]; conversations: string[] }, language?: Language) {
    const { where, inQueue } = this.queueQuery(agent, scope, department, language);
    const which = [
      ...(asked.tickets.length > 0 ? [Prisma.sql`t."id" IN (${Prisma.join(asked.tickets)})`] : []),
      ...(asked.conversations.length > 0 ? [Prisma.sql`t."conversationId" IN (${Prisma.join(asked.conversations)})`] : []),
    ];
    if (which.length === 0) return { items: [], counts: await this.queueCounts(inQueue(where), where, agent.id, scope === 'mine') };
    const only = Prisma.sql`${where} AND (${Prisma.join(which, ' OR ')})`;
    const [ids, counted] = await Promise.all([
      this.db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT q."id" FROM (${inQueue(only)}) AS q ORDER BY ${queueOrder(agent)}`),
      this.queueCounts(inQueue(where), where, agent.id, scope === 'mine'),
    ]);
    return { items: await this.queueItems(agent, ids.map((row) => row.id)), counts: counted };
  }

  /** Which tickets are in an agent's queue: the conditions, and the statement listing them under conditions. */
  private queueQuery(agent: AgentActor, scope: QueueScope, department?: string, language?: Language) {
    const conditions = [Prisma.sql`t."status" IN (${Prisma.join(OPEN_STATUSES)})`];
    const inDepartment = agent.role === 'agent' ? (agent.department ?? '') : scope === 'department' && (department || agent.department) ? department || agent.department! : undefined;
    if (inDepartment !== undefined) conditions.push(Prisma.sql`t."department" = ${inDepartment}`);
    if (language) conditions.push(Prisma.sql`t."language" = ${language}`);
    const where = Prisma.join(conditions, ' AND ');
    // The tickets in the queue, as index entries: "mine" is what is assigned to the agent and what
    // is in conversations the agent holds, each found through its own index.
    const columns = Prisma.sql`t."id", t."urgent", t."createdAt", t."dueAt", t."language"`;
    const inQueue = (where: Prisma.Sql) =>
      scope === 'mine'
        ? Prisma.sql`SELECT ${columns} FROM "Ticket" t WHERE t."assignedAgentId" = ${agent.id} AND ${where}
            UNION SELECT ${columns} FROM "Conversation" v JOIN "Ticket" t ON t."conversationId" = v."id" WHERE v."agentId" = ${agent.id} AND ${where}`
        : Prisma.sql`SELECT ${columns} FROM "Ticket" t WHERE ${where}`;
    return { where, inQueue };
  }

  /** The queue's rows for these tickets, in the order given. */
  private async queueItems(agent: AgentActor, ids: string[]) {
    const found = ids.length === 0 ? [] : await this.db.ticket.findMany({
      where: { id: { in: ids } },
      // Not the dialog's answers (`data`): the list shows the summary.
      select: {
        id: true, number: true, type: true, category: true, department: true, neighbourhood: true, status: true, urgent: true, summary: true, language: true,
        createdAt: true, dueAt: true, assignedAgentId: true,
        contact: { select: { displayName: true, anonymizedAt: true, channel: true } },
        assignedAgent: { select: { displayName: true } },
        conversation: { select: { id: true, channel: true, mode: true, handoffTicketId: true, agentId: true, agent: { select: { displayName: true } } } },
      },
    });
    const byId = new Map(found.map((t) => [t.id, t]));
    const rows = ids.flatMap((id) => byId.get(id) ?? []);
    return rows.map((t) => {
      const conversation = t.conversation;
      const holds = conversation?.handoffTicketId === t.id;
      const channel = conversation?.channel ?? t.contact.channel;
      return {
        ticketId: t.id,
        number: t.number,
        type: t.type,
        typeName: typeName(t.type),
        category: t.category,
        categoryName: this.catalog.categoryName(t.type, t.category),
        department: t.department,
        neighbourhood: t.neighbourhood,
        status: t.status,
        statusName: statusName(t.status),
        urgent: t.urgent,
        summary: t.summary,
        language: t.language,
        languageName: languageName(t.language),
        createdAt: t.createdAt.toISOString(),
        dueAt: t.dueAt.toISOString(),
        channel,
        channelName: channelName(channel),
        citizen: citizenName(t.contact),
        conversationId: conversation?.id ?? null,
        waiting: holds && conversation?.mode === 'waiting',
        live: holds && conversation?.mode === 'agent',
        agentName: t.assignedAgent?.displayName ?? (holds ? conversation?.agent?.displayName : undefined) ?? null,
        mine: t.assignedAgentId === agent.id || (holds && conversation?.agentId === agent.id),
      };
    });
  }

  /**
   * The counts of the whole queue, each from an index: totals from Ticket's (status, department,
   * urgent, createdAt, dueAt) alone; "waiting" from the few conversations waiting for a person;
   * "mine" from the agent's assigned tickets and held conversations. Joining every open ticket to
   * its conversation took a second at 21,000 open tickets.
   */
  private async queueCounts(inQueue: Prisma.Sql, where: Prisma.Sql, agentId: string, mineOnly: boolean) {
    const now = this.clock();
    type Count = { n: number | bigint | null };
    const [[totals], [waiting], [mine]] = await Promise.all([
      this.db.$queryRaw<Record<'total' | 'urgent' | 'overdue', number | bigint | null>[]>(Prisma.sql`
        SELECT COUNT(*) AS total, SUM(CASE WHEN q."urgent" THEN 1 ELSE 0 END) AS urgent, SUM(CASE WHEN q."dueAt" < ${now} THEN 1 ELSE 0 END) AS overdue
        FROM (${inQueue}) AS q`),
      // "Waiting" and "live" belong to the ticket a conversation's handoff holds, as on each row.
      this.db.$queryRaw<Count[]>(Prisma.sql`
        SELECT COUNT(*) AS n FROM "Conversation" v JOIN "Ticket" t ON t."id" = v."handoffTicketId"
        WHERE v."mode" = 'waiting' AND ${where} ${mineOnly ? Prisma.sql`AND (t."assignedAgentId" = ${agentId} OR v."agentId" = ${agentId})` : Prisma.empty}`),
      this.db.$queryRaw<Count[]>(Prisma.sql`
        SELECT COUNT(*) AS n FROM (
          SELECT t."id" FROM "Ticket" t WHERE t."assignedAgentId" = ${agentId} AND ${where}
          UNION
          SELECT t."id" FROM "Conversation" v JOIN "Ticket" t ON t."id" = v."handoffTicketId" WHERE v."agentId" = ${agentId} AND ${where}
        ) AS mine`),
    ]);
    const count = (value: number | bigint | null | undefined) => Number(value ?? 0);
    return { total: count(totals?.total), waiting: count(waiting?.n), urgent: count(totals?.urgent), overdue: count(totals?.overdue), mine: count(mine?.n) };
  }

  /** Whether the agent may open this conversation: one of its tickets is theirs to see. */
  async canOpenConversation(agent: AgentActor, conversationId: string): Promise<boolean> {
    const conversation = await this.db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } });
    if (!conversation) return false;
    if (agent.role !== 'agent') return true;
    const visible = await this.db.ticket.count({ where: { conversationId, department: agent.department ?? '' } });
    return visible > 0;
  }

  async ticketVisible(agent: AgentActor, ticketId: string): Promise<boolean> {
    const ticket = await this.db.ticket.findUnique({ where: { id: ticketId }, select: { department: true } });
    return Boolean(ticket && canSee(agent, ticket));
  }

  /** A conversation with its transcript, the ticket in focus, and the citizen's other tickets. */
  async conversation(agent: AgentActor, conversationId: string, focusTicketId?: string) {
    if (!(await this.canOpenConversation(agent, conversationId))) return undefined;
    const conversation = await this.db.conversation.findUniqueOrThrow({
      where: { id: conversationId },
      include: { contact: true, agent: { select: { id: true, displayName: true } } },
    });
    const messages = (await this.db.message.findMany({ where: { conversationId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 500 })).reverse();
    const mediaRows = await this.db.media.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'asc' }, { position: 'asc' }],
      select: { id: true, messageId: true, position: true, kind: true, status: true, reason: true, mimeType: true, size: true, createdAt: true },
    });
    const mediaByMessage = new Map<string, MediaView[]>();
    for (const row of mediaRows) mediaByMessage.set(row.messageId, [...(mediaByMessage.get(row.messageId) ?? []), mediaView(row)]);
    const tickets = await this.db.ticket.findMany({
      where: { contactId: conversation.contactId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 50,
      include: { events: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }, assignedAgent: { select: { displayName: true } } },
    });
    const visible = tickets.filter((t) => canSee(agent, t));
    const own = visible.filter((t) => t.conversationId === conversationId);
    const focus =
      own.find((t) => t.id === focusTicketId) ??
      own.find((t) => t.id === conversation.handoffTicketId) ??
      own.find((t) => (OPEN_STATUSES as string[]).includes(t.status)) ??
      own[0];

    const actors = new Set(focus?.events.map((e) => e.actor) ?? []);
    const names = new Map((await this.db.agent.findMany({ where: { username: { in: [...actors] } }, select: { username: true, displayName: true } })).map((a) => [a.username, a.displayName]));
    const actorName = (actor: string) => (actor === 'bot' ? 'Asistan' : actor === 'citizen' ? 'Vatandaş' : (names.get(actor) ?? actor));

    return {
      conversation: {
        id: conversation.id,
        channel: conversation.channel,
        channelName: channelName(conversation.channel),
        mode: conversation.mode,
        modeName: MODE_NAMES[conversation.mode] ?? conversation.mode,
        agent: conversation.agent,
        mine: conversation.mode === 'agent' && conversation.agentId === agent.id,
        handoffTicketId: conversation.handoffTicketId,
        lastMessageAt: conversation.lastMessageAt.toISOString(),
      },
      citizen: {
        name: citizenName(conversation.contact),
        language: conversation.contact.language ?? DEFAULT_LANGUAGE,
        languageName: languageName(conversation.contact.language ?? DEFAULT_LANGUAGE),
        phone: conversation.contact.anonymizedAt ? null : conversation.contact.phone,
        since: conversation.contact.createdAt.toISOString(),
        /** Whether the citizen's personal data was erased, and why, as their tickets' history tells (KVKK). */
        erased: conversation.contact.anonymizedAt === null ? null : erasedBy(tickets),
      },
      messages: messages.map((m) => {
        const payload = parseJsonObject(m.payload);
        return {
          id: m.id,
          direction: m.direction,
          author: m.author,
          authorName: m.author === 'agent' ? (m.authorName ?? 'Görevli') : null,
          text: m.text,
          at: m.createdAt.toISOString(),
          status: m.status,
          // Recorded attachments (src/media/) with their address; older messages only name the platform's file.
          media: mediaByMessage.get(m.id) ?? mediaOf(payload.media),
          location: isCoordinates(payload.location) ? { latitude: payload.location.latitude, longitude: payload.location.longitude } : null,
          choices: Array.isArray(payload.choices) ? payload.choices.map(String) : [],
        };
      }),
      ticket: focus ? { ...this.ticketDetail(focus, actorName), media: mediaRows.map(mediaView) } : null,
      tickets: tickets
        .filter((t) => t.id !== focus?.id)
        .map((t) => {
          const seen = canSee(agent, t);
          return {
            id: t.id,
            number: t.number,
            typeName: typeName(t.type),
            categoryName: this.catalog.categoryName(t.type, t.category),
            status: t.status,
            statusName: statusName(t.status),
            department: t.department,
            createdAt: t.createdAt.toISOString(),
            summary: seen ? t.summary : '',
            conversationId: seen ? t.conversationId : null,
            visible: seen,
          };
        }),
    };
  }

  private ticketDetail(
    t: Awaited<ReturnType<Database['ticket']['findUniqueOrThrow']>> & { events: { id: string; kind: string; status: string | null; actor: string; note: string; createdAt: Date }[]; assignedAgent: { displayName: string } | null },
    actorName: (actor: string) => string,
  ) {
    const data = parseJsonObject(t.data);
    const values = Object.entries(data).filter(([key]) => !key.startsWith('_'));
    const photos = mediaOf(values.map(([, v]) => v)).filter((m) => m.kind === 'image');
    // The ticket's own pin first (sent at any step, or read from a photo), then any other among the answers.
    const pinned = t.latitude !== null && t.longitude !== null ? [{ latitude: t.latitude, longitude: t.longitude }] : [];
    const answered = values.map(([, v]) => v).filter(isCoordinates).map((v) => ({ latitude: v.latitude, longitude: v.longitude }));
    const locations = [...pinned, ...answered.filter((a) => !pinned.some((p) => p.latitude === a.latitude && p.longitude === a.longitude))];
    const understood = data.understood as { intent?: unknown; confidence?: unknown } | undefined;
    return {
      id: t.id,
      number: t.number,
      type: t.type,
      typeName: typeName(t.type),
      category: t.category,
      categoryName: this.catalog.categoryName(t.type, t.category),
      status: t.status,
      statusName: statusName(t.status),
      open: (OPEN_STATUSES as string[]).includes(t.status),
      department: t.department,
      neighbourhood: t.neighbourhood,
      summary: t.summary,
      createdAt: t.createdAt.toISOString(),
      dueAt: t.dueAt.toISOString(),
      firstResponseAt: t.firstResponseAt?.toISOString() ?? null,
      resolvedAt: t.resolvedAt?.toISOString() ?? null,
      rating: t.rating,
      ratingComment: t.ratingComment,
      assignedAgent: t.assignedAgent?.displayName ?? null,
      fields: this.catalog.ticketFields(data),
      photos,
      locations,
      understood: understood && typeof understood.intent === 'string' ? { intent: understood.intent, confidence: Number(understood.confidence) || 0 } : null,
      events: t.events.map((e) => ({
        id: e.id,
        kind: e.kind,
        status: e.status,
        statusName: e.status ? statusName(e.status) : null,
        actor: actorName(e.actor),
        note: e.note,
        at: e.createdAt.toISOString(),
      })),
    };
  }
}
