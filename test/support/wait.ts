// Event-driven waiting for tests: no fixed sleeps, and a generous bound that explains itself.
import type { EventEmitter } from 'node:events';

/**
 * Resolves with the first value `find` returns, checked now and each time `events` emits `event`;
 * after `timeoutMs` rejects with `what` and whatever `describe` says was recorded.
 */
export function waitForEvent<T>(
  events: EventEmitter,
  event: string,
  find: () => T | undefined,
  options: { what: string; timeoutMs: number; describe: () => string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = find();
      if (found === undefined) return false;
      cleanup();
      resolve(found);
      return true;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out waiting for ${options.what}. ${options.describe()}`));
    }, options.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      events.off(event, check);
    };
    if (!check()) events.on(event, check);
  });
}
