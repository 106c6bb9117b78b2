// The console's view of what departments' systems are sent (integrations/): webhook calls and
// e-mails, failed ones first, and "send again" for a failed one once the receiver is fixed.
// Supervisors and admins; mounted by main.ts before the console's own routes, behind its login and
// CSRF check (console/auth.ts `requireAgent`).
import express, { type Router } from 'express';
import { z } from 'zod';
import type { IntegrationDeliveries } from '../integrations/index.ts';
import type { Outbox } from '../messaging/outbox.ts';
import type { Logger } from '../log.ts';
import { consoleSession, requireAgent } from './auth.ts';

const PATH = '/console/api/integrations/deliveries';
const Query = z.object({ status: z.enum(['pending', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export function createDeliveryRoutes(deliveries: IntegrationDeliveries, outbox: Outbox, logger: Logger): Router {
  const router = express.Router();
  router.use(PATH, requireAgent('supervisor'));

  router.get(PATH, async (request, response, next) => {
    try {
      const query = Query.safeParse(request.query);
      if (!query.success) return void response.status(400).json({ error: 'Geçersiz filtre.' });
      response.json({ deliveries: await deliveries.list(query.data) });
    } catch (error) {
      next(error);
    }
  });

  router.post(`${PATH}/:id/retry`, async (request, response, next) => {
    try {
      const id = Id.safeParse(request.params.id);
      if (!id.success || !(await outbox.retry(id.data))) return void response.status(409).json({ error: 'Yalnızca gönderilemeyen bir kayıt yeniden gönderilebilir.' });
      logger.info({ delivery: id.data, by: consoleSession(response).agent.username }, 'integration delivery queued again');
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
