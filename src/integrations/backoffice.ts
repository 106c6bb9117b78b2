// The back-office API (/api/backoffice/v1): a department's own system (EBYS, the fleet's software)
// reads its tickets and changes them as an agent of that department would: status with a note,
// assignment, a public reply. Each call goes through handoff/ exactly as the console's does, so the
// citizen is told on their own channel in the same words, and each change is a TicketEvent whose
// actor is `integration:<key name>`. Authenticated by a department's API key (open311/keys.ts,
// made by an admin in the console) in `Authorization: Bearer`, limited per key; a key reaches its
// own department's tickets only, and another's read as unknown. The routes are data (ROUTES),
// which openapi.ts documents from the same zod schemas that validate them here.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { overLimit } from '../http/rate-limits.ts';
import { HandoffError, type AgentActor, type Handoff } from '../handoff/handoff.ts';
import type { Logger } from '../log.ts';
import type { ApiKeys, KeyHolder } from '../open311/keys.ts';
import type { Database } from '../storage/database.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';
import { AssignBody, BackofficeTicket, ReplyBody, StatusChangeBody } from './payloads.ts';

export const BACKOFFICE_BASE = '/api/backoffice/v1';

interface Route<Body extends z.ZodType | undefined> {
  method: 'get' | 'post';
  /** OpenAPI's form; Express's is derived from it. */
  path: string;
  operationId: string;
  summary: string;
  body: Body;
  run(context: { actor: AgentActor; ticketId: string; body: Body extends z.ZodType ? z.output<Body> : undefined }): Promise<void>;
}

function route<Body extends z.ZodType | undefined>(definition: Route<Body>): Route<z.ZodType | undefined> {
  return definition as unknown as Route<z.ZodType | undefined>;
}

/** What an integration's actions are recorded under: never mistaken for a person's username. */
export function integrationActor(holder: KeyHolder & { department: string }): AgentActor {
  return { id: `integration:${holder.id}`, username: `integration:${holder.name}`, displayName: holder.name, role: 'agent', department: holder.department };
}

export function backofficeRoutes(handoff: Handoff, db: Database) {
  return [
    route({ method: 'get', path: '/tickets/{number}', operationId: 'getTicket', summary: "One of the department's tickets", body: undefined, run: async () => {} }),
    route({
      method: 'post',
      path: '/tickets/{number}/status',
      operationId: 'changeStatus',
      summary: 'Change the status, with a note the citizen reads; they are told on their own channel',
      body: StatusChangeBody,
      run: ({ actor, ticketId, body }) => handoff.setStatus(actor, ticketId, body.status, body.note),
    }),
    route({
      method: 'post',
      path: '/tickets/{number}/assign',
      operationId: 'assign',
      summary: 'Assign to an agent (by console username) and/or move to another department',
      body: AssignBody,
      run: async ({ actor, ticketId, body }) => {
        const agent = body.agent ? await db.agent.findUnique({ where: { username: body.agent } }) : null;
        if (body.agent && (!agent || !agent.active)) throw new HandoffError(`No active agent "${body.agent}".`);
        await handoff.transfer(actor, ticketId, { department: body.department, agentId: agent?.id }, body.note);
      },
    }),
    route({
      method: 'post',
      path: '/tickets/{number}/replies',
      operationId: 'reply',
      summary: 'Send the citizen a public reply on their own channel',
      body: ReplyBody,
      run: ({ actor, ticketId, body }) => handoff.publicReply(actor, ticketId, body.text),
    }),
  ];
}

export function createBackofficeRouter(deps: { handoff: Handoff; db: Database; keys: ApiKeys; logger: Logger; limits: RateLimitStore; callsPerKeyPerMinute: number }): Router {
  const { db, keys, logger } = deps;
  const router = express.Router();
  const perKey: RateLimiterAbstract | undefined =
    deps.callsPerKeyPerMinute > 0 ? deps.limits.limiter({ name: 'backoffice:key', points: deps.callsPerKeyPerMinute, seconds: 60, holdInMemory: true }) : undefined;

  router.use(BACKOFFICE_BASE, express.json({ limit: '32kb' }), async (request, response, next) => {
    response.setHeader('Cache-Control', 'no-store');
    try {
      const header = request.get('authorization') ?? '';
      const holder = await keys.verify(/^Bearer (\S+)$/.exec(header)?.[1]);
      if (!holder) return void response.status(401).setHeader('WWW-Authenticate', 'Bearer').json({ error: 'missing, invalid or revoked API key' });
      if (!holder.department) return void response.status(403).json({ error: 'this key belongs to no department: an admin creates a department key in the console' });
      if (perKey) {
        const waitMs = await overLimit(perKey, holder.id);
        if (waitMs > 0) return void response.status(429).setHeader('Retry-After', String(Math.ceil(waitMs / 1000))).json({ error: 'too many requests' });
      }
      response.locals.actor = integrationActor({ ...holder, department: holder.department });
      response.locals.holder = holder;
      next();
    } catch (error) {
      next(error);
    }
  });

  for (const definition of backofficeRoutes(deps.handoff, db)) {
    const path = `${BACKOFFICE_BASE}${definition.path.replace(/\{(\w+)\}/g, ':$1')}`;
    router[definition.method](path, async (request: Request, response: Response, next: NextFunction) => {
      try {
        const actor = response.locals.actor as AgentActor;
        const ticket = await db.ticket.findUnique({ where: { number: String(request.params.number) }, select: { id: true, department: true } });
        // Another department's ticket reads as unknown: a key cannot learn which numbers exist elsewhere.
        if (!ticket || ticket.department !== actor.department) return void response.status(404).json({ error: 'ticket not found' });
        let body: unknown;
        if (definition.body) {
          const parsed = definition.body.safeParse(request.body ?? {});
          if (!parsed.success) return void response.status(400).json({ error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ') });
          body = parsed.data;
        }
        await definition.run({ actor, ticketId: ticket.id, body: body as never });
        if (definition.method === 'post') logger.info({ ticket: request.params.number, action: definition.operationId, keyId: (response.locals.holder as KeyHolder).id, integration: actor.displayName }, 'back-office change');
        response.json(await ticketView(db, ticket.id));
      } catch (error) {
        if (error instanceof HandoffError) return void response.status(409).json({ error: error.message });
        next(error);
      }
    });
  }
  router.use(BACKOFFICE_BASE, (_request, response) => void response.status(404).json({ error: 'not found' }));
  router.use(BACKOFFICE_BASE, (error: Error & { status?: number }, _request: Request, response: Response, next: NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    response.status(error.status === 413 ? 413 : 400).json({ error: error.status === 413 ? 'request body too large' : 'request body is not valid JSON' });
  });
  return router;
}

export async function ticketView(db: Database, ticketId: string): Promise<BackofficeTicket> {
  const ticket = await db.ticket.findUniqueOrThrow({
    where: { id: ticketId },
    include: {
      assignedAgent: { select: { username: true } },
      conversation: { select: { channel: true } },
      contact: { select: { channel: true } },
      events: { where: { kind: 'status' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1, select: { note: true } },
    },
  });
  return BackofficeTicket.parse({
    number: ticket.number,
    type: ticket.type,
    category: ticket.category,
    department: ticket.department,
    status: ticket.status,
    urgent: ticket.urgent,
    summary: ticket.summary,
    statusNote: ticket.events[0]?.note || null,
    assignedAgent: ticket.assignedAgent?.username ?? null,
    channel: ticket.conversation?.channel ?? ticket.contact.channel,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    dueAt: ticket.dueAt.toISOString(),
  });
}
