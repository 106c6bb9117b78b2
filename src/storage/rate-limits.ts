// Where rate-limit counters live: the seam between the limits (login throttling, the public HTTP
// endpoints) and rate-limiter-flexible's stores. The limits ask for a limiter by name, points and
// window; a store decides where its counters are kept.
//   - databaseLimits: the RateLimit table through Prisma (rate-limiter-flexible's RateLimiterPrisma,
//     an atomic INSERT … ON CONFLICT DO UPDATE per hit). Survives restarts, shared by every
//     instance on the same database: login throttling must never forget.
//   - memoryLimits: process memory (RateLimiterMemory). For the hot paths where a write per request
//     would cost more than the limit is worth (web chat messages); per instance.
// Several instances on PostgreSQL use databaseLimits as is; a Redis store (RateLimiterRedis) is one
// more implementation of this interface.
import { RateLimiterMemory, RateLimiterPrisma, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
    limiter: ({ name, points, seconds, holdInMemory }) =>
      new RateLimiterPrisma({
        storeClient: db,
        tableName: 'rateLimit',
        keyPrefix: name,
        points,
        duration: seconds,
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
    limiter: ({ name, points, seconds }) => {
      const limiter = new RateLimiterMemory({ keyPrefix: name, points, duration: seconds });
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
