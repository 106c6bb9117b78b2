// The one HTTP server: the web chat today; channel webhooks and the agent console mount here too.
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../log.ts';
import { metricsHandler } from './metrics.ts';

export interface HttpAppOptions {
  /** Run before every router (rate limits: http/rate-limits.ts; refusing work while draining). */
  guards?: RequestHandler[];
  /** Routes answered before the guards (health probes: never rate-limited, answered while draining). */
  probes?: Router;
  /**
   * Which proxies' X-Forwarded-For and X-Forwarded-Proto are believed (Express' `trust proxy`):
   * 'loopback' for a proxy on the same machine, addresses or CIDRs for one elsewhere.
   */
  trustProxy?: string;
  /** Lets a Prometheus elsewhere read /metrics with `Authorization: Bearer <token>` (http/metrics.ts). */
  metricsToken?: string;
}

export function createHttpApp(routers: Router[], logger: Logger, options: HttpAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxyValue(options.trustProxy ?? 'loopback'));
  app.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  if (options.probes) app.use(options.probes);
  // Loopback, or the token (http/metrics.ts): scraped by a Prometheus on this machine or elsewhere.
  app.get('/metrics', metricsHandler(options.metricsToken));
  for (const guard of options.guards ?? []) app.use(guard);
  for (const router of routers) app.use(router);
  // For the systems that call the API and their operators, in English: the console and the web chat
  // answer their own paths' errors in their readers' words.
  app.use((_request, response) => void response.status(404).json({ error: 'Not found.' }));
  // Malformed or oversized bodies are the client's fault: answer 4xx, never crash.
  app.use((error: Error & { status?: number; type?: string }, _request: Request, response: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'request failed');
    const message = status === 413 ? 'Request too large.' : status < 500 ? 'Unreadable request.' : 'Something went wrong on the server.';
    response.status(status).json({ error: message });
  });
  return app;
}

/** A number of hops when the setting is a number, else Express' list of names, addresses and CIDRs. */
export function trustProxyValue(setting: string): string | number | boolean {
  const trimmed = setting.trim();
  if (trimmed === 'false' || trimmed === '') return false;
  if (trimmed === 'true') return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Express 5 calls this back on 'error' too (a port already taken), with the error.
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
