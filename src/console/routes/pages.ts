// The console's HTML pages and their assets. Pages are plain HTML/CSS/JS from ../static (no build
// step); their data comes from the JSON API.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { consoleSession } from '../auth.ts';
import type { RouteContext } from './context.ts';
import { CONVERSATION_NOT_FOUND } from './actions.ts';
import { IdParams } from './validate.ts';

export const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static');
const LEAFLET_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist');

/** The style sheet and icon the login page uses, before anyone has logged in. */
export function publicAssetRoutes(): Router {
  const router = express.Router();
  for (const asset of ['console.css', 'favicon.svg']) {
    router.get(`/console/assets/${asset}`, (_request, response) => {
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(path.join(STATIC_DIR, asset));
    });
  }
  return router;
}

/** The pages behind the login: the queue, one conversation, the supervisor's figures. */
export function pageRoutes({ views, pages, supervisorOnly, noticePage }: RouteContext): Router {
  const router = express.Router();

  // Leaflet for a pin's map (only when console.mapTiles names a tile server), from the installed package.
  router.use('/console/assets/leaflet', express.static(LEAFLET_DIR, { index: false, cacheControl: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  router.use('/console/assets', express.static(STATIC_DIR, { index: false, cacheControl: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));

  router.get('/console', (_request, response) => void response.type('html').send(pages.queue));

  router.get('/console/conversations/:id', async (request, response) => {
    const params = IdParams.safeParse(request.params);
    if (!params.success || !(await views.canOpenConversation(consoleSession(response).agent, params.data.id))) return noticePage(response, 404, 'Görüşme bulunamadı', CONVERSATION_NOT_FOUND);
    response.type('html').send(pages.conversation);
  });

  router.get('/console/supervisor', supervisorOnly, (_request, response) => void response.type('html').send(pages.supervisor));

  return router;
}
