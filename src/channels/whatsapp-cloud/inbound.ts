// WhatsApp Cloud API → Çözüm: a webhook call's body read as messages (text, media, locations,
// taps on buttons and list rows) and delivery statuses; one element we cannot read never costs
// its neighbours.
import type { InboundMessage, Media } from '../../messaging/message.ts';

export const WHATSAPP_CLOUD_CHANNEL = 'whatsapp-cloud';

/** Reply ids carry the full option label, so a title shortened for WhatsApp still means the option. */
const CHOICE_ID = /^choice:\d+:([\s\S]+)$/;

export type Json = Record<string, unknown>;

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
