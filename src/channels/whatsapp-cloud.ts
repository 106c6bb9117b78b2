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
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { ChannelSender } from '../bot/adapter.ts';
import { ConfigError, type Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { DeliveryError, type DeliveryTarget } from '../messaging/delivery.ts';
import { renderChoicesAsText, UnreadableInboundError, type InboundMessage, type Media, type OutboundMessage } from '../messaging/message.ts';
import type { Database } from '../storage/database.ts';
import type { Channel, ChannelDependencies } from './channel.ts';
import { splitText } from './split-text.ts';

export const WHATSAPP_CLOUD_CHANNEL = 'whatsapp-cloud';
export const WEBHOOK_PATH = '/whatsapp/webhook';
const TEXT_LIMIT = 4096;
const INTERACTIVE_BODY_LIMIT = 1024;
const BUTTON_TITLE_LIMIT = 20;
const ROW_TITLE_LIMIT = 24;
const ROW_DESCRIPTION_LIMIT = 72;
/** A template parameter may not hold line breaks; long ones are cut here. */
const TEMPLATE_PARAMETER_LIMIT = 900;
const SERVICE_WINDOW_MS = 24 * 3_600_000;
/** Reply ids carry the full option label, so a title shortened for WhatsApp still means the option. */
const CHOICE_ID = /^choice:\d+:([\s\S]+)$/;
/** Graph API error codes that say "too many, try later" even when the HTTP status is 400. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);

type Settings = Config['channels']['whatsappCloud'];
type Json = Record<string, unknown>;

function shorten(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('').trimEnd()}…`;
}

function choiceId(index: number, label: string, limit: number): string {
  return `choice:${index + 1}:${label}`.slice(0, limit);
}

/** The Graph API message bodies for one outbound message (several when a long text is split). */
export function messagePayloads(to: string, message: OutboundMessage, options: { template?: { name: string; language: string } } = {}): Json[] {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (options.template) {
    const parameter = renderChoicesAsText(message).replace(/\s*\n\s*/g, ' · ').replace(/\s+/g, ' ').trim();
    return [
      {
        ...base,
        type: 'template',
        template: {
          name: options.template.name,
          language: { code: options.template.language },
          components: [{ type: 'body', parameters: [{ type: 'text', text: shorten(parameter, TEMPLATE_PARAMETER_LIMIT) }] }],
        },
      },
    ];
  }
  const { choices } = message;
  const body = message.text.trim() === '' ? 'Lütfen seçiniz:' : message.text;
  if (choices.length > 0 && choices.length <= 3 && body.length <= INTERACTIVE_BODY_LIMIT) {
    return [
      {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: body },
          action: { buttons: choices.map((label, index) => ({ type: 'reply', reply: { id: choiceId(index, label, 256), title: shorten(label, BUTTON_TITLE_LIMIT) } })) },
        },
      },
    ];
  }
  if (choices.length >= 4 && choices.length <= 10 && body.length <= INTERACTIVE_BODY_LIMIT) {
    const rows = choices.map((label, index) => {
      const title = shorten(label, ROW_TITLE_LIMIT);
      return { id: choiceId(index, label, 200), title, ...(title !== label ? { description: shorten(label, ROW_DESCRIPTION_LIMIT) } : {}) };
    });
    return [
      {
        ...base,
        type: 'interactive',
        interactive: { type: 'list', body: { text: body }, action: { button: 'Seçiniz', sections: [{ title: 'Seçenekler', rows }] } },
      },
    ];
  }
  return splitText(renderChoicesAsText(message), TEXT_LIMIT).map((piece) => ({ ...base, type: 'text', text: { body: piece, preview_url: false } }));
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** One Graph API call; failures become DeliveryErrors the outbox understands. */
async function graphPost(settings: Settings, payload: Json): Promise<Json> {
  let response: globalThis.Response;
  try {
    response = await fetch(`${settings.graphApiBase.replace(/\/+$/, '')}/${settings.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${settings.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new DeliveryError(`WhatsApp Cloud API unreachable: ${(error as Error).message}`, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as Json;
  if (response.ok) return answer;
  const detail = (answer.error ?? {}) as { code?: number; message?: string };
  const description = `WhatsApp Cloud API ${response.status}${detail.code ? ` (${detail.code})` : ''}: ${detail.message ?? response.statusText}`;
  if (response.status === 429 || response.status >= 500 || RATE_LIMIT_CODES.has(Number(detail.code))) {
    throw new DeliveryError(description, { retryAfterMs: retryAfterMs(response.headers.get('retry-after')) });
  }
  throw new DeliveryError(description, { permanent: true });
}

function waIdOf(target: DeliveryTarget): string {
  const waId = target.address.waId;
  if (typeof waId !== 'string' || waId === '') throw new DeliveryError('WhatsApp: konuşmanın waId adresi yok', { permanent: true });
  return waId;
}

/** Sends through the Graph API; remembers the wamid on the stored message so a "failed" status can find it. */
export function whatsAppCloudSender(settings: Settings, options: { db?: Database; logger?: Logger; now?: () => number } = {}): ChannelSender {
  const now = options.now ?? Date.now;
  return {
    async send(target, message) {
      const to = waIdOf(target);
      const outsideWindow = now() - target.lastInboundAt.getTime() > SERVICE_WINDOW_MS;
      const template = outsideWindow ? { name: settings.notificationTemplate, language: settings.templateLanguage } : undefined;
      let firstId: string | undefined;
      for (const payload of messagePayloads(to, message, { template })) {
        const answer = await graphPost(settings, payload);
        firstId ??= ((answer.messages as { id?: string }[] | undefined) ?? [])[0]?.id;
      }
      if (firstId && target.messageId && options.db) {
        try {
          // Not on the answer to an erasure (KVKK): its conversation keeps no platform id.
          await options.db.message.updateMany({ where: { id: target.messageId, conversation: { mode: { not: 'erased' } } }, data: { platformMessageId: firstId } });
        } catch (error) {
          options.logger?.debug({ err: error }, 'whatsapp message id not recorded');
        }
      }
    },
    async typing(_target, platformMessageId) {
      // Marks the citizen's message read (blue ticks) and shows "typing…" until the answer goes out.
      if (!platformMessageId) return;
      await graphPost(settings, { messaging_product: 'whatsapp', status: 'read', message_id: platformMessageId, typing_indicator: { type: 'text' } });
    },
  };
}

export interface DeliveryStatus {
  id: string;
  status: string;
  /** The citizen's wa_id: statuses queue behind that citizen's messages. */
  recipientId?: string;
  errors: { code?: number; title?: string }[];
}

interface WebhookMessage {
  id?: string;
  from?: string;
  type?: string;
  text?: { body?: string };
  image?: { id?: string; mime_type?: string; caption?: string };
  document?: { id?: string; mime_type?: string; caption?: string };
  audio?: { id?: string; mime_type?: string };
  video?: { id?: string; mime_type?: string; caption?: string };
  sticker?: { id?: string; mime_type?: string };
  location?: { latitude?: number; longitude?: number };
  interactive?: { type?: string; list_reply?: { id?: string; title?: string }; button_reply?: { id?: string; title?: string } };
  button?: { text?: string; payload?: string };
}

function replyText(reply: { id?: string; title?: string } | undefined): string {
  const full = CHOICE_ID.exec(reply?.id ?? '');
  return full ? full[1]! : (reply?.title ?? '');
}

function inboundOf(message: WebhookMessage, userName: string | undefined): InboundMessage | undefined {
  let text = '';
  let media: Media[] = [];
  let location: InboundMessage['location'];
  const file = (kind: Media['kind'], item: { id?: string; mime_type?: string } | undefined) =>
    item?.id ? [{ kind, fileId: item.id, ...(item.mime_type ? { mimeType: item.mime_type } : {}) }] : [];
  switch (message.type) {
    case 'text':
      text = message.text?.body ?? '';
      break;
    case 'image':
      media = file('image', message.image);
      text = message.image?.caption ?? '';
      break;
    case 'document':
      media = file(message.document?.mime_type?.startsWith('image/') ? 'image' : 'document', message.document);
      text = message.document?.caption ?? '';
      break;
    case 'audio':
      media = file('audio', message.audio);
      break;
    case 'video':
      media = file('video', message.video);
      text = message.video?.caption ?? '';
      break;
    case 'sticker':
      media = file('sticker', message.sticker);
      break;
    case 'location':
      if (message.location?.latitude !== undefined || message.location?.longitude !== undefined) {
        // Checked by the adapter's schema: a pin off the globe is stored as unreadable and the citizen told.
        location = { latitude: message.location.latitude as number, longitude: message.location.longitude as number };
      }
      break;
    case 'interactive':
      text = replyText(message.interactive?.list_reply ?? message.interactive?.button_reply);
      break;
    case 'button':
      text = message.button?.text ?? message.button?.payload ?? '';
      break;
    case 'reaction':
    case 'system':
    case 'request_welcome':
      // A 👍 on an earlier message, a number change, the chat being opened: nothing to answer.
      return undefined;
    default:
      // Anything else (contacts, unsupported types) reaches the bot as a message without text, which
      // it answers by asking for a written one.
      break;
  }
  return {
    channel: WHATSAPP_CLOUD_CHANNEL,
    userId: message.from!,
    userName,
    text,
    platformMessageId: message.id,
    media,
    location,
    address: { waId: message.from },
  };
}

/** What one webhook call holds for our phone number: its messages (in order), statuses, and what names no citizen. */
export interface ParsedWebhook {
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
  /** Where each element that names no citizen was (`entry[0].changes[0].messages[2]`) and why; nothing of its content. */
  skipped: string[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Reads a webhook call element by element: one element we cannot read (null, a wrong type, a
 * location off the globe…) never costs its neighbours. An element that names its sender becomes a
 * message, which the adapter stores as unreadable when it has to; one that does not is skipped.
 */
export function parseWebhook(payload: unknown, phoneNumberId: string): ParsedWebhook {
  const result: ParsedWebhook = { messages: [], statuses: [], skipped: [] };
  for (const [e, entry] of listOf(isObject(payload) ? payload.entry : undefined).entries()) {
    for (const [c, change] of listOf(isObject(entry) ? entry.changes : undefined).entries()) {
      const value = isObject(change) ? change.value : undefined;
      if (!isObject(value)) continue;
      const metadata = isObject(value.metadata) ? value.metadata : {};
      // One Meta app may serve several numbers: only ours is answered here.
      if (metadata.phone_number_id && metadata.phone_number_id !== phoneNumberId) continue;
      const contacts = listOf(value.contacts).filter(isObject);
      const nameOf = (from: string): string | undefined => {
        const contact = contacts.find((c) => c.wa_id === from) ?? (contacts.length === 1 ? contacts[0] : undefined);
        const name = isObject(contact?.profile) ? contact.profile.name : undefined;
        return typeof name === 'string' ? name.slice(0, 200) : undefined;
      };
      for (const [m, element] of listOf(value.messages).entries()) {
        const where = `entry[${e}].changes[${c}].messages[${m}]`;
        const from = isObject(element) ? element.from : undefined;
        if (typeof from !== 'string' || from === '') {
          result.skipped.push(`${where}: ${isObject(element) ? 'no sender' : 'not an object'}`);
          continue;
        }
        const message = element as WebhookMessage;
        try {
          const inbound = inboundOf(message, nameOf(from));
          if (inbound) result.messages.push(inbound);
        } catch {
          // A shape inboundOf cannot walk (e.g. `text: 5`): kept as unreadable, so the citizen is told.
          result.messages.push({
            channel: WHATSAPP_CLOUD_CHANNEL,
            userId: from,
            platformMessageId: typeof message.id === 'string' ? message.id : undefined,
            address: { waId: from },
            unreadable: ['message'],
          });
        }
      }
      for (const status of listOf(value.statuses)) {
        if (!isObject(status) || typeof status.id !== 'string' || typeof status.status !== 'string') continue;
        result.statuses.push({
          id: status.id,
          status: status.status,
          recipientId: typeof status.recipient_id === 'string' ? status.recipient_id : undefined,
          errors: listOf(status.errors).filter(isObject) as DeliveryStatus['errors'],
        });
      }
    }
  }
  return result;
}

/** `sha256=<hex HMAC of the raw body with the app secret>`, compared in constant time. */
export function validSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const REQUIRED = [
  ['accessToken', 'WHATSAPP_ACCESS_TOKEN'],
  ['phoneNumberId', 'WHATSAPP_PHONE_NUMBER_ID'],
  ['appSecret', 'WHATSAPP_APP_SECRET'],
  ['verifyToken', 'WHATSAPP_VERIFY_TOKEN'],
] as const;

export function createWhatsAppCloud({ config, adapter, db, logger: parentLogger }: ChannelDependencies): Channel | undefined {
  const settings = config.channels.whatsappCloud;
  const logger: Logger = parentLogger.child({ channel: WHATSAPP_CLOUD_CHANNEL });
  const missing = REQUIRED.filter(([key]) => !settings[key]);
  if (missing.length === REQUIRED.length) {
    logger.info('WhatsApp Cloud API off: set channels.whatsappCloud (WHATSAPP_ACCESS_TOKEN…) to turn it on');
    return undefined;
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `WhatsApp Cloud API için eksik ayar: ${missing.map(([key, env]) => `channels.whatsappCloud.${key} (${env})`).join(', ')}. Dördü birlikte gerekli.`,
    );
  }
  const appSecret = settings.appSecret!;
  const verifyToken = settings.verifyToken!;
  const phoneNumberId = settings.phoneNumberId!;

  adapter.registerChannel(WHATSAPP_CLOUD_CHANNEL, whatsAppCloudSender(settings, { db, logger }));

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
    if (mode === 'subscribe' && typeof token === 'string' && sameText(token, verifyToken) && typeof challenge === 'string') {
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
      return void response.status(401).json({ error: 'Geçersiz imza.' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return void response.status(400).json({ error: 'İstek okunamadı.' });
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
    if (failed > 0) return void response.status(500).json({ error: 'Geçici bir sorun oluştu.' });
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
