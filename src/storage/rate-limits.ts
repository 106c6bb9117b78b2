// Where rate-limit counters live: the seam between the limits (login throttling, the public HTTP
// endpoints) and rate-limiter-flexible's stores. The limits ask for a limiter by name, points and
// window; a store decides where its counters are kept.
//   - databaseLimits: the RateLimit table through Prisma (rate-limiter-flexible's RateLimiterPrisma,
//     an atomic INSERT … ON CONFLICT DO UPDATE per hit). Survives restarts, shared by every
//     instance on the same database: login throttling must never forget.
//   - memoryLimits: process memory (RateLimiterMemory). For the hot paths where a write per request
//     would cost more than the limit is worth (web chat messages); per instance.
//   - redisLimits: Redis (RateLimiterRedis), for those same hot paths when several instances run:
//     one counter per address that every instance agrees on, at the cost of a round trip to Redis
//     instead of a database write. While Redis cannot be reached each limiter counts in this
//     process's memory instead (its insurance limiter): the limits hold per instance, and a citizen
//     is never refused because Redis is down.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPrisma, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from './database.ts';

export interface LimitSpec {
  /** Distinguishes the limiters sharing a store, e.g. "login:address". */
  name: string;
  /** Points allowed per window; a hit costs 1 unless told otherwise. */
  points: number;
  /** Window length in seconds, counted from the first hit. */
  seconds: number;
  /**
   * Once a key is over its points, refuse it from memory until its window ends, without asking the
   * store again: a flood then costs no write per request. Not for counters something else may reset.
   */
  holdInMemory?: boolean;
  /** Once a key went over its points, it is refused for this long, counted from that hit. */
  blockSeconds?: number;
}

export interface RateLimitStore {
  limiter(spec: LimitSpec): RateLimiterAbstract;
  /** Deletes the counters of limiter `name` whose key starts with `keyStart` (an admin lifting a lock-out). */
  forget(name: string, keyStart: string): Promise<void>;
  /** Deletes expired counters; main.ts runs it now and then. Returns how many went. */
  sweep(): Promise<number>;
}

export function databaseLimits(db: Database): RateLimitStore {
  return {
    // rate-limiter-flexible's own clean-up is a timer per limiter that logs to the console; sweep() is ours.
    limiter: ({ name, points, seconds, holdInMemory, blockSeconds }) =>
      new RateLimiterPrisma({
        storeClient: db,
        tableName: 'rateLimit',
        keyPrefix: name,
        points,
        duration: seconds,
        blockDuration: blockSeconds ?? 0,
        clearExpiredByTimeout: false,
        ...(holdInMemory ? { inMemoryBlockOnConsumed: points + 1 } : {}),
      }),
    // rate-limiter-flexible stores a key as "<keyPrefix>:<key>".
    forget: async (name, keyStart) => void (await db.rateLimit.deleteMany({ where: { key: { startsWith: `${name}:${keyStart}` } } })),
    sweep: async () => (await db.rateLimit.deleteMany({ where: { expire: { lt: new Date() } } })).count,
  };
}

export function memoryLimits(): RateLimitStore {
  const limiters = new Map<string, RateLimiterMemory>();
  return {
    limiter: ({ name, points, seconds, blockSeconds }) => {
      const limiter = new RateLimiterMemory({ keyPrefix: name, points, duration: seconds, blockDuration: blockSeconds ?? 0 });
      limiters.set(name, limiter);
      return limiter;
    },
    forget: async (name, keyStart) => {
      const limiter = limiters.get(name);
      for (const record of limiter?.dump().storage ?? []) if (String(record.key).startsWith(keyStart)) await limiter!.delete(record.key);
    },
    // RateLimiterMemory forgets expired keys by itself.
    sweep: async () => 0,
  };
}

/**
 * Counters in Redis, under `keyPrefix` (several deployments, or test runs, may share one Redis).
 * The client should fail commands at once while disconnected (`enableOfflineQueue: false`,
 * storage/redis.ts): a request then falls back to memory instead of waiting for Redis.
 */
export function redisLimits(redis: Redis, { keyPrefix = 'cozum:' }: { keyPrefix?: string } = {}): RateLimitStore {
  return {
    limiter: ({ name, points, seconds, holdInMemory, blockSeconds }) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${keyPrefix}${name}`,
        points,
        duration: seconds,
        blockDuration: blockSeconds ?? 0,
        // Not connected: straight to the insurance limiter rather than a command that would fail.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: seconds, blockDuration: blockSeconds ?? 0 }),
        ...(holdInMemory ? { inMemoryBlockOnConsumed: points + 1 } : {}),
      }),
    // rate-limiter-flexible stores a key as "<keyPrefix>:<key>"; SCAN, not KEYS: Redis keeps answering the others meanwhile.
    forget: async (name, keyStart) => {
      const pattern = `${keyPrefix}${name}:${keyStart.replace(/[*?[\]\\]/g, '\\$&')}*`;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
    // Redis expires the counters itself.
    sweep: async () => 0,
  };
}
