// GET /metrics in Prometheus' text format, for a scraper on this machine only (a reverse proxy on
// loopback forwarding the outside world is refused too: express's request.ip is then the outside
// address). prom-client's default metrics include the event loop's delay
// (`nodejs_eventloop_lag_p99_seconds`, `…_max_seconds`, from perf_hooks.monitorEventLoopDelay,
// reset at each scrape): how long a citizen's turn waited behind other work since the last scrape.
import type { Request, Response } from 'express';
import { metricsRegistry } from '../metrics.ts';
import { isLoopbackAddress } from './loopback.ts';

export async function metricsHandler(request: Request, response: Response): Promise<void> {
  if (!isLoopbackAddress(request.ip)) return void response.status(404).json({ error: 'Not found.' });
  response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
}
