// Login throttling. Every attempt is counted, atomically, BEFORE its password is checked, so a burst
// of simultaneous guesses gets no more checks than the same guesses one after another. Counters
// live in a RateLimitStore (the database by default: they survive restarts and are shared by
// instances) and are kept by the name typed, whether or not such an account exists, so the answers
// (and the work behind them) are the same for real accounts and unknown names.
//
// Three gates, each with its own counter per key:
//   address+account  a person mistyping, or one machine guessing one account: 5 tries, then blocks
//                    that double from 1 minute up to an hour. Whoever is blocked here is only the
//                    guesser: the agent at their own desk is another address.
//   address          one address trying many accounts (password spraying): 50 tries an hour.
//   account          one account guessed from many addresses: 20 tries an hour, then blocks.
// An address that logged in to an account in the last 30 days passes only that account's
// address+account gate: neither a stranger guessing elsewhere nor colleagues' typos behind the same
// address can keep an agent out of their work.
// After a block ends a gate allows one try at a time, each failure doubling the next block, until a
// day passes without one. A successful login clears its address+account gate and gives back what
// it took from the others.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitStore } from '../storage/rate-limits.ts';

export interface ThrottleRule {
  /** Tries allowed within `windowSeconds` before the first block. */
  free: number;
  windowSeconds: number;
  /** The first block; each further one doubles, up to `maxBlockSeconds`. */
  firstBlockSeconds: number;
  maxBlockSeconds: number;
}

export const LOGIN_RULES = {
  addressAccount: { free: 5, windowSeconds: 3600, firstBlockSeconds: 60, maxBlockSeconds: 3600 },
  address: { free: 50, windowSeconds: 3600, firstBlockSeconds: 300, maxBlockSeconds: 24 * 3600 },
  account: { free: 20, windowSeconds: 3600, firstBlockSeconds: 300, maxBlockSeconds: 3600 },
} satisfies Record<string, ThrottleRule>;

/** How long an address that logged in to an account is spared that account's own gate. */
export const TRUSTED_DAYS = 30;
/** Blocks keep doubling until this long passes without one. */
const STRIKES_SECONDS = 24 * 3600;

/** A consume's answer whether it stayed within the points (resolved) or went over them (rejected). */
async function counted(hit: Promise<RateLimiterRes>): Promise<RateLimiterRes> {
  try {
    return await hit;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

interface Entry {
  gate: Gate;
  key: string;
  /** This attempt's number within the gate's window, and how many the gate allows now. */
  count: number;
  allowance: number;
}

class Gate {
  private readonly attempts: RateLimiterAbstract;
  private readonly strikes: RateLimiterAbstract;

  constructor(
    private readonly store: RateLimitStore,
    private readonly name: string,
    private readonly rule: ThrottleRule,
  ) {
    this.attempts = store.limiter({ name: `login:${name}`, points: rule.free, seconds: rule.windowSeconds });
    this.strikes = store.limiter({ name: `login:${name}:blocks`, points: Number.MAX_SAFE_INTEGER, seconds: STRIKES_SECONDS });
  }

  private async allowance(key: string): Promise<number> {
    return ((await this.strikes.get(key))?.consumedPoints ?? 0) > 0 ? 1 : this.rule.free;
  }

  /** Counts one attempt; `waitMs` is how long until this gate lets the next one through. */
  async enter(key: string): Promise<{ entry: Entry; allowed: boolean; waitMs: number }> {
    const allowance = await this.allowance(key);
    const hit = await counted(this.attempts.consume(key));
    return { entry: { gate: this, key, count: hit.consumedPoints, allowance }, allowed: hit.consumedPoints <= allowance, waitMs: hit.msBeforeNext };
  }

  /** A wrong password after this entry: the last allowed try blocks the key. Returns the block (ms), or 0. */
  async failed(entry: Entry): Promise<number> {
    if (entry.count < entry.allowance) return 0;
    const blocks = await this.strikes.penalty(entry.key, 1);
    const seconds = Math.min(this.rule.firstBlockSeconds * 2 ** (blocks.consumedPoints - 1), this.rule.maxBlockSeconds);
    await this.attempts.block(entry.key, seconds);
    return seconds * 1000;
  }

  /** Takes back the try an entry counted (it was refused by another gate, or it was right). */
  async giveBack(entry: Entry): Promise<void> {
    await this.attempts.reward(entry.key, 1);
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.attempts.delete(key), this.strikes.delete(key)]);
  }

  /** Clears every key that starts with `keyStart`. */
  async clearAll(keyStart: string): Promise<void> {
    await Promise.all([this.store.forget(`login:${this.name}`, keyStart), this.store.forget(`login:${this.name}:blocks`, keyStart)]);
  }

  /** How long this key is still blocked (ms), or 0. */
  async blockedFor(key: string): Promise<number> {
    const [hits, allowance] = await Promise.all([this.attempts.get(key), this.allowance(key)]);
    return hits && hits.consumedPoints >= allowance && hits.msBeforeNext > 0 ? hits.msBeforeNext : 0;
  }
}

