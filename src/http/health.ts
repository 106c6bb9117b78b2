// What a load balancer, a container runtime or a monitoring system asks of the process:
// `/healthz` (alive: the event loop answers) and `/readyz` (able to take work now: the database
// answers, every migration is applied, each channel started, and not shutting down; Redis, when
// configured, is reported but not required: the flood counters fall back to memory). A probe sees
// 503 on `/readyz` while starting and while draining, so no new work is routed to this instance.
import type { RequestHandler, Router } from 'express';
import express from 'express';
import { listMigrations } from '../storage/migrate.ts';

/** One component's state, as `/readyz` reports it. */
export interface ComponentState {
  ready: boolean;
  /** For the operator: what is wrong (English, never personal data). */
  detail?: string;
  /** Reported, but this instance takes work without it (Redis: the flood counters fall back to memory). */
  optional?: true;
}

export interface ReadinessChecks {
  /** Resolves when the database answers a trivial query. */
  pingDatabase(): Promise<void>;
  /** Names of the migrations recorded as applied in the database. */
  appliedMigrations(): Promise<string[]>;
  /** The folder of the database's migrations (storage/migrate.ts); SQLite's when not given. */
  migrationsDir?: string;
  /** With REDIS_URL: resolves when Redis answers. */
  pingRedis?(): Promise<void>;
}

/** How long a check may take before it counts as failed: a probe must get an answer. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class Readiness {
  private phase: 'starting' | 'ready' | 'draining' = 'starting';
  private readonly channels = new Map<string, ComponentState>();
  private readonly expectedMigrations: string[];
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly checks: ReadinessChecks) {
    this.expectedMigrations = listMigrations(checks.migrationsDir).map((migration) => migration.name);
  }

  get draining(): boolean {
    return this.phase === 'draining';
  }

  /** A channel's state changed (declared when it is built, ready once started). */
  setChannel(name: string, state: ComponentState): void {
    this.channels.set(name, state);
  }

  /** Start-up is over: the server listens and every channel was started. */
  markReady(): void {
    if (this.phase === 'starting') this.phase = 'ready';
  }

  /** Shutting down: from now on `/readyz` answers 503 and new work is refused (see `gate`). */
  drain(): void {
    this.phase = 'draining';
  }

  async report(): Promise<{ ready: boolean; status: string; components: Record<string, ComponentState> }> {
    const components: Record<string, ComponentState> = {};
    components.database = await withTimeout(this.checks.pingDatabase(), 'database')
      .then((): ComponentState => ({ ready: true }))
      .catch((error: unknown): ComponentState => ({ ready: false, detail: (error as Error).message }));
    components.migrations = components.database.ready
      ? await withTimeout(this.checks.appliedMigrations(), 'database')
          .then((applied): ComponentState => {
            const missing = this.expectedMigrations.filter((name) => !applied.includes(name));
            return missing.length === 0 ? { ready: true } : { ready: false, detail: `not applied: ${missing.join(', ')}` };
          })
          .catch((error: unknown): ComponentState => ({ ready: false, detail: (error as Error).message }))
      : { ready: false, detail: 'database unreachable' };
    if (this.checks.pingRedis) {
      components.redis = await withTimeout(this.checks.pingRedis(), 'redis')
        .then((): ComponentState => ({ ready: true }))
        .catch((error: unknown): ComponentState => ({ ready: false, optional: true, detail: `${(error as Error).message} (flood counters kept per instance meanwhile)` }));
    }
    for (const [name, state] of this.channels) components[`channel:${name}`] = state;
    const ready = this.phase === 'ready' && Object.values(components).every((component) => component.ready || component.optional);
    return { ready, status: this.phase, components };
  }

  router(): Router {
    const router = express.Router();
    router.get('/healthz', (_request, response) => {
      response.setHeader('Cache-Control', 'no-store');
      response.json({ status: 'alive' });
    });
    router.get('/readyz', async (_request, response) => {
      const report = await this.report();
      response.setHeader('Cache-Control', 'no-store');
      response.status(report.ready ? 200 : 503).json(report);
    });
    return router;
  }

  /**
   * Counts the requests that may start work (anything but GET and HEAD) while they run, and while
   * draining answers new ones 503 with Retry-After before anything is stored: the platform or the
   * client sends it again, to another instance or after the restart. Nothing acknowledged is lost.
   */
  gate(): RequestHandler {
    return (request, response, next) => {
      if (request.method === 'GET' || request.method === 'HEAD') return next();
      if (this.draining) {
        response.setHeader('Retry-After', '5');
        response.setHeader('Connection', 'close');
        response.status(503).json({ error: 'The server is restarting. Please try again shortly.' });
        return;
      }
      this.inFlight++;
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      };
      response.once('finish', finished);
      response.once('close', finished);
      next();
    };
  }

  /** Resolves once no request counted by `gate` is running. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
