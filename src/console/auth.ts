// Who is at the console: agent accounts, login with lock-out, sessions and CSRF.
//
// A session is a random token in an HttpOnly, SameSite=Strict cookie; the database keeps only
// its sha256 (AgentSession.id), so a copy of the database opens no session. Every state-changing
// request must also carry the session's CSRF token (X-CSRF-Token header or `_csrf` form field);
// the login itself, which has no session yet, is refused when another site sends it.
// Failed logins are throttled by login-throttle.ts: counted before the password is checked, per
// address and account, per address and per account, with growing blocks; an unknown user name is
// counted the same way, so the answers never tell whether an account exists. A session ends 12 hours after
// login, or earlier when the agent opens no page and takes no action for `console.idleMinutes`.
//
// `requireAgent(role?)` protects any route of the main server (the console's, /admin/* pages):
//   router.use('/admin', requireAgent('admin'));
// It finds the ConsoleAuth that main.ts installed with `installConsoleAuth(app, auth)`.
import { createHash, randomBytes } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AgentActor } from '../handoff/handoff.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../content/languages.ts';
import { readCookie } from '../http/cookies.ts';
import { sameSecret } from '../http/same-secret.ts';
import type { Logger } from '../log.ts';
import type { Database } from '../storage/database.ts';
import { databaseLimits } from '../storage/rate-limits.ts';
import { LoginThrottle } from './login-throttle.ts';
import { dummyHash, hashPassword, passwordProblem, temporaryPassword, verifyPassword } from './password.ts';

export type Role = AgentActor['role'];
export const ROLES: Role[] = ['agent', 'supervisor', 'admin'];
const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };

export const SESSION_COOKIE = 'cozum_console';
/** The cookie is sent only to the console and the admin pages, never to the citizens' web chat. */
export const COOKIE_PATHS = ['/console', '/admin'];
export const SESSION_HOURS = 12;
export const LOGIN_PATH = '/console/login';

