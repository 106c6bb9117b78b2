// The agent console: login, the queue, one conversation, the supervisor's figures, all under
// /console on the main server. Pages are plain HTML/CSS/JS from ./static (no build step); the
// data comes from the JSON API under /console/api and live notices from /console/api/events.
// This file wires the parts and the order they run in (headers, login, session and CSRF, the
// temporary-password gate); the routes themselves live in ./routes, grouped by what they serve.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Response, type Router } from 'express';
import { databaseUrl, type Config } from '../config.ts';
import type { CozumEvents } from '../messaging/events.ts';
import type { Handoff } from '../handoff/handoff.ts';
import type { Logger } from '../log.ts';
import type { Database } from '../storage/database.ts';
import { databaseLimits, type RateLimitStore } from '../storage/rate-limits.ts';
import { ACCESS_TEXTS, authenticate, ConsoleAuth, consoleSession } from './auth.ts';
import { Catalog } from './catalog.ts';
import { LoginThrottle } from './login-throttle.ts';
import { EventAudience, HandoffConversations } from './live.ts';
import { MIN_PASSWORD_LENGTH } from './password.ts';
import { ReportWorker } from './reports.ts';
import { agentRoutes } from './routes/agents.ts';
import type { ConsolePage, RouteContext } from './routes/context.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { eventRoutes } from './routes/events.ts';
import { meRoutes } from './routes/me.ts';
import { pageRoutes, publicAssetRoutes, STATIC_DIR } from './routes/pages.ts';
import { queueRoutes } from './routes/queue.ts';
import { loginRoutes, logoutRoutes } from './routes/session.ts';
import { statsRoutes } from './routes/stats.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { Stats } from './stats.ts';
import { ConsoleViews } from './views.ts';
import { escapeHtml } from '../http/html.ts';
import { UNREADABLE } from './routes/validate.ts';
import type { MediaService } from '../media/media.ts';
import { mediaRoutes } from './routes/media.ts';

/** The console's policy; the map's tile server (console.mapTiles) may serve images too. */
export function contentSecurityPolicy(mapTiles = ''): string {
  let tiles = '';
  try {
    if (mapTiles) tiles = ` ${new URL(mapTiles.replace(/\{[a-z]\}/g, 'a')).origin.replace('://a.', '://*.')}`;
  } catch {
    tiles = '';
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${tiles}`,
    // Voice notes and videos citizens sent, from /console/api/media.
    "media-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export interface ConsoleDependencies {
  db: Database;
  handoff: Handoff;
  events: CozumEvents;
  config: Config;
  logger: Logger;
  /** The outbox, for the supervisor's "try again" on a failed delivery. */
  outbox?: { retry(messageId: string): Promise<boolean> };
  /** Photos, voice notes and files citizens sent: shown to the agents who may open their conversation. */
  media?: MediaService;
  clock?: () => Date;
  heartbeatMs?: number;
  /** Where login throttling keeps its counters; by default the database (storage/rate-limits.ts). */
  limits?: RateLimitStore;
}

export interface AgentConsole {
  router: Router;
  auth: ConsoleAuth;
  /** Starts the report worker now (console.reportsAtStart), so that the first figures do not wait for it. */
  warmReports(): void;
  /** Stops the report worker (figures and exports). */
  close(): Promise<void>;
}

/** What a session with a temporary password may call: who am I, change my password, the live stream. */
const OPEN_WITH_TEMPORARY_PASSWORD = new Set(['GET /me', 'POST /me/password', 'GET /events']);

export function createConsole(deps: ConsoleDependencies): AgentConsole {
  const { db, handoff, events, config, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  // What a password must not be made of, besides the account's own names (password.ts).
  const municipalityWords = [config.municipality.name, config.municipality.city, config.municipality.district];
  const throttle = new LoginThrottle(deps.limits ?? databaseLimits(db));
  const auth = new ConsoleAuth(db, { logger, clock, idleMinutes: config.console.idleMinutes, relatedWords: municipalityWords, throttle });
  const catalog = Catalog.load(config);
  const views = new ConsoleViews(db, catalog, clock);
  const handoffs = new HandoffConversations(db, events);
  const audience = new EventAudience(db);
  const reports = new ReportWorker(databaseUrl(config), config, logger);
  const stats = new Stats(db, catalog, reports, clock);
  const municipality = escapeHtml(config.municipality.name);
  const header = readFileSync(path.join(STATIC_DIR, 'header.partial.html'), 'utf8').replaceAll('{{minPassword}}', String(MIN_PASSWORD_LENGTH));
  const pages = Object.fromEntries(
    ['login', 'queue', 'conversation', 'supervisor', 'notice'].map((name) => [
      name,
      readFileSync(path.join(STATIC_DIR, `${name}.html`), 'utf8').replace('{{header}}', () => header).replaceAll('{{name}}', () => municipality),
    ]),
  ) as Record<ConsolePage, string>;

  const router = express.Router();
  const policy = contentSecurityPolicy(config.console.mapTiles);
  const page = authenticate(auth);
  const supervisorOnly = authenticate(auth, 'supervisor');
  const adminOnly = authenticate(auth, 'admin');
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const json = express.json({ limit: '64kb' });

  router.use('/console', (_request, response, next) => {
    response.setHeader('Content-Security-Policy', policy);
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });

  const noticePage = (response: Response, status: number, title: string, text: string) => {
    response.status(status).type('html').send(pages.notice.replaceAll('{{title}}', () => escapeHtml(title)).replace('{{text}}', () => escapeHtml(text)));
  };
  const context: RouteContext = {
    db, handoff, events, config, logger, clock, auth, catalog, views, handoffs, audience, stats,
    outbox: deps.outbox, media: deps.media, mapTiles: config.console.mapTiles, heartbeatMs: deps.heartbeatMs, municipalityWords, pages, supervisorOnly, adminOnly, form, json, noticePage,
  };

  // ---- public: the login page, its POST, and the style sheet and icon it uses.
  router.use(publicAssetRoutes());
  router.use(loginRoutes(context));

  // ---- everything else under /console needs a session (and CSRF for unsafe methods).
  router.use('/console', page);

  router.use(logoutRoutes(context));
  router.use(pageRoutes(context));

  // ---- JSON API
  const api = express.Router();
  router.use('/console/api', api);
  api.use(json);
  // A temporary password from an admin opens the console for one thing: choosing one's own.
  api.use((request, response, next) => {
    if (!consoleSession(response).mustChangePassword || OPEN_WITH_TEMPORARY_PASSWORD.has(`${request.method} ${request.path}`)) return next();
    response.status(403).json({ error: ACCESS_TEXTS.temporaryPassword, mustChangePassword: true });
  });

  for (const routes of [meRoutes, queueRoutes, conversationRoutes, ticketRoutes, mediaRoutes, eventRoutes, statsRoutes, agentRoutes]) api.use(routes(context));

  api.use((_request, response) => void response.status(404).json({ error: 'Bulunamadı.' }));
  // A body that is not JSON or too large: the agent reads it in the console's words (server errors
  // go on to the server's handler, which logs them; the console's page words those itself).
  api.use((error: Error & { status?: number }, _request: express.Request, response: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status < 400 || error.status >= 500) return next(error);
    response.status(error.status).json({ error: UNREADABLE });
  });
  return { router, auth, warmReports: () => reports.warm(), close: () => reports.close() };
}
