// Logging in and out: the login page and its POST are public, logging out needs a session.
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { clientAddress } from '../../http/client-address.ts';
import { escapeHtml } from '../../http/html.ts';
import { ACCESS_TEXTS, consoleSession, fromAnotherSite, LOGIN_PATH, LOGIN_TEXTS } from '../auth.ts';
import type { RouteContext } from './context.ts';

/** Where to go after logging in: only a path of the console or the admin pages. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 500) return '/console';
  if (!/^\/(console|admin)(\/|\?|$)/.test(next) || next.includes('//') || next.includes('\\')) return '/console';
  return next;
}

const Next = z.unknown().optional().transform(safeNext);
const LoginQuery = z.object({ next: Next });
// Anything missing or of another type reads as empty: the form then says what to fill in.
const LoginBody = z
  .object({
    username: z.string().transform((s) => s.slice(0, 100)).catch(''),
    password: z.string().transform((s) => s.slice(0, 200)).catch(''),
    next: Next,
  })
  .catch({ username: '', password: '', next: safeNext(undefined) });

/** The login page and its POST (JSON for scripts, the form for people). */
export function loginRoutes({ auth, logger, pages, form, json }: RouteContext): Router {
  const router = express.Router();

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

  router.get(LOGIN_PATH, async (request, response) => {
    const { next } = LoginQuery.parse(request.query);
    if (await auth.sessionOf(request, response)) return void response.redirect(303, next);
    loginPage(response, 200, '', next);
  });

  router.post(LOGIN_PATH, form, json, async (request, response) => {
    const { username, password, next } = LoginBody.parse(request.body ?? {});
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

  return router;
}

/** Logging out ends this session only. */
export function logoutRoutes({ auth, form, json }: RouteContext): Router {
  const router = express.Router();
  router.post('/console/logout', form, json, async (request, response) => {
    await auth.logout(consoleSession(response).id);
    auth.clearCookie(request, response);
    if (request.is('application/json')) return void response.json({ ok: true });
    response.redirect(303, LOGIN_PATH);
  });
  return router;
}
