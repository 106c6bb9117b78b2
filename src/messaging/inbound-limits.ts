// Flood control and media limits, as botbuilder middleware (`adapter.use(new InboundLimits(...))`).
//
// Why middleware and not inside `ChatAdapter.receive`: the message must still be stored (and a
// duplicate still dropped) before anything decides about it, and a warning is an ordinary reply that
// goes through the outbox in the chat's order. Middleware runs exactly there: after the adapter has
// stored the message, inside the chat's queue, before the bot. It counts by the time the message
// arrived (the activity's timestamp), so a backlog replayed after a restart is judged as it came in.
// Counters live in memory per contact: one citizen's flood never slows another's turn. With several
// instances a citizen's messages are answered by whichever instance receives them (ownership.ts), so
// each would see only its share: given a shared store (Redis, storage/rate-limits.ts), the count is
// kept there instead, one per citizen for every instance, counted as messages are answered.
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { INBOUND_KEY, type InboundContext } from './adapter.ts';
import type { Logger } from '../log.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';

export interface InboundLimitSettings {
  /** More than this many messages within `floodSeconds`… */
  floodMessages: number;
  floodSeconds: number;
  /** …get one warning, then this many seconds in which messages are stored but not answered. */
  floodPauseSeconds: number;
  /** Largest photo or file accepted, when the channel reports a size. */
  maxMediaBytes: number;
}

interface Counter {
  /** Arrival times (ms) within the current window, oldest first. */
  hits: number[];
  pausedUntil: number;
}

export type FloodVerdict = 'ok' | 'warn' | 'pause';

/** What the citizen reads when a limit stops a message: content (bot/texts.yaml), in the citizen's language. */
export interface LimitTexts {
  flood(pauseSeconds: number): string;
  mediaTooLarge(maxBytes: number): string;
}

export class InboundLimits implements Middleware {
  private readonly counters = new Map<string, Counter>();
  private checks = 0;
  /** The count every instance shares, when there is a shared store. */
  private readonly shared: RateLimiterAbstract | undefined;

  constructor(
    private readonly settings: InboundLimitSettings,
    /** In the citizen's language: the contact's, looked up only when a limit speaks. */
    private readonly texts: (inbound: InboundContext) => LimitTexts | Promise<LimitTexts>,
    private readonly logger?: Logger,
    /** Several instances: where the count is shared (Redis); without it, this process's memory. */
    sharedStore?: RateLimitStore,
  ) {
    this.shared = sharedStore?.limiter({ name: 'flood', points: settings.floodMessages, seconds: settings.floodSeconds, blockSeconds: settings.floodPauseSeconds });
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!inbound || context.activity.type !== ActivityTypes.Message) return next();
    const at = context.activity.timestamp ? new Date(context.activity.timestamp).getTime() : Date.now();
    const verdict = await this.verdict(inbound.contactId, Number.isFinite(at) ? at : Date.now());
    if (verdict === 'pause') return;
    if (verdict === 'warn') {
      this.logger?.info({ contact: inbound.contactId, pauseSeconds: this.settings.floodPauseSeconds }, 'flood control: contact paused');
      await context.sendActivity((await this.texts(inbound)).flood(this.settings.floodPauseSeconds));
      return;
    }
    if (inbound.message.media.some((media) => media.size !== undefined && media.size > this.settings.maxMediaBytes)) {
      this.logger?.info({ contact: inbound.contactId }, 'media over the size limit refused');
      await context.sendActivity((await this.texts(inbound)).mediaTooLarge(this.settings.maxMediaBytes));
      return;
    }
    await next();
  }

  private async verdict(contactId: string, at: number): Promise<FloodVerdict> {
    if (!this.shared) return this.check(contactId, at);
    // Older than the window (a stopped instance's message answered late): not part of a flood now.
    if (at <= Date.now() - this.settings.floodSeconds * 1000) return 'ok';
    try {
      await this.shared.consume(contactId);
      return 'ok';
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) {
        this.logger?.warn({ err: refusal }, 'flood control: shared count failed, counted in this process');
        return this.check(contactId, at);
      }
      // The hit that went over starts the pause and gets the one warning; the others are held.
      return refusal.consumedPoints === this.settings.floodMessages + 1 ? 'warn' : 'pause';
    }
  }

  /** Counts one message of a contact arriving at `at` (ms), in this process's memory. */
  check(contactId: string, at: number): FloodVerdict {
    if (++this.checks % 1000 === 0) this.sweep(at);
    let counter = this.counters.get(contactId);
    if (!counter) {
      counter = { hits: [], pausedUntil: 0 };
      this.counters.set(contactId, counter);
    }
    if (at < counter.pausedUntil) return 'pause';
    const windowStart = at - this.settings.floodSeconds * 1000;
    let stale = 0;
    while (stale < counter.hits.length && counter.hits[stale]! <= windowStart) stale++;
    if (stale > 0) counter.hits.splice(0, stale);
    counter.hits.push(at);
    if (counter.hits.length > this.settings.floodMessages) {
      counter.hits = [];
      counter.pausedUntil = at + this.settings.floodPauseSeconds * 1000;
      return 'warn';
    }
    return 'ok';
  }

  /** Forgets contacts that are neither paused nor wrote within the window. */
  private sweep(now: number): void {
    const windowStart = now - this.settings.floodSeconds * 1000;
    for (const [contactId, counter] of this.counters) {
      if (counter.pausedUntil <= now && (counter.hits.at(-1) ?? 0) <= windowStart) this.counters.delete(contactId);
    }
  }
}
