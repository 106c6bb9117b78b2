// The console's API for Open311 keys, admins only: create (the key is shown in this one answer),
// list, revoke. Mounted by main.ts before the console's own routes, behind the console's login
// and CSRF check (console/auth.ts `requireAgent`). The key itself is never logged.
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ApiKeyInfo, ApiKeys } from '../open311/keys.ts';
import { consoleSession, requireAgent } from './auth.ts';
import type { Logger } from '../log.ts';

const PATH = '/console/api/api-keys';
const NewKeyBody = z.object({
  name: z.string().trim().min(2, 'Anahtarı kimin kullanacağını yazın.').max(100, 'Ad en fazla 100 karakter olabilir.'),
  // A department's back-office key (src/integrations/): it may change that department's tickets.
  department: z.string().trim().max(100, 'Birim adı en fazla 100 karakter olabilir.').optional().transform((name) => name || null),
});
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

function shown(info: ApiKeyInfo) {
  return {
    ...info,
    createdAt: info.createdAt.toISOString(),
    lastUsedAt: info.lastUsedAt?.toISOString() ?? null,
    revokedAt: info.revokedAt?.toISOString() ?? null,
    active: info.revokedAt === null,
  };
}

export function createKeyRoutes(keys: ApiKeys, logger: Logger): Router {
  const router = express.Router();
  router.use(PATH, requireAgent('admin'), express.json({ limit: '16kb' }), (_request, response, next) => {
    // The answer that carries a new key must not stay in any cache.
    response.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get(PATH, async (_request, response, next) => {
    try {
      response.json({ keys: (await keys.list()).map(shown) });
    } catch (error) {
      next(error);
    }
  });

  router.post(PATH, async (request, response, next) => {
    try {
      const body = NewKeyBody.safeParse(request.body ?? {});
      if (!body.success) return void response.status(400).json({ error: body.error.issues[0]?.message ?? 'İstek okunamadı.' });
      const admin = consoleSession(response).agent.username;
      const { key, info } = await keys.create(body.data.name, admin, body.data.department);
      logger.info({ keyId: info.id, name: info.name, department: info.department, by: admin }, 'Open311 API key created');
      response.status(201).json({ ...shown(info), key });
    } catch (error) {
      next(error);
    }
  });

  router.post(`${PATH}/:id/revoke`, async (request, response, next) => {
    try {
      const id = Id.safeParse(request.params.id);
      const revoked = id.success ? await keys.revoke(id.data) : undefined;
      if (!revoked) return void response.status(404).json({ error: 'Anahtar bulunamadı ya da zaten iptal edilmiş.' });
      logger.info({ keyId: revoked.id, name: revoked.name, by: consoleSession(response).agent.username }, 'Open311 API key revoked');
      response.json(shown(revoked));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