/** An attempt that may have its password checked; hand it back to `succeeded` or `failed`. */
export interface Pass {
  username: string;
  address: string;
  entries: Entry[];
}

export type Attempt = { allowed: true; pass: Pass } | { allowed: false; retryAfterMs: number };

export class LoginThrottle {
  private readonly addressAccount: Gate;
  private readonly address: Gate;
  private readonly account: Gate;
  private readonly trusted: RateLimiterAbstract;

  constructor(store: RateLimitStore, rules: typeof LOGIN_RULES = LOGIN_RULES) {
    this.addressAccount = new Gate(store, 'address-account', rules.addressAccount);
    this.address = new Gate(store, 'address', rules.address);
    this.account = new Gate(store, 'account', rules.account);
    this.trusted = store.limiter({ name: 'login:trusted', points: 1, seconds: TRUSTED_DAYS * 86_400 });
  }

  /** Counts an attempt at `username` (normalized) from `address`, before the password is checked. */
  async begin(username: string, address: string): Promise<Attempt> {
    const pair = `${username}|${address}`;
    const trusted = (await this.trusted.get(pair)) !== null;
    const plan: [Gate, string][] = [[this.addressAccount, pair]];
    if (!trusted) plan.push([this.address, address], [this.account, username]);
    const entries: Entry[] = [];
    for (const [gate, key] of plan) {
      const { entry, allowed, waitMs } = await gate.enter(key);
      if (!allowed) {
        // Refused here: the gates before this one do not count a try whose password nobody checked.
        await Promise.all(entries.map((e) => e.gate.giveBack(e)));
        return { allowed: false, retryAfterMs: Math.max(waitMs, 1000) };
      }
      entries.push(entry);
    }
    return { allowed: true, pass: { username, address, entries } };
  }

  /** The password was right: the address+account gate starts again, the others get their try back. */
  async succeeded(pass: Pass): Promise<void> {
    await Promise.all(pass.entries.map((entry) => (entry.gate === this.addressAccount ? entry.gate.clear(entry.key) : entry.gate.giveBack(entry))));
    const pair = `${pass.username}|${pass.address}`;
    await this.trusted.delete(pair);
    await this.trusted.consume(pair);
  }

  /** The password was wrong. Returns how long the attempt's blocks last (ms), or 0 when none started. */
  async failed(pass: Pass): Promise<number> {
    const blocks = await Promise.all(pass.entries.map((entry) => entry.gate.failed(entry)));
    return Math.max(0, ...blocks);
  }

  /** How long the account's own gate (guesses from many addresses) still holds it, or 0. */
  lockedFor(username: string): Promise<number> {
    return this.account.blockedFor(username);
  }

  /**
   * An admin lifted the lock-out (a new temporary password, the account opened again): the account's
   * own gate and its address+account gates, wherever they were, start again.
   */
  async unlock(username: string): Promise<void> {
    await Promise.all([this.account.clear(username), this.addressAccount.clearAll(`${username}|`)]);
  }
}
