// The queue: conversations waiting or in hand, by whose they are, a page at a time.
import express, { type Router } from 'express';
import { z } from 'zod';
import { LANGUAGES } from '../../content/languages.ts';
import { consoleSession } from '../auth.ts';
import { QUEUE_PAGE, QUEUE_PAGE_MAX, type QueueScope } from '../views.ts';
import type { RouteContext } from './context.ts';

// A query the page did not write (an old bookmark, a hand-typed address) falls back to the
// defaults rather than failing: the queue is the console's home page.
const QueueQuery = z.object({
  scope: z.coerce.string().pipe(z.enum(['mine', 'department', 'all'] satisfies QueueScope[])).optional().catch(undefined),
  department: z.string().transform((s) => s.slice(0, 200)).optional().catch(undefined),
  // Only the cases in one language (the queue's language filter).
  language: z.enum(LANGUAGES).optional().catch(undefined),
  limit: z.coerce.number().transform((n) => Math.min(QUEUE_PAGE_MAX, Math.max(1, Math.trunc(n) || QUEUE_PAGE))).catch(QUEUE_PAGE),
  offset: z.coerce.number().transform((n) => Math.max(0, Math.trunc(n) || 0)).catch(0),
});

/** Ids a live notice named: one or several (`?ticket=a&ticket=b`), at most a hundred of each. */
const Ids = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]).filter((id) => id.length > 0 && id.length <= 100).slice(0, 100))
  .catch([]);
const QueueRowsQuery = QueueQuery.pick({ scope: true, department: true, language: true }).extend({ ticket: Ids.default([]), conversation: Ids.default([]) });

export function queueRoutes({ views }: RouteContext): Router {
  const api = express.Router();

  api.get('/queue', async (request, response) => {
    const { agent } = consoleSession(response);
    const query = QueueQuery.parse(request.query);
    const scope: QueueScope = query.scope ?? (agent.role === 'agent' ? 'department' : 'all');
    response.json({ scope, ...(await views.queue(agent, scope, query.department, { limit: query.limit, offset: query.offset }, query.language)) });
  });

  // The rows live notices are about (static/queue.js puts them in place), with the queue's counts.
  api.get('/queue/rows', async (request, response) => {
    const { agent } = consoleSession(response);
    const query = QueueRowsQuery.parse(request.query);
    const scope: QueueScope = query.scope ?? (agent.role === 'agent' ? 'department' : 'all');
    response.json({ scope, ...(await views.queueRows(agent, scope, query.department, { tickets: query.ticket, conversations: query.conversation }, query.language)) });
  });

  return api;
}
