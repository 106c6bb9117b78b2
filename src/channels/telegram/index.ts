// Telegram through telegraf. Long polling by default (nothing to open on the firewall); webhook
// mode when `channels.telegram.webhookUrl` names this server's public address, on the main express
// server under /telegram/<secret path>, with Telegram's secret token checked on every call before
// its body is read.
//
// An update counts as handled (the webhook call is answered 200; long polling asks for the next
// batch, which confirms this one) once its message is stored: the answer follows through the
// adapter's queue and the outbox, and never holds up another chat's update. A webhook call whose
// message could not be stored is answered 500, and Telegram delivers it again; long polling keeps
// trying to store it, because asking for the next batch would confirm it.
//
// In: text, photos (largest size), locations, and the other media kinds as media without text.
// Out: text with the choices numbered and also as a reply keyboard (a tap sends the option's
// label, which the bot accepts like its number); long answers split at Telegram's 4096 limit;
// the bot's *bold* marks sent as HTML bold with everything else escaped.
import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { Telegraf, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import { ConfigError } from '../../config.ts';
import { sameSecret } from '../../http/same-secret.ts';
import type { Logger } from '../../log.ts';
import { UnreadableInboundError, type InboundMessage } from '../../messaging/message.ts';
import { runHere, type Channel, type ChannelDependencies, type ExclusiveRun } from '../channel.ts';
import { TELEGRAM_CHANNEL, inboundFromUpdate } from './inbound.ts';
import { telegramSender } from './sender.ts';
import { telegramMediaFetcher } from './media.ts';
export { TELEGRAM_CHANNEL, inboundFromUpdate } from './inbound.ts';
export { TELEGRAM_TEXT_LIMIT, deliveryErrorOf, telegramSender } from './sender.ts';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const ALLOWED_UPDATES = ['message'] as const;

/** The path of the webhook: secret, stable for a token, never the token itself. */
export function webhookPath(token: string): string {
  return `/telegram/${createHash('sha256').update(`cozum-telegram:${token}`).digest('hex').slice(0, 32)}`;
}

function isWrongToken(error: unknown): boolean {
  return error instanceof TelegramError && (error.code === 401 || error.code === 404);
}

export function createTelegram({ config, adapter, logger: parentLogger, runExclusively = runHere }: ChannelDependencies): Channel | undefined {
  const settings = config.channels.telegram;
  const logger: Logger = parentLogger.child({ channel: TELEGRAM_CHANNEL });
  if (!settings.token) {
    logger.info('Telegram off: set channels.telegram.token (TELEGRAM_TOKEN) to turn it on');
    return undefined;
  }
  const token = settings.token;
  const webhook = settings.webhookUrl
    ? (() => {
        if (!settings.secretToken) {
          throw new ConfigError(
            'Telegram webhook mode (channels.telegram.webhookUrl / TELEGRAM_WEBHOOK_URL) needs channels.telegram.secretToken (TELEGRAM_SECRET_TOKEN): at least 16 letters, digits, _ or -',
          );
        }
        const path = webhookPath(token);
        return { path, url: `${settings.webhookUrl.replace(/\/+$/, '')}${path}`, secretToken: settings.secretToken };
      })()
    : undefined;

  const bot = new Telegraf(token, { telegram: { apiRoot: settings.apiRoot, webhookReply: false } });
  adapter.registerChannel(TELEGRAM_CHANNEL, telegramSender(bot.telegram));
  adapter.mediaFetchers.register(TELEGRAM_CHANNEL, telegramMediaFetcher(bot.telegram));

  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  /** Long polling confirms a batch when it asks for the next: a message is not let go before it is stored. */
  const storePatiently = async (inbound: InboundMessage) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await adapter.accept(inbound);
      } catch (error) {
        if (error instanceof UnreadableInboundError || stopped) throw error;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        logger.error({ err: error, retryInMs: delay }, 'telegram message could not be stored; trying again');
        await sleep(delay);
      }
    }
  };

  // The adapter answers a chat's messages in the order they are handed over, which is the order
  // Telegram delivered them; this middleware waits only until the message is stored.
  const inFlight = new Set<Promise<unknown>>();
  bot.use(async (ctx) => {
    const inbound = inboundFromUpdate(ctx.update);
    if (!inbound) {
      logger.debug({ update: ctx.update.update_id }, 'telegram update ignored');
      return;
    }
    const work = webhook ? adapter.accept(inbound) : storePatiently(inbound);
    inFlight.add(work);
    try {
      await work;
    } catch (error) {
      if (!(error instanceof UnreadableInboundError)) throw error;
      logger.warn({ update: ctx.update.update_id, fields: error.problems }, 'telegram message names no chat that could be answered; skipped');
    } finally {
      inFlight.delete(work);
    }
  });
  bot.catch((error, ctx) => {
    logger.error({ err: error, update: ctx.update.update_id }, 'telegram update could not be stored');
    // The webhook answers 500 (Telegram delivers it again); polling starts over from the last confirmed update.
    throw error;
  });

  let router: express.Router | undefined;
  if (webhook) {
    router = express.Router();
    const checkSecret = (request: Request, response: Response, next: () => void) => {
      // Before the body is read: a caller without the secret costs us no parsing.
      if (sameSecret(request.header(SECRET_HEADER), webhook.secretToken)) return next();
      logger.warn({ ip: request.ip }, 'telegram webhook call with a wrong secret token refused');
      response.status(403).end();
    };
    router.post(webhook.path, checkSecret, express.json({ limit: '1mb' }), async (request: Request, response: Response) => {
      // telegraf trusts whatever it is handed: an update is an object with a numeric update_id.
      const update = request.body as { update_id?: unknown } | undefined;
      if (typeof update !== 'object' || update === null || Array.isArray(update) || !Number.isSafeInteger(update.update_id)) {
        return void response.status(400).json({ error: 'Invalid update.' });
      }
      try {
        await bot.handleUpdate(update as Update);
      } catch {
        return void response.status(500).json({ error: 'Temporary failure; send it again.' });
      }
      response.sendStatus(200);
    });
  }

  /** A run of the connection loop (webhook set-up, or long polling while this instance holds it). */
  interface Run {
    stopped: boolean;
    done: Promise<void>;
  }
  let current: Run | undefined;
  let polling: ExclusiveRun | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let wakeRetry: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeRetry = resolve;
      retryTimer = setTimeout(resolve, ms);
    });

  const setWebhook = async () => {
    await bot.telegram.setWebhook(webhook!.url, { secret_token: webhook!.secretToken, allowed_updates: [...ALLOWED_UPDATES] });
    logger.info({ bot: bot.botInfo?.username }, 'Telegram webhook set');
  };

  /** Connects (webhook or long polling) and keeps trying while Telegram is unreachable. */
  const run = async (self: Pick<Run, 'stopped'>): Promise<void> => {
    for (let attempt = 0; !self.stopped; attempt++) {
      try {
        bot.botInfo ??= await bot.telegram.getMe();
        if (webhook) {
          await setWebhook();
          return;
        }
        if (self.stopped) return;
        logger.info({ bot: bot.botInfo.username }, 'Telegram long polling started');
        // Resolves when polling stops: on stop(), or after an error that ends it.
        await bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] });
        attempt = 0;
        if (self.stopped) return;
      } catch (error) {
        if (self.stopped) return;
        if (isWrongToken(error)) {
          logger.error('Telegram token invalid or revoked (401): the channel stopped');
          return;
        }
        const conflict = error instanceof TelegramError && error.code === 409;
        const delay = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
        logger.warn(
          { err: error, retryInMs: delay },
          conflict ? 'Telegram: this token is in use elsewhere too (another instance or a webhook); retrying' : 'Telegram could not be reached; retrying',
        );
        await pause(delay);
      }
    }
  };

  const begin = () => {
    const self: Run = { stopped: false, done: Promise.resolve() };
    self.done = run(self).catch((error: unknown) => logger.error({ err: error }, 'Telegram channel failed'));
    current = self;
  };

  const end = async () => {
    const self = current;
    current = undefined;
    if (!self) return;
    self.stopped = true;
    clearTimeout(retryTimer);
    wakeRetry?.();
    // bot.stop() throws while polling has not begun yet, and after an earlier run it stops only
    // that run's (ended) poller: ask until this run has ended.
    const deadline = Date.now() + 10_000;
    let settled = false;
    void self.done.then(() => (settled = true));
    while (!settled && Date.now() < deadline) {
      try {
        bot.stop('shutdown');
      } catch {
        // Not polling yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await self.done;
  };

  return {
    name: TELEGRAM_CHANNEL,
    router,
    async start() {
      stopped = false;
      // A wrong token stops start-up; an unreachable Telegram only delays the channel.
      try {
        bot.botInfo = await bot.telegram.getMe();
        if (webhook) {
          await setWebhook();
          return;
        }
      } catch (error) {
        if (isWrongToken(error)) {
          throw new ConfigError('Telegram token invalid: channels.telegram.token (TELEGRAM_TOKEN) must be the token BotFather gave');
        }
        logger.warn({ err: error }, 'Telegram Bot API does not answer now; retrying in the background');
      }
      if (webhook) return begin();
      // Telegram answers a second poller with 409 Conflict: one instance polls, chosen by a lease,
      // and another takes over when it dies (telegraf confirms an update only by asking for the
      // next batch, after it was stored: what the dead one had not confirmed comes again, and a
      // message stored twice is recognised). Every instance sends replies through the Bot API.
      polling = runExclusively('telegram-polling', { start: begin, stop: end });
    },
    async stop() {
      stopped = true;
      await (polling ? polling.stop() : end());
      polling = undefined;
      // Let the messages already taken finish before the database closes.
      await Promise.allSettled([...inFlight]);
    },
  };
}
