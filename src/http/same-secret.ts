// The one comparison of a secret someone sent (a webhook token, a signature, a CSRF token, a
// password hash) with the one we hold: its time does not depend on where the two differ.
import { timingSafeEqual } from 'node:crypto';

export function sameSecret(given: string | Buffer | undefined, expected: string | Buffer): boolean {
  if (given === undefined) return false;
  const a = typeof given === 'string' ? Buffer.from(given) : given;
  const b = typeof expected === 'string' ? Buffer.from(expected) : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}
