// Rate limits on the public HTTP endpoints, per client address: beyond its limit a request is
// answered 429 with Retry-After and a sentence (JSON for scripts, a short page for a browser),
// before any work is done for it: in English for machines (webhooks), in the words of whoever
// owns the path otherwise (the console's login: console/auth.ts; the web chat: its citizen's language). The counters come from a RateLimitStore
// (storage/rate-limits.ts). The web chat's own limits (sessions, messages, reads) live in
// channels/web/webchat.ts; this file holds the middleware and the limits of the paths other
// modules own (console login, channel webhooks), mounted by main.ts before every router.
import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';
import { clientAddress } from './client-address.ts';
import { escapeHtml } from './html.ts';

/** For machines and their operators (webhooks): nobody at the municipality or among citizens reads it. */
export const TOO_MANY = (waitMs: number) => `Too many requests: try again in ${Math.max(1, Math.ceil(waitMs / 1000))} seconds.`;

/** Answers a refused request: 429, Retry-After, the message as JSON or, for a browser's page, as HTML. */
export function tooMany(request: Request, response: Response, waitMs: number, message = TOO_MANY(waitMs)): void {
  response.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
  if (request.accepts(['json', 'html']) === 'html') {
    response.status(429).type('html').send(`<!doctype html><html><meta charset="utf-8"><title>429</title><p>${escapeHtml(message)}</p></html>`);
    return;
  }
  response.status(429).json({ error: message });
}

/** Takes `cost` points from `key`; the wait in ms when that goes over the limit, else 0. */
export async function overLimit(limiter: RateLimiterAbstract, key: string, cost = 1): Promise<number> {
  try {
    await limiter.consume(key, cost);
    return 0;
  } catch (error) {
    if (error instanceof RateLimiterRes) return Math.max(error.msBeforeNext, 1000);
    throw error;
  }
}

export interface LimitedPath {
  method: string;
  /** A path, or a prefix ending in "/". */
  path: string;
  limiter: RateLimiterAbstract;
  /** What the refused client reads; TOO_MANY (English, for machines) when not given. */
  message?: (waitMs: number) => string;
}

function matches(limit: LimitedPath, request: Request): boolean {
  if (request.method !== limit.method) return false;
  return limit.path.endsWith('/') ? request.path.startsWith(limit.path) : request.path === limit.path;
}

/** Middleware: the first matching path's limit counts the request against the client's address. */
export function limitPaths(paths: LimitedPath[]): RequestHandler {
  return (request, response, next) => {
    const limit = paths.find((candidate) => matches(candidate, request));
    if (!limit) return next();
    overLimit(limit.limiter, `${limit.method} ${limit.path}|${clientAddress(request)}`).then(
      (waitMs) => (waitMs > 0 ? tooMany(request, response, waitMs, (limit.message ?? TOO_MANY)(waitMs)) : next()),
      next,
    );
  };
}

/**
 * The console login and the channels' webhooks (their paths as main.ts knows them): a flood guard
 * per address in front of what checks passwords, secrets and signatures.
 */
export function publicPathLimits(
  settings: Config['limits']['http'],
  store: RateLimitStore,
  webhookPaths: { method: string; path: string }[],
  /** What an agent reads at the console's login (console/auth.ts). */
  loginMessage?: (waitMs: number) => string,
): RequestHandler {
  const paths: LimitedPath[] = [];
  if (settings.login > 0) paths.push({ method: 'POST', path: '/console/login', limiter: store.limiter({ name: 'http:login', points: settings.login, seconds: 60 }), message: loginMessage });
  if (settings.webhooks > 0) {
    const webhooks = store.limiter({ name: 'http:webhooks', points: settings.webhooks, seconds: 60 });
    for (const webhook of webhookPaths) paths.push({ ...webhook, limiter: webhooks });
  }
  return limitPaths(paths);
}
