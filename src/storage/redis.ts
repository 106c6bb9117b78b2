// The Redis connection (REDIS_URL) that several instances share their flood counters through
// (storage/rate-limits.ts `redisLimits`). Not reachable at start-up: start-up stops with the
// setting's name, as for a wrong database URL. Lost while running: ioredis reconnects by itself;
// meanwhile commands fail at once (no offline queue) so that the limits count in memory instead of
// holding a citizen's request, and the operator is told once when it goes and once when it is back.
import { Redis } from 'ioredis';
import { databaseLabel } from './database-label.ts';

export interface RedisWatch {
  /** The connection went (logged once per outage). */
  lost(error: Error | undefined): void;
  /** Connected again after `lost`. */
  back(): void;
}

/** How long a command may take before the request falls back to memory (Redis answers in well under a millisecond). */
const COMMAND_TIMEOUT_MS = 500;
/** Reconnection attempts: quickly at first, then every 2 s for as long as it takes. */
const retryDelay = (attempt: number) => Math.min(attempt * 100, 2_000);

export class RedisUnreachable extends Error {}

export async function openRedis(url: string, watch: RedisWatch): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: retryDelay,
  });
  // Without a listener ioredis prints every failed reconnection to the console.
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    // connect() keeps retrying by itself; start-up waits for one attempt only.
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('close', () => reject(lastError ?? new Error('connection closed')));
      redis.connect().catch(reject);
    });
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachable(`REDIS_URL (redisUrl): Redis at ${databaseLabel(url)} did not answer: ${(error as Error).message}`);
  }
  let down = false;
  redis.on('close', () => {
    if (down || redis.status === 'end') return;
    down = true;
    watch.lost(lastError);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    watch.back();
  });
  return redis;
}
