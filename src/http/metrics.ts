// GET /metrics in Prometheus' text format: for a scraper on this machine (a reverse proxy on
// loopback forwarding the outside world is refused too: express's request.ip is then the outside
// address), or, with METRICS_TOKEN set, for one anywhere that sends `Authorization: Bearer <token>`
// (Prometheus' `authorization` setting). Anyone else reads 404, as if there were nothing here.
// prom-client's default metrics include the event loop's delay (`nodejs_eventloop_lag_p99_seconds`,
// `…_max_seconds`, from perf_hooks.monitorEventLoopDelay, reset at each scrape): how long a
// citizen's turn waited behind other work since the last scrape.
import type { Request, RequestHandler, Response } from 'express';
import { metricsRegistry } from '../metrics.ts';
import { isLoopbackAddress } from './loopback.ts';
import { sameSecret } from './same-secret.ts';

export function metricsHandler(token?: string): RequestHandler {
  return async (request: Request, response: Response) => {
    const bearer = /^Bearer (.+)$/.exec(request.header('authorization') ?? '')?.[1];
    const allowed = token ? sameSecret(bearer, token) || isLoopbackAddress(request.ip) : isLoopbackAddress(request.ip);
    if (!allowed) return void response.status(404).json({ error: 'Not found.' });
    response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  };
}
