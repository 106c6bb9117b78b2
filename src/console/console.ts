// The agent console: login, the queue, one conversation, the supervisor's figures, all under
// /console on the main server. Pages are plain HTML/CSS/JS from ./static (no build step); the
// data comes from the JSON API under /console/api and live notices from /console/api/events.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { databaseUrl, type Config } from '../config.ts';
import type { CozumEvents } from '../messaging/events.ts';
import { HandoffError, type Handoff } from '../handoff/handoff.ts';
import type { Logger } from '../log.ts';
import { sqliteFile, type Database } from '../storage/database.ts';
import { databaseLimits, type RateLimitStore } from '../storage/rate-limits.ts';
import { STATUS_NAMES, TicketStatusSchema } from '../tickets/status.ts';
import { ACCESS_TEXTS, authenticate, ConsoleAuth, consoleSession, fromAnotherSite, LOGIN_PATH, LOGIN_TEXTS, normalizeUsername } from './auth.ts';
import { Catalog, ROLE_NAMES } from './catalog.ts';
import { LoginThrottle } from './login-throttle.ts';
import { EventAudience, HandoffConversations, streamEvents } from './live.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, passwordProblem } from './password.ts';
import { ReportWorker } from './reports.ts';
import { Stats } from './stats.ts';
import { ConsoleViews, QUEUE_PAGE, QUEUE_PAGE_MAX, type QueueScope } from './views.ts';
import { clientAddress } from '../http/client-address.ts';
import { escapeHtml } from '../http/html.ts';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export interface ConsoleDependencies {
  db: Database;
  handoff: Handoff;
  events: CozumEvents;
  config: Config;
  logger: Logger;
  /** The outbox, for the supervisor's "try again" on a failed delivery. */
  outbox?: { retry(messageId: string): Promise<boolean> };
  clock?: () => Date;
  heartbeatMs?: number;
  /** Where login throttling keeps its counters; by default the database (storage/rate-limits.ts). */
  limits?: RateLimitStore;
}

export interface AgentConsole {
  router: Router;
  auth: ConsoleAuth;
  /** Stops the report worker (figures and exports). */
  close(): Promise<void>;
}

/** Where to go after logging in: only a path of the console or the admin pages. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 500) return '/console';
  if (!/^\/(console|admin)(\/|\?|$)/.test(next) || next.includes('//') || next.includes('\\')) return '/console';
  return next;
}

/** What a session with a temporary password may call: who am I, change my password, the live stream. */
const OPEN_WITH_TEMPORARY_PASSWORD = new Set(['GET /me', 'POST /me/password', 'GET /events']);
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const ActiveBody = z.object({ active: z.boolean() });
const PasswordBody = z.object({ current: z.string().max(200), next: z.string().max(200) });

const NOT_FOUND = 'Görüşme bulunamadı ya da bu görüşmeyi görme yetkiniz yok.';
const TICKET_NOT_FOUND = 'Talep bulunamadı ya da bu talebi görme yetkiniz yok.';