/** "45 saniye", "1 dakika", "2 saat": a wait in words, rounded up, as an agent reads it. */
export function waitInWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} saniye`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 60 || minutes % 60 !== 0 ? `${minutes} dakika` : `${minutes / 60} saat`;
}

export const LOGIN_TEXTS = {
  /** Too many login attempts from one address, before any password is checked (http/rate-limits.ts). */
  tooMany: (waitMs: number) => `Kısa sürede çok sayıda istek geldi. Lütfen ${waitInWords(waitMs)} sonra tekrar deneyin.`,
  invalid: 'Kullanıcı adı veya şifre hatalı.',
  locked: (waitMs: number) => `Çok sayıda hatalı giriş denemesi yapıldı. Güvenliğiniz için giriş geçici olarak kapatıldı; lütfen ${waitInWords(waitMs)} sonra tekrar deneyin.`,
  missing: 'Lütfen kullanıcı adınızı ve şifrenizi yazın.',
};

export const PASSWORD_TEXTS = {
  wrong: 'Mevcut şifreniz hatalı.',
  locked: (waitMs: number) => `Çok sayıda hatalı deneme yapıldı. Güvenliğiniz için oturumlarınız kapatıldı ve bu bilgisayardan giriş ${waitInWords(waitMs)} süreyle kilitlendi.`,
  same: 'Yeni şifreniz mevcut şifrenizden farklı olmalı.',
};

export type PasswordChange = { ok: true; otherSessionsEnded: number } | { ok: false; status: number; message: string; retryAfterMs?: number };

export interface ConsoleSession {
  /** sha256 of the cookie's token (AgentSession.id). */
  id: string;
  agent: AgentActor;
  csrfToken: string;
  expiresAt: Date;
  /** The last page opened or action taken. */
  lastActiveAt: Date;
  /** Logged in with a temporary password from an admin: only choosing one's own is allowed. */
  mustChangePassword: boolean;
}

export type LoginResult = { ok: true; token: string; session: ConsoleSession } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; retryAfterMs: number };

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function normalizeUsername(username: string): string {
  // User names are ASCII identifiers: plain toLowerCase, so "AYSE" and "ayse" are one account
  // (toLocaleLowerCase('tr') would turn an ASCII I into ı).
  return username.trim().toLowerCase();
}

/** Agent.languages ("tr,ar") as languages, unknown codes left out; Turkish when none is left. */
export function agentLanguages(stored: string): Language[] {
  const known = stored.split(',').map((code) => code.trim().toLowerCase()).filter(isLanguage);
  return known.length > 0 ? [...new Set(known)] : [DEFAULT_LANGUAGE];
}

export function hasRole(agent: AgentActor, role: Role): boolean {
  return RANK[agent.role] >= RANK[role];
}

function actorOf(row: { id: string; username: string; displayName: string; role: string; department: string | null; languages: string }): AgentActor {
  const role = (ROLES as string[]).includes(row.role) ? (row.role as Role) : 'agent';
  return { id: row.id, username: row.username, displayName: row.displayName, role, department: row.department, languages: agentLanguages(row.languages) };
}

export interface ConsoleAuthOptions {
  logger?: Logger;
  clock?: () => Date;
  /** Minutes without a page opened or an action taken after which a session ends; 0: never. */
  idleMinutes?: number;
  /** Words a password must not be built from besides the account's names (the municipality's). */
  relatedWords?: string[];
  /** Login throttling; by default on the database's RateLimit table. */
  throttle?: LoginThrottle;
}

/** An agent's activity is written at most this often: a click a second must not mean a write a second. */
const ACTIVITY_WRITE_MS = 60_000;

export class ConsoleAuth {
  readonly throttle: LoginThrottle;
  private readonly logger?: Logger;
  private readonly clock: () => Date;
  private readonly idleMs: number;
  private readonly relatedWords: string[];

  constructor(
    private readonly db: Database,
    options: ConsoleAuthOptions = {},
  ) {
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.idleMs = (options.idleMinutes ?? 30) * 60_000;
    this.relatedWords = options.relatedWords ?? [];
    this.throttle = options.throttle ?? new LoginThrottle(databaseLimits(db));
  }

  /**
   * Whether a session row is still open at `now`: before its end, and not idle for too long.
   * Activity is written at most once per ACTIVITY_WRITE_MS, so the agent's real last activity may
   * be up to that much later than the stored one: the session ends only when even the latest
   * possible activity is `idleMinutes` old (never early, at most one write interval late).
   */
  private isOpen(row: { expiresAt: Date; lastActiveAt: Date }, now: Date): boolean {
    if (row.expiresAt <= now) return false;
    return this.idleMs === 0 || now.getTime() - row.lastActiveAt.getTime() < this.idleMs + ACTIVITY_WRITE_MS;
  }

  /**
   * `address` is the client's (http/client-address.ts). The attempt is counted before anything else;
   * a refused one is answered before the account is even looked up, for real and unknown names alike.
   * Unknown names are checked against a dummy hash, so that every checked attempt costs one scrypt.
   */
  async login(rawUsername: string, password: string, address = 'unknown'): Promise<LoginResult> {
    const now = this.clock();
    const username = normalizeUsername(rawUsername);
    const attempt = await this.throttle.begin(username, address);
    if (!attempt.allowed) return { ok: false, reason: 'locked', retryAfterMs: attempt.retryAfterMs };
    const agent = username ? await this.db.agent.findUnique({ where: { username } }) : null;
    const valid = (await verifyPassword(password, agent?.passwordHash ?? (await dummyHash()))) && Boolean(agent?.active);
    if (!agent || !valid) {
      const blockedMs = await this.throttle.failed(attempt.pass);
      if (blockedMs === 0) return { ok: false, reason: 'invalid' };
      // The name typed is logged only when it is an account's: a password typed into the wrong field must not reach the log.
      this.logger?.warn({ agent: agent?.username, blockedSeconds: blockedMs / 1000 }, 'console login blocked after repeated failed attempts');
      return { ok: false, reason: 'locked', retryAfterMs: blockedMs };
    }
    await this.throttle.succeeded(attempt.pass);
    await this.db.agentSession.deleteMany({ where: { expiresAt: { lt: now } } });
    const token = randomBytes(32).toString('base64url');
    const row = await this.db.agentSession.create({
      data: { id: sha256(token), agentId: agent.id, csrfToken: randomBytes(32).toString('base64url'), expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000), lastActiveAt: now, createdAt: now },
    });
    this.logger?.info({ agent: agent.username }, 'console login');
    const session = { id: row.id, agent: actorOf(agent), csrfToken: row.csrfToken, expiresAt: row.expiresAt, lastActiveAt: row.lastActiveAt, mustChangePassword: agent.mustChangePassword };
    return { ok: true, token, session };
  }

  /**
   * The signed-in agent chooses a new password. The current one is asked for, so that a session
   * left open on a shared computer cannot take the account over; wrong answers count as failed
   * logins (the fifth locks the account and ends its sessions). The agent's other sessions end,
   * this one stays.
   */
  async changePassword(session: ConsoleSession, current: string, next: string, address = 'unknown'): Promise<PasswordChange> {
    const related = [session.agent.username, session.agent.displayName, ...this.relatedWords];
    const problem = passwordProblem(next, related) ?? (next === current ? PASSWORD_TEXTS.same : undefined);
    if (problem) return { ok: false, status: 400, message: problem };
    const agent = await this.db.agent.findUniqueOrThrow({ where: { id: session.agent.id } });
    // Guessing the current password through an open session is throttled like logging in.
    const attempt = await this.throttle.begin(agent.username, address);
    let blockedMs = attempt.allowed ? 0 : attempt.retryAfterMs;
    if (attempt.allowed) {
      if (await verifyPassword(current, agent.passwordHash)) await this.throttle.succeeded(attempt.pass);
      else if ((blockedMs = await this.throttle.failed(attempt.pass)) === 0) return { ok: false, status: 403, message: PASSWORD_TEXTS.wrong };
    }
    if (blockedMs > 0) {
      await this.db.agentSession.deleteMany({ where: { agentId: agent.id } });
      this.logger?.warn({ agent: agent.username }, 'console sessions ended after repeated wrong current passwords');
      return { ok: false, status: 429, message: PASSWORD_TEXTS.locked(blockedMs), retryAfterMs: blockedMs };
    }
    await this.db.agent.update({ where: { id: agent.id }, data: { passwordHash: await hashPassword(next), mustChangePassword: false } });
    session.mustChangePassword = false;
    const { count } = await this.db.agentSession.deleteMany({ where: { agentId: agent.id, id: { not: session.id } } });
    this.logger?.info({ agent: agent.username, otherSessionsEnded: count }, 'console password changed');
    return { ok: true, otherSessionsEnded: count };
  }

  /**
   * An admin gives someone who forgot their password a temporary one, shown to the admin once:
   * the lock-out is lifted and the account's sessions end. Logged in with it, the agent can do
   * nothing but choose their own (see console.ts). Never for one's own account (the top
   * bar's password change asks for the current one).
   */
  async resetPassword(admin: AgentActor, agentId: string): Promise<{ ok: true; password: string } | { ok: false; status: number; message: string }> {
    if (agentId === admin.id) return { ok: false, status: 409, message: 'Kendi şifrenizi üst çubuktaki "Şifre değiştir" ile değiştirin.' };
    const agent = await this.db.agent.findUnique({ where: { id: agentId } });
    if (!agent) return { ok: false, status: 404, message: 'Hesap bulunamadı.' };
    const password = temporaryPassword();
    await this.db.agent.update({ where: { id: agent.id }, data: { passwordHash: await hashPassword(password), mustChangePassword: true } });
    await this.throttle.unlock(agent.username);
    const { count } = await this.db.agentSession.deleteMany({ where: { agentId: agent.id } });
    this.logger?.info({ agent: agent.username, by: admin.username, sessionsEnded: count }, 'console password reset');
    return { ok: true, password };
  }

  /** The live session of a cookie token, or undefined (unknown, expired, account disabled). */
  async session(token: string | undefined): Promise<ConsoleSession | undefined> {
    if (!token || !TOKEN.test(token)) return undefined;
    const row = await this.db.agentSession.findUnique({ where: { id: sha256(token) }, include: { agent: true } });
    if (!row) return undefined;
    if (!this.isOpen(row, this.clock())) {
      await this.db.agentSession.deleteMany({ where: { id: row.id } });
      return undefined;
    }
    if (!row.agent.active) return undefined;
    return { id: row.id, agent: actorOf(row.agent), csrfToken: row.csrfToken, expiresAt: row.expiresAt, lastActiveAt: row.lastActiveAt, mustChangePassword: row.agent.mustChangePassword };
  }

  /**
   * The agent did something (opened a page, took an action): the idle time starts again. The
   * queue's own refreshes and the live stream are not activity, so a console left open alone
   * still ends.
   */
  async touch(session: ConsoleSession): Promise<void> {
    const now = this.clock();
    if (now.getTime() - session.lastActiveAt.getTime() < ACTIVITY_WRITE_MS) return;
    await this.db.agentSession.updateMany({ where: { id: session.id }, data: { lastActiveAt: now } });
    session.lastActiveAt = now;
  }

  /** Whether a session (by its id) still exists, has not expired and is not idle: live streams ask this. */
  async stillValid(sessionId: string): Promise<boolean> {
    const row = await this.db.agentSession.findUnique({ where: { id: sessionId }, select: { expiresAt: true, lastActiveAt: true } });
    return Boolean(row && this.isOpen(row, this.clock()));
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.agentSession.deleteMany({ where: { id: sessionId } });
  }

  tokenOf(request: Request): string | undefined {
    return readCookie(request.headers.cookie, SESSION_COOKIE);
  }

  /** Looks up the request's session once and keeps it in response.locals. */
  async sessionOf(request: Request, response: Response): Promise<ConsoleSession | undefined> {
    if (!('consoleSession' in response.locals)) response.locals.consoleSession = await this.session(this.tokenOf(request));
    return response.locals.consoleSession as ConsoleSession | undefined;
  }

  setCookie(request: Request, response: Response, token: string): void {
    const secure = request.secure ? '; Secure' : '';
    for (const path of COOKIE_PATHS) {
      response.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=${path}; Max-Age=${SESSION_HOURS * 3600}; HttpOnly; SameSite=Strict${secure}`);
    }
  }

  clearCookie(request: Request, response: Response): void {
    const secure = request.secure ? '; Secure' : '';
    for (const path of COOKIE_PATHS) {
      response.append('Set-Cookie', `${SESSION_COOKIE}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
    }
  }
}

/** The session a `requireAgent` middleware found, for the handlers after it. */
export function consoleSession(response: Response): ConsoleSession {
  const session = response.locals.consoleSession as ConsoleSession | undefined;
  if (!session) throw new Error('consoleSession: requireAgent did not run before this handler');
  return session;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const parseForm = express.urlencoded({ extended: false, limit: '64kb' });

/** The CSRF token of an unsafe request: the X-CSRF-Token header, or a `_csrf` form field. */
async function csrfOf(request: Request, response: Response): Promise<string | undefined> {
  const header = request.header('x-csrf-token');
  if (header) return header;
  if (request.body === undefined && request.is('application/x-www-form-urlencoded')) {
    await new Promise<void>((resolve, reject) => parseForm(request, response, (error?: unknown) => (error ? reject(error) : resolve())));
  }
  const field = (request.body as Record<string, unknown> | undefined)?._csrf;
  return typeof field === 'string' ? field : undefined;
}

/** A browser navigating to a page (redirect it to the login page) rather than a script calling an API. */
function wantsPage(request: Request): boolean {
  return request.method === 'GET' && !request.originalUrl.includes('/api/') && request.accepts(['html', 'json']) === 'html';
}

function forbiddenPage(response: Response, text: string): void {
  response.status(403).type('html').send(`<!doctype html><html lang="tr"><meta charset="utf-8"><title>Yetkiniz yok</title><link rel="stylesheet" href="/console/assets/console.css"><main class="notice-page"><h1>Yetkiniz yok</h1><p>${text}</p><p><a href="/console">Kuyruğa dön</a></p></main></html>`);
}

export const ACCESS_TEXTS = {
  login: 'Oturum açmanız gerekiyor.',
  role: 'Bu sayfayı yalnızca yetkili kullanıcılar görebilir.',
  csrf: 'Güvenlik doğrulaması başarısız oldu. Lütfen sayfayı yenileyip tekrar deneyin.',
  temporaryPassword: 'Yöneticinizin verdiği geçici şifreyle giriş yaptınız. Devam etmeden önce kendi şifrenizi belirleyin.',
};

/**
 * Middleware: the request needs a logged-in agent (with at least `role`, when given); unsafe
 * methods also need the session's CSRF token. Without a session, pages redirect to the login
 * page and APIs answer 401 JSON.
 */
export function authenticate(auth: ConsoleAuth | ((request: Request) => ConsoleAuth | undefined), role?: Role): RequestHandler {
  return async (request: Request, response: Response, next: NextFunction) => {
    try {
      const resolved = typeof auth === 'function' ? auth(request) : auth;
      const session = resolved ? await resolved.sessionOf(request, response) : undefined;
      if (!session) {
        if (wantsPage(request)) return void response.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(request.originalUrl)}`);
        return void response.status(401).json({ error: ACCESS_TEXTS.login });
      }
      if (role && !hasRole(session.agent, role)) {
        if (wantsPage(request)) return void forbiddenPage(response, ACCESS_TEXTS.role);
        return void response.status(403).json({ error: ACCESS_TEXTS.role });
      }
      if (UNSAFE.has(request.method)) {
        const token = await csrfOf(request, response);
        if (!token || !sameSecret(token, session.csrfToken)) return void response.status(403).json({ error: ACCESS_TEXTS.csrf });
      }
      if (resolved && (UNSAFE.has(request.method) || wantsPage(request))) await resolved.touch(session);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * True for a request another site's page made the browser send. The login form has no session
 * yet, so no CSRF token: without this check a page elsewhere could post its own credentials and
 * leave the agent working, unknowingly, in an account its author reads (login CSRF). Browsers say
 * where a request comes from in Sec-Fetch-Site, and older ones in Origin; a request with neither
 * is not a browser's and cannot be forged this way.
 */
export function fromAnotherSite(request: Request): boolean {
  const site = request.header('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = request.header('origin');
  if (!origin) return false;
  try {
    // Behind a proxy the browser's host may be in X-Forwarded-Host; a page elsewhere cannot set it.
    const host = new URL(origin).host;
    return host !== request.header('host') && host !== request.header('x-forwarded-host');
  } catch {
    return true; // "null" (a sandboxed frame, a redirect) or garbage
  }
}

const AUTH_KEY = 'cozumConsoleAuth';

/** Makes `requireAgent` work on every router of this express app. */
export function installConsoleAuth(app: Express, auth: ConsoleAuth): void {
  app.locals[AUTH_KEY] = auth;
}

/**
 * Protects a route with the console's login, e.g. `router.use('/admin', requireAgent('admin'))`.
 * Fails closed: with no ConsoleAuth installed, nobody gets in.
 */
export function requireAgent(role?: Role): RequestHandler {
  const authenticated = authenticate((request) => request.app.locals[AUTH_KEY] as ConsoleAuth | undefined, role);
  return (request, response, next) =>
    authenticated(request, response, (error?: unknown) => {
      if (error !== undefined) return next(error);
      if (!consoleSession(response).mustChangePassword) return next();
      // A temporary password from an admin: the console asks for the agent's own first.
      if (wantsPage(request)) return void response.redirect(303, '/console');
      response.status(403).json({ error: ACCESS_TEXTS.temporaryPassword, mustChangePassword: true });
    });
}
