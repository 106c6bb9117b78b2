// Çözüm → WhatsApp Cloud API: choices as reply buttons (up to 3) or a list (4–10), more as a
// numbered text; outside the 24-hour customer-service window the approved template carries the
// text. Graph API errors are translated once into DeliveryError.
import type { ChannelSender } from '../../messaging/adapter.ts';
import type { Logger } from '../../log.ts';
import { DeliveryError, type DeliveryTarget } from '../../messaging/delivery.ts';
import { renderChoicesAsText, type OutboundMessage } from '../../messaging/message.ts';
import type { Database } from '../../storage/database.ts';
import type { Config } from '../../config.ts';
import { splitText } from '../../messaging/split-text.ts';
import { renderText } from '../../messaging/text-format.ts';
import type { Json } from './inbound.ts';

export type Settings = Config['channels']['whatsappCloud'];

const TEXT_LIMIT = 4096;
const INTERACTIVE_BODY_LIMIT = 1024;
const BUTTON_TITLE_LIMIT = 20;
const ROW_TITLE_LIMIT = 24;
const ROW_DESCRIPTION_LIMIT = 72;
/** A template parameter may not hold line breaks; long ones are cut here. */
const TEMPLATE_PARAMETER_LIMIT = 900;
const SERVICE_WINDOW_MS = 24 * 3_600_000;
/** Graph API error codes that say "too many, try later" even when the HTTP status is 400. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);

function shorten(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('').trimEnd()}…`;
}

function choiceId(index: number, label: string, limit: number): string {
  return `choice:${index + 1}:${label}`.slice(0, limit);
}

/** The Graph API message bodies for one outbound message (several when a long text is split). */
/** The words of a list message (bot/texts.yaml); without them a long list goes as numbered text. */
export interface ListWords {
  body: string;
  button: string;
  title: string;
}

export function messagePayloads(to: string, message: OutboundMessage, options: { template?: { name: string; language: string }; list?: ListWords } = {}): Json[] {
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
  const { list } = options;
  const body = message.text.trim() === '' ? (list?.body ?? '') : renderText(message.text, 'whatsapp');
  if (choices.length > 0 && choices.length <= 3 && body !== '' && body.length <= INTERACTIVE_BODY_LIMIT) {
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
  if (list && choices.length >= 4 && choices.length <= 10 && body !== '' && body.length <= INTERACTIVE_BODY_LIMIT) {
    const rows = choices.map((label, index) => {
      const title = shorten(label, ROW_TITLE_LIMIT);
      return { id: choiceId(index, label, 200), title, ...(title !== label ? { description: shorten(label, ROW_DESCRIPTION_LIMIT) } : {}) };
    });
    return [
      {
        ...base,
        type: 'interactive',
        interactive: { type: 'list', body: { text: body }, action: { button: list.button, sections: [{ title: list.title, rows }] } },
      },
    ];
  }
  return splitText(renderText(renderChoicesAsText(message), 'whatsapp'), TEXT_LIMIT).map((piece) => ({ ...base, type: 'text', text: { body: piece, preview_url: false } }));
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
  if (typeof waId !== 'string' || waId === '') throw new DeliveryError('WhatsApp: the conversation has no waId address', { permanent: true });
  return waId;
}

/** Sends through the Graph API; remembers the wamid on the stored message so a "failed" status can find it. */
export function whatsAppCloudSender(
  settings: Settings,
  options: { db?: Database; logger?: Logger; now?: () => number; list?: ListWords | ((conversationId: string) => Promise<ListWords>) } = {},
): ChannelSender {
  const now = options.now ?? Date.now;
  return {
    async send(target, message) {
      const to = waIdOf(target);
      const outsideWindow = now() - target.lastInboundAt.getTime() > SERVICE_WINDOW_MS;
      const template = outsideWindow ? { name: settings.notificationTemplate, language: settings.templateLanguage } : undefined;
      let firstId: string | undefined;
      // Only a message that may go as a list asks for its words (they depend on the citizen's language).
      const list = typeof options.list === 'function' ? (message.choices.length >= 4 ? await options.list(target.conversationId) : undefined) : options.list;
      for (const payload of messagePayloads(to, message, { template, list })) {
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