const ReplyBody = z.object({ text: z.string().trim().min(1, 'Boş mesaj gönderilemez.').max(4000, 'Mesaj en fazla 4000 karakter olabilir.') });
const NoteBody = z.object({ text: z.string().trim().min(1, 'Boş not eklenemez.').max(4000, 'Not en fazla 4000 karakter olabilir.') });
const TransferBody = z.object({ department: z.string().trim().max(200).optional(), agentId: Id.optional(), note: z.string().trim().max(2000).default('') });
const StatusBody = z.object({ status: TicketStatusSchema, note: z.string().trim().max(2000).default('') });
/** What an admin sets of an account, when creating or editing it. */
const AccountBody = z.object({
  displayName: z.string().trim().min(2, 'Ad soyad yazın.').max(100),
  role: z.enum(['agent', 'supervisor', 'admin']),
  department: z.string().trim().max(200).optional(),
});
// Fields in the order their problems are reported (the first one is shown).
const NewAgentBody = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9._-]{2,40}$/, 'Kullanıcı adı 2–40 harf, rakam, nokta, tire ya da alt çizgi olmalı.'),
  ...AccountBody.shape,
  password: z.string().max(200),
});

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue && !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too') ? issue.message : 'İstek okunamadı.';
}

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
  const reports = new ReportWorker(sqliteFile(databaseUrl(config)), config, logger);
  const stats = new Stats(db, catalog, reports, clock);
  const municipality = escapeHtml(config.municipality.name);
  const header = readFileSync(path.join(STATIC_DIR, 'header.partial.html'), 'utf8').replaceAll('{{minPassword}}', String(MIN_PASSWORD_LENGTH));
  const pages = Object.fromEntries(
    ['login', 'queue', 'conversation', 'supervisor', 'notice'].map((name) => [
      name,
      readFileSync(path.join(STATIC_DIR, `${name}.html`), 'utf8').replace('{{header}}', () => header).replaceAll('{{name}}', () => municipality),
    ]),
  ) as Record<'login' | 'queue' | 'conversation' | 'supervisor' | 'notice', string>;

  const router = express.Router();
  const page = authenticate(auth);
  const supervisorOnly = authenticate(auth, 'supervisor');
  const adminOnly = authenticate(auth, 'admin');
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const json = express.json({ limit: '64kb' });

  router.use('/console', (_request, response, next) => {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });

  const loginPage = (response: Response, status: number, message: string, next: string, username = '') => {
    const html = pages.login
      .replace('{{error}}', () => (message ? `<p class="login__error" role="alert">${escapeHtml(message)}</p>` : ''))
      .replace('{{next}}', () => escapeHtml(next))
      .replace('{{username}}', () => escapeHtml(username))
      // After a failed attempt the user name is filled in: the cursor waits in the password field.
      .replace('{{focusUsername}}', () => (username ? '' : 'autofocus'))
      .replace('{{focusPassword}}', () => (username ? 'autofocus' : ''));
    response.status(status).type('html').send(html);
  };

  const noticePage = (response: Response, status: number, title: string, text: string) => {
    response.status(status).type('html').send(pages.notice.replaceAll('{{title}}', () => escapeHtml(title)).replace('{{text}}', () => escapeHtml(text)));
  };

  // ---- public: the login page, its POST, and the style sheet and icon it uses.
  for (const asset of ['console.css', 'favicon.svg']) {
    router.get(`/console/assets/${asset}`, (_request, response) => {
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(path.join(STATIC_DIR, asset));
    });
  }

  router.get(LOGIN_PATH, async (request, response) => {
    if (await auth.sessionOf(request, response)) return void response.redirect(303, safeNext(request.query.next));
    loginPage(response, 200, '', safeNext(request.query.next));
  });

  router.post(LOGIN_PATH, form, json, async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const next = safeNext(body.next);
    const wantsJson = Boolean(request.is('application/json'));
    const fail = (status: number, message: string) => (wantsJson ? void response.status(status).json({ error: message }) : loginPage(response, status, message, next, username));
    if (fromAnotherSite(request)) {
      logger.warn({ origin: request.header('origin') ?? request.header('sec-fetch-site') }, 'console login sent from another site refused');
      return fail(403, ACCESS_TEXTS.csrf);
    }
    if (!username.trim() || !password) return fail(400, LOGIN_TEXTS.missing);
    const result = await auth.login(username, password, clientAddress(request));
    if (!result.ok && result.reason === 'invalid') return fail(401, LOGIN_TEXTS.invalid);
    if (!result.ok) {
      response.setHeader('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)));
      return fail(429, LOGIN_TEXTS.locked(result.retryAfterMs));
    }
    auth.setCookie(request, response, result.token);
    if (wantsJson) return void response.json({ ok: true, csrfToken: result.session.csrfToken });
    response.redirect(303, next);
  });

  // ---- everything else under /console needs a session (and CSRF for unsafe methods).
  router.use('/console', page);

  router.post('/console/logout', form, json, async (request, response) => {
    await auth.logout(consoleSession(response).id);
    auth.clearCookie(request, response);
    if (request.is('application/json')) return void response.json({ ok: true });
    response.redirect(303, LOGIN_PATH);
  });

  router.use('/console/assets', express.static(STATIC_DIR, { index: false, cacheControl: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));

  router.get('/console', (_request, response) => void response.type('html').send(pages.queue));

  router.get('/console/conversations/:id', async (request, response) => {
    const id = Id.safeParse(request.params.id);
    if (!id.success || !(await views.canOpenConversation(consoleSession(response).agent, id.data))) return noticePage(response, 404, 'Görüşme bulunamadı', NOT_FOUND);
    response.type('html').send(pages.conversation);
  });

  router.get('/console/supervisor', supervisorOnly, (_request, response) => void response.type('html').send(pages.supervisor));

  // ---- JSON API
  const api = express.Router();
  router.use('/console/api', api);
  api.use(json);
  // A temporary password from an admin opens the console for one thing: choosing one's own.
  api.use((request, response, next) => {
    if (!consoleSession(response).mustChangePassword || OPEN_WITH_TEMPORARY_PASSWORD.has(`${request.method} ${request.path}`)) return next();
    response.status(403).json({ error: ACCESS_TEXTS.temporaryPassword, mustChangePassword: true });
  });

  api.get('/me', async (_request, response) => {
    const { agent, csrfToken, expiresAt, mustChangePassword } = consoleSession(response);
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

  api.get('/queue', async (request, response) => {
    const { agent } = consoleSession(response);
    const wanted = String(request.query.scope ?? '');
    const scope: QueueScope = wanted === 'mine' || wanted === 'department' || wanted === 'all' ? wanted : agent.role === 'agent' ? 'department' : 'all';
    const department = typeof request.query.department === 'string' ? request.query.department.slice(0, 200) : undefined;
    const limit = Math.min(QUEUE_PAGE_MAX, Math.max(1, Math.trunc(Number(request.query.limit ?? QUEUE_PAGE)) || QUEUE_PAGE));
    const offset = Math.max(0, Math.trunc(Number(request.query.offset ?? 0)) || 0);
    response.json({ scope, ...(await views.queue(agent, scope, department, { limit, offset })) });
  });

  api.get('/conversations/:id', async (request, response) => {
    const id = Id.safeParse(request.params.id);
    const ticket = Id.safeParse(request.query.ticket);
    const view = id.success ? await views.conversation(consoleSession(response).agent, id.data, ticket.success ? ticket.data : undefined) : undefined;
    if (!view) return void response.status(404).json({ error: NOT_FOUND });
    response.json(view);
  });

  /** Runs a console action for a conversation the agent may open; Handoff's refusals become 409. */
  const conversationAction = (action: (request: Request, response: Response, conversationId: string) => Promise<unknown>) => async (request: Request, response: Response, next: NextFunction) => {
    const id = Id.safeParse(request.params.id);
    if (!id.success || !(await views.canOpenConversation(consoleSession(response).agent, id.data))) return void response.status(404).json({ error: NOT_FOUND });
    await run(response, next, () => action(request, response, id.data));
  };
  const ticketAction = (action: (request: Request, response: Response, ticketId: string) => Promise<unknown>) => async (request: Request, response: Response, next: NextFunction) => {
    const id = Id.safeParse(request.params.id);
    if (!id.success || !(await views.ticketVisible(consoleSession(response).agent, id.data))) return void response.status(404).json({ error: TICKET_NOT_FOUND });
    await run(response, next, () => action(request, response, id.data));
  };
  const run = async (response: Response, next: NextFunction, action: () => Promise<unknown>) => {
    try {
      await action();
      if (!response.headersSent) response.json({ ok: true });
    } catch (error) {
      if (error instanceof HandoffError) return void response.status(409).json({ error: error.message });
      if (error instanceof z.ZodError) return void response.status(400).json({ error: firstIssue(error) });
      next(error);
    }
  };

  api.post('/conversations/:id/claim', conversationAction((_q, response, id) => handoff.claim(consoleSession(response).agent, id)));
  api.post('/conversations/:id/reply', conversationAction((request, response, id) => handoff.reply(consoleSession(response).agent, id, ReplyBody.parse(request.body ?? {}).text)));
  api.post('/conversations/:id/release', conversationAction((_q, response, id) => handoff.release(consoleSession(response).agent, id)));
  api.post('/tickets/:id/notes', ticketAction((request, response, id) => handoff.addNote(consoleSession(response).agent, id, NoteBody.parse(request.body ?? {}).text)));
  api.post('/tickets/:id/status', ticketAction(async (request, response, id) => {
    const body = StatusBody.parse(request.body ?? {});
    await handoff.setStatus(consoleSession(response).agent, id, body.status, body.note);
  }));
  api.post('/tickets/:id/transfer', ticketAction(async (request, response, id) => {
    const body = TransferBody.parse(request.body ?? {});
    const department = body.department || undefined;
    if (!department && !body.agentId) throw new HandoffError('Bir birim ya da görevli seçin.');
    if (department && !(await catalog.departments(db)).includes(department)) throw new HandoffError('Bu birim tanımlı değil.');
    if (body.agentId && !(await db.agent.findFirst({ where: { id: body.agentId, active: true }, select: { id: true } }))) throw new HandoffError('Aktarılacak görevli bulunamadı.');
    await handoff.transfer(consoleSession(response).agent, id, { department, agentId: body.agentId }, body.note);
  }));

  api.get('/events', async (request, response, next) => {
    try {
      const session = consoleSession(response);
      // The page of one conversation hears all of its messages, if the agent may open it.
      const wanted = Id.safeParse(request.query.conversation);
      const conversationId = wanted.success && (await views.canOpenConversation(session.agent, wanted.data)) ? wanted.data : undefined;
      streamEvents(events, handoffs, audience, auth, session, request, response, { conversationId, heartbeatMs: deps.heartbeatMs });
    } catch (error) {
      next(error);
    }
  });

  api.get('/stats', supervisorOnly, async (request, response) => {
    const days = daysOf(request.query.days);
    const [figures, failed] = await Promise.all([stats.figures(days), stats.failedMessages()]);
    response.json({ ...figures, failedMessages: failed, canRetry: Boolean(deps.outbox) });
  });

  api.post('/messages/:id/retry', supervisorOnly, async (request, response) => {
    const id = Id.safeParse(request.params.id);
    if (!deps.outbox || !id.success) return void response.status(404).json({ error: 'Mesaj bulunamadı.' });
    const queued = await deps.outbox.retry(id.data);
    if (!queued) return void response.status(409).json({ error: 'Bu mesaj yeniden gönderilemiyor (iletilmiş ya da zaten sırada olabilir).' });
    logger.info({ message: id.data, by: consoleSession(response).agent.username }, 'failed delivery queued again from the console');
    response.json({ ok: true });
  });

  api.get('/export.csv', supervisorOnly, async (request, response) => {
    const days = daysOf(request.query.days);
    const stamp = new Intl.DateTimeFormat('sv-SE', { timeZone: config.timeZone }).format(clock());
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="talepler-${stamp}.csv"`);
    // Streamed as the worker reads the rows: a slow download pauses the reading (back-pressure).
    await pipeline(Readable.from(stats.csv(days)), response).catch((error: unknown) => {
      if (!response.headersSent) throw error;
      // The browser went away or the worker failed mid-way: the response ends short, nothing to send.
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn({ err: error }, 'CSV export ended early');
    });
  });

  api.get('/agents', supervisorOnly, async (_request, response) => {
    const rows = await db.agent.findMany({ orderBy: [{ role: 'asc' }, { displayName: 'asc' }], select: { id: true, username: true, displayName: true, role: true, department: true, active: true } });
    // "Locked": guessed at from many addresses (login-throttle.ts); its own recent addresses still get in.
    const locked = await Promise.all(rows.map((a) => auth.throttle.lockedFor(a.username)));
    response.json({ agents: rows.map((a, i) => ({ ...a, roleName: ROLE_NAMES[a.role] ?? a.role, locked: locked[i]! > 0 })) });
  });

  api.post('/agents', adminOnly, async (request, response) => {
    const body = NewAgentBody.safeParse(request.body ?? {});
    if (!body.success) return void response.status(400).json({ error: firstIssue(body.error) });
    const problem = passwordProblem(body.data.password, [body.data.username, body.data.displayName, ...municipalityWords]);
    if (problem) return void response.status(400).json({ error: problem });
    const department = body.data.department || null;
    if (body.data.role === 'agent' && !department) return void response.status(400).json({ error: 'Görevlinin bir birimi olmalı.' });
    const username = normalizeUsername(body.data.username);
    if (await db.agent.findUnique({ where: { username } })) return void response.status(409).json({ error: 'Bu kullanıcı adı zaten kullanılıyor.' });
    const created = await db.agent.create({ data: { username, displayName: body.data.displayName, role: body.data.role, department, passwordHash: await hashPassword(body.data.password) } });
    logger.info({ agent: username, role: created.role, by: consoleSession(response).agent.username }, 'console account created');
    response.status(201).json({ id: created.id, username });
  });

  api.post('/me/password', async (request, response, next) => {
    try {
      const body = PasswordBody.safeParse(request.body ?? {});
      if (!body.success) return void response.status(400).json({ error: 'İstek okunamadı.' });
      const result = await auth.changePassword(consoleSession(response), body.data.current, body.data.next, clientAddress(request));
      if (!result.ok && result.retryAfterMs) response.setHeader('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)));
      if (!result.ok) return void response.status(result.status).json({ error: result.message });
      response.json({ ok: true, otherSessionsEnded: result.otherSessionsEnded });
    } catch (error) {
      next(error);
    }
  });

  // An admin corrects a name, moves someone to another department or gives them another role. Not
  // one's own role: the last admin could demote themselves and leave nobody to manage accounts.
  api.post('/agents/:id', adminOnly, async (request, response, next) => {
    try {
      const id = Id.safeParse(request.params.id);
      const body = AccountBody.safeParse(request.body ?? {});
      if (!id.success) return void response.status(400).json({ error: 'İstek okunamadı.' });
      if (!body.success) return void response.status(400).json({ error: firstIssue(body.error) });
      const me = consoleSession(response).agent;
      const target = await db.agent.findUnique({ where: { id: id.data } });
      if (!target) return void response.status(404).json({ error: 'Hesap bulunamadı.' });
      const department = body.data.department || null;
      if (body.data.role === 'agent' && !department) return void response.status(400).json({ error: 'Görevlinin bir birimi olmalı.' });
      if (department && !(await catalog.departments(db)).includes(department)) return void response.status(400).json({ error: 'Bu birim tanımlı değil.' });
      if (target.id === me.id && body.data.role !== target.role) return void response.status(409).json({ error: 'Kendi rolünüzü değiştiremezsiniz; bunu başka bir yönetici yapabilir.' });
      await db.agent.update({ where: { id: target.id }, data: { displayName: body.data.displayName, role: body.data.role, department } });
      const changed = (['displayName', 'role', 'department'] as const).filter((field) => (field === 'department' ? department : body.data[field]) !== target[field]);
      logger.info({ agent: target.username, changed, by: me.username }, 'console account updated');
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  api.post('/agents/:id/password', adminOnly, async (request, response, next) => {
    try {
      const id = Id.safeParse(request.params.id);
      if (!id.success) return void response.status(400).json({ error: 'İstek okunamadı.' });
      const result = await auth.resetPassword(consoleSession(response).agent, id.data);
      if (!result.ok) return void response.status(result.status).json({ error: result.message });
      response.json({ ok: true, password: result.password });
    } catch (error) {
      next(error);
    }
  });

  // Opening an account also lifts a lock-out; closing one ends its sessions at once and hands
  // its conversations back to the queue. Nobody closes their own account or the last admin's.
  api.post('/agents/:id/active', adminOnly, async (request, response, next) => {
    try {
      const id = Id.safeParse(request.params.id);
      const body = ActiveBody.safeParse(request.body ?? {});
      if (!id.success || !body.success) return void response.status(400).json({ error: 'İstek okunamadı.' });
      const me = consoleSession(response).agent;
      const target = await db.agent.findUnique({ where: { id: id.data } });
      if (!target) return void response.status(404).json({ error: 'Hesap bulunamadı.' });
      if (!body.data.active) {
        if (target.id === me.id) return void response.status(409).json({ error: 'Kendi hesabınızı kapatamazsınız.' });
        const admins = await db.agent.count({ where: { role: 'admin', active: true } });
        if (target.role === 'admin' && target.active && admins <= 1) return void response.status(409).json({ error: 'Son yönetici hesabı kapatılamaz.' });
        await db.agent.update({ where: { id: target.id }, data: { active: false } });
        await db.agentSession.deleteMany({ where: { agentId: target.id } });
        await handoff.agentClosed(me, target);
      } else {
        await db.agent.update({ where: { id: target.id }, data: { active: true } });
        await auth.throttle.unlock(target.username);
      }
      logger.info({ agent: target.username, active: body.data.active, by: me.username }, body.data.active ? 'console account opened' : 'console account closed');
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  api.use((_request, response) => void response.status(404).json({ error: 'Bulunamadı.' }));
  return { router, auth, close: () => reports.close() };
}

function daysOf(value: unknown): number {
  const days = Number(value ?? 30);
  return Number.isInteger(days) && days >= 0 && days <= 3650 ? days : 30;
}
