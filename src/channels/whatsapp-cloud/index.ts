// The official WhatsApp Business Cloud API (Meta's Graph API), with plain fetch and no SDK.
//
// Webhook on the main express server: GET /whatsapp/webhook answers Meta's verification handshake,
// POST /whatsapp/webhook takes messages and delivery statuses, signed with the app secret
// (X-Hub-Signature-256, compared in constant time over the raw body). Meta does not deliver again
// what it got a 200 for, so the POST is answered 200 only once every message in it is stored (each
// on its own: one element we cannot read never costs its neighbours) and every status recorded;
// 500 when the database failed, and Meta delivers the whole call again (what was stored is then
// recognised by its wamid and not answered twice). The answers follow through the adapter's
// queue and the outbox, never holding up the 200.
//
// Out: choices as interactive reply buttons (up to 3) or a list (4–10), more as a numbered text;
// outside the 24-hour customer-service window the approved template carries the text instead.
// Statuses: "failed" marks the outbound message failed (matched by the wamid the sender stores on
// the Message row it delivered, `target.messageId`); sent/delivered/read are only logged at debug level.
import { createHmac } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { ConfigError } from '../../config.ts';
import { sameSecret } from '../../http/same-secret.ts';
import type { Logger } from '../../log.ts';
import { UnreadableInboundError } from '../../messaging/message.ts';
import type { Channel, ChannelDependencies } from '../channel.ts';
import { WHATSAPP_CLOUD_CHANNEL, parseWebhook, type DeliveryStatus } from './inbound.ts';
import { whatsAppCloudSender, type ListWords } from './sender.ts';
import { whatsAppCloudMediaFetcher } from './media.ts';
export { WHATSAPP_CLOUD_CHANNEL, parseWebhook, type DeliveryStatus, type ParsedWebhook } from './inbound.ts';
export { messagePayloads, whatsAppCloudSender } from './sender.ts';

export const WEBHOOK_PATH = '/whatsapp/webhook';

/** `sha256=<hex HMAC of the raw body with the app secret>`, compared in constant time. */
export function validSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return sameSecret(header, `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`);
}

const REQUIRED = [
  ['accessToken', 'WHATSAPP_ACCESS_TOKEN'],
  ['phoneNumberId', 'WHATSAPP_PHONE_NUMBER_ID'],
  ['appSecret', 'WHATSAPP_APP_SECRET'],
  ['verifyToken', 'WHATSAPP_VERIFY_TOKEN'],
] as const;

export function createWhatsAppCloud({ config, adapter, db, logger: parentLogger, texts, textsIn }: ChannelDependencies): Channel | undefined {
  const settings = config.channels.whatsappCloud;
  const logger: Logger = parentLogger.child({ channel: WHATSAPP_CLOUD_CHANNEL });
  const missing = REQUIRED.filter(([key]) => !settings[key]);
  if (missing.length === REQUIRED.length) {
    logger.info('WhatsApp Cloud API off: set channels.whatsappCloud (WHATSAPP_ACCESS_TOKEN…) to turn it on');
    return undefined;
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `WhatsApp Cloud API settings missing: ${missing.map(([key, env]) => `channels.whatsappCloud.${key} (${env})`).join(', ')}. All four are needed together.`,
    );
  }
  const appSecret = settings.appSecret!;
  const verifyToken = settings.verifyToken!;
  const phoneNumberId = settings.phoneNumberId!;

  // A list's words in the language of the citizen it goes to.
  const list = texts && (async (conversationId: string): Promise<ListWords> => {
    const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { contact: { select: { language: true } } } });
    const words = textsIn?.(conversation?.contact.language) ?? texts;
    return { body: words.chooseBody, button: words.chooseListButton, title: words.chooseListTitle };
  });
  adapter.registerChannel(WHATSAPP_CLOUD_CHANNEL, whatsAppCloudSender(settings, { db, logger, list }));
  adapter.mediaFetchers.register(WHATSAPP_CLOUD_CHANNEL, whatsAppCloudMediaFetcher(settings));

  const recordStatus = async (status: DeliveryStatus) => {
    if (status.status !== 'failed') {
      logger.debug({ status: status.status }, 'whatsapp delivery status');
      return;
    }
    const reason = status.errors.map((e) => `${e.code ?? '?'} ${e.title ?? ''}`.trim()).join('; ') || 'failed';
    const { count } = await db.message.updateMany({
      where: { platformMessageId: status.id, direction: 'out' },
      data: { status: 'failed', lastError: `WhatsApp: ${reason}`.slice(0, 500) },
    });
    logger.warn({ reason, matched: count }, 'whatsapp message could not be delivered');
  };

  const router = express.Router();
  router.get(WEBHOOK_PATH, (request: Request, response: Response) => {
    const mode = request.query['hub.mode'];
    const token = request.query['hub.verify_token'];
    const challenge = request.query['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && sameSecret(token, verifyToken) && typeof challenge === 'string') {
      logger.info('WhatsApp webhook verified');
      return void response.status(200).type('text/plain').send(challenge);
    }
    logger.warn({ ip: request.ip }, 'whatsapp webhook verification refused: wrong verify token');
    response.status(403).end();
  });
  router.post(WEBHOOK_PATH, express.raw({ type: 'application/json', limit: '1mb' }), async (request: Request, response: Response) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
    if (!raw || !validSignature(raw, request.header('x-hub-signature-256'), appSecret)) {
      logger.warn({ ip: request.ip, signed: Boolean(request.header('x-hub-signature-256')) }, 'whatsapp webhook call with a bad signature refused');
      return void response.status(401).json({ error: 'Invalid signature.' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return void response.status(400).json({ error: 'Unreadable request.' });
    }
    const { messages, statuses, skipped } = parseWebhook(payload, phoneNumberId);
    for (const where of skipped) logger.warn({ element: where }, 'whatsapp webhook: an element names no citizen and was skipped');
    // Every message is stored on its own before Meta hears 200; the answers come later.
    const results = await Promise.allSettled([...messages.map((inbound) => adapter.accept(inbound)), ...statuses.map(recordStatus)]);
    let failed = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (result.reason instanceof UnreadableInboundError) {
        logger.warn({ fields: result.reason.problems }, 'whatsapp webhook: a message names no chat that could be answered; skipped');
        continue;
      }
      failed++;
      logger.error({ err: result.reason }, 'whatsapp webhook: a message or status could not be stored');
    }
    if (failed > 0) return void response.status(500).json({ error: 'Temporary failure; send it again.' });
    response.sendStatus(200);
  });

  return {
    name: WHATSAPP_CLOUD_CHANNEL,
    router,
    async start() {
      logger.info({ webhook: WEBHOOK_PATH }, 'WhatsApp Cloud API webhook ready');
    },
    async stop() {
      // Nothing of ours in flight: a webhook call returns once its messages are stored, and the
      // adapter finishes their answers when it closes.
    },
  };
}