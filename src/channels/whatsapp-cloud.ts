// The official WhatsApp Business Cloud API (Meta's Graph API), with plain fetch and no SDK.
//
// Webhook on the main express server: GET /whatsapp/webhook answers Meta's verification handshake,
// POST /whatsapp/webhook takes messages and delivery statuses, signed with the app secret
// (X-Hub-Signature-256, compared in constant time over the raw body). The POST is answered at once
// and its messages are then handed to the adapter one by one, in order per citizen.
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
import { KeyedQueue } from '../messaging/keyed-queue.ts';
import { renderChoicesAsText, type InboundMessage, type Media, type OutboundMessage } from '../messaging/message.ts';
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
  if (!message.from || !message.id) return undefined;
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
      if (typeof message.location?.latitude === 'number' && typeof message.location.longitude === 'number') {
        location = { latitude: message.location.latitude, longitude: message.location.longitude };
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
    userId: message.from,
    userName,
    text,
    platformMessageId: message.id,
    media,
    location,
    address: { waId: message.from },
  };
}

/** The messages (in order) and statuses of one webhook call for our phone number. */
export function parseWebhook(payload: unknown, phoneNumberId: string): { messages: InboundMessage[]; statuses: DeliveryStatus[] } {
  const messages: InboundMessage[] = [];
  const statuses: DeliveryStatus[] = [];
  const entries = Array.isArray((payload as { entry?: unknown })?.entry) ? (payload as { entry: unknown[] }).entry : [];
  for (const entry of entries) {
    const changes = Array.isArray((entry as { changes?: unknown })?.changes) ? (entry as { changes: unknown[] }).changes : [];
    for (const change of changes) {
      const value = (change as { value?: Json })?.value;
      if (!value || typeof value !== 'object') continue;
      const metadata = value.metadata as { phone_number_id?: string } | undefined;
      // One Meta app may serve several numbers: only ours is answered here.
      if (metadata?.phone_number_id && metadata.phone_number_id !== phoneNumberId) continue;
      const contacts = Array.isArray(value.contacts) ? (value.contacts as { wa_id?: string; profile?: { name?: string } }[]) : [];
      for (const message of Array.isArray(value.messages) ? (value.messages as WebhookMessage[]) : []) {
        const name = contacts.find((c) => c.wa_id === message.from)?.profile?.name ?? (contacts.length === 1 ? contacts[0]?.profile?.name : undefined);
        const inbound = inboundOf(message, name?.slice(0, 200));
        if (inbound) messages.push(inbound);
      }
      const rawStatuses = Array.isArray(value.statuses) ? (value.statuses as { id?: string; status?: string; recipient_id?: string; errors?: DeliveryStatus['errors'] }[]) : [];
      for (const status of rawStatuses) {
        if (!status.id || !status.status) continue;
        statuses.push({ id: status.id, status: status.status, recipientId: status.recipient_id, errors: Array.isArray(status.errors) ? status.errors : [] });
      }
    }
  }
  return { messages, statuses };
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
    logger.info('WhatsApp Cloud API kapalı: channels.whatsappCloud ayarları (WHATSAPP_ACCESS_TOKEN…) verilmedi');
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

  const citizens = new KeyedQueue();
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

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
  router.post(WEBHOOK_PATH, express.raw({ type: 'application/json', limit: '1mb' }), (request: Request, response: Response) => {
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
    // Meta wants a quick 200; the messages are stored and answered right after.
    response.sendStatus(200);
    const { messages, statuses } = parseWebhook(payload, phoneNumberId);
    for (const status of statuses) {
      track(citizens.run(status.recipientId ?? '', () => recordStatus(status)).catch((error: unknown) => logger.error({ err: error }, 'whatsapp status not recorded')));
    }
    for (const inbound of messages) {
      track(citizens.run(inbound.userId, () => adapter.receive(inbound)).catch((error: unknown) => logger.error({ err: error }, 'whatsapp message failed')));
    }
  });

  return {
    name: WHATSAPP_CLOUD_CHANNEL,
    router,
    async start() {
      logger.info({ webhook: WEBHOOK_PATH }, 'WhatsApp Cloud API webhook ready');
    },
    async stop() {
      // Let the messages already taken finish before the database closes.
      await Promise.allSettled([...inFlight]);
    },
  };
}
