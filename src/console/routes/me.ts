// The signed-in agent: who they are (with what the pages need to draw) and changing their password.
import express, { type Router } from 'express';
import { z } from 'zod';
import { clientAddress } from '../../http/client-address.ts';
import { STATUS_NAMES } from '../../tickets/status.ts';
import { consoleSession } from '../auth.ts';
import { ROLE_NAMES } from '../catalog.ts';
import type { RouteContext } from './context.ts';
import { parsed, UNREADABLE } from './validate.ts';

const PasswordBody = z.object({ current: z.string().max(200), next: z.string().max(200) });

export function meRoutes({ db, config, catalog, auth, stats }: RouteContext): Router {
  const api = express.Router();

  api.get('/me', async (_request, response) => {
    const { agent, csrfToken, expiresAt, mustChangePassword } = consoleSession(response);
    // Every console page asks for /me first; a supervisor's may ask for the figures next.
    if (agent.role !== 'agent') stats.warm();
    const [departments, agents] = await Promise.all([
      catalog.departments(db),
      db.agent.findMany({ where: { active: true }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true, department: true, role: true } }),
    ]);
    response.json({
      agent: { ...agent, roleName: ROLE_NAMES[agent.role] },
      csrfToken,
      mustChangePassword,
      sessionExpiresAt: expiresAt.toISOString(),
      municipality: config.municipality.name,
      timeZone: config.timeZone,
      cannedResponses: config.handoff.cannedResponses.map((c) => ({ title: c.title, text: c.text.replaceAll('{agent}', () => agent.displayName) })),
      departments,
      agents: agents.map((a) => ({ ...a, roleName: ROLE_NAMES[a.role] ?? a.role })),
      statuses: Object.entries(STATUS_NAMES).map(([key, label]) => ({ key, label })),
    });
  });

  api.post('/me/password', async (request, response, next) => {
    try {
      const body = parsed(PasswordBody, request.body ?? {}, response, UNREADABLE);
      if (!body) return;
      const result = await auth.changePassword(consoleSession(response), body.current, body.next, clientAddress(request));
      if (!result.ok && result.retryAfterMs) response.setHeader('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)));
      if (!result.ok) return void response.status(result.status).json({ error: result.message });
      response.json({ ok: true, otherSessionsEnded: result.otherSessionsEnded });
    } catch (error) {
      next(error);
    }
  });

  return api;
}
