// The one HTTP server: the web chat today; channel webhooks and the agent console mount here too.
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../log.ts';
import { metricsHandler } from './metrics.ts';

/** `guards` run before every router (rate limits: http/rate-limits.ts). */
export function createHttpApp(routers: Router[], logger: Logger, guards: RequestHandler[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.get('/health', (_request, response) => void response.json({ ok: true }));
  app.get('/metrics', metricsHandler);
  for (const guard of guards) app.use(guard);
  for (const router of routers) app.use(router);
  app.use((_request, response) => void response.status(404).json({ error: 'Bulunamadı.' }));
  // Malformed or oversized bodies are the client's fault: answer 4xx, never crash.
  app.use((error: Error & { status?: number; type?: string }, _request: Request, response: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'request failed');
    const message = status === 413 ? 'İstek çok büyük.' : status < 500 ? 'İstek okunamadı.' : 'Sunucuda bir sorun oluştu.';
    response.status(status).json({ error: message });
  });
  return app;
}

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
