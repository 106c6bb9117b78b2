// WhatsApp (Baileys) → Çözüm: one-to-one chats only; a message read as an InboundMessage (text,
// photo with caption, location), and who wrote it (the phone number when known, else the @lid).
import {
  isHostedLidUser,
  isHostedPnUser,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { InboundMessage, Media } from '../../messaging/message.ts';
import { mediaSource } from './media.ts';

export const WHATSAPP_BAILEYS_CHANNEL = 'whatsapp-baileys';

/** One-to-one chats only: phone-number and LID user ids (plain or hosted business accounts). */
export function isPersonalJid(jid: string | null | undefined): jid is string {
  if (!jid || isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid)) return false;
  return Boolean(isPnUser(jid) || isLidUser(jid) || isHostedPnUser(jid) || isHostedLidUser(jid));
}

/** A citizen's WhatsApp message as Çözüm's InboundMessage, or undefined when it is not for the bot. */
export function inboundFromWhatsApp(message: WAMessage): InboundMessage | undefined {
  const key = message.key;
  const jid = key?.remoteJid;
  if (!key || key.fromMe || !key.id || !isPersonalJid(jid)) return undefined;
  const content = normalizeMessageContent(message.message);
  if (!content) return undefined;

  let text = content.conversation || content.extendedTextMessage?.text || '';
  const media: Media[] = [];
  let location: { latitude: number; longitude: number } | undefined;
  if (content.imageMessage) {
    media.push({ kind: 'image', mimeType: content.imageMessage.mimetype ?? 'image/jpeg', fileId: key.id });
    text ||= content.imageMessage.caption ?? '';
  } else if (content.videoMessage) {
    media.push({ kind: 'video', mimeType: content.videoMessage.mimetype ?? undefined, fileId: key.id });
    text ||= content.videoMessage.caption ?? '';
  } else if (content.audioMessage) {
    media.push({ kind: 'audio', mimeType: content.audioMessage.mimetype ?? undefined, fileId: key.id });
  } else if (content.documentMessage) {
    media.push({ kind: 'document', mimeType: content.documentMessage.mimetype ?? undefined, fileId: key.id });
    text ||= content.documentMessage.caption ?? '';
  } else if (content.stickerMessage) {
    media.push({ kind: 'sticker', mimeType: content.stickerMessage.mimetype ?? undefined, fileId: key.id });
  }
  const pin = content.locationMessage ?? content.liveLocationMessage;
  if (pin && typeof pin.degreesLatitude === 'number' && typeof pin.degreesLongitude === 'number') {
    location = { latitude: pin.degreesLatitude, longitude: pin.degreesLongitude };
  }
  // Where the encrypted file is and its key, to download it once the message is stored.
  const source = media.length > 0 ? mediaSource(content) : undefined;
  if (source) for (const item of media) item.source = source;
  // Reactions, edits, deletions, receipts of protocol: nothing a citizen asked.
  if (!text && media.length === 0 && !location) return undefined;

  const { userId } = whatsAppIdentity(key);
  return {
    channel: WHATSAPP_BAILEYS_CHANNEL,
    userId,
    userName: message.pushName ?? undefined,
    text,
    platformMessageId: key.id,
    media,
    location,
    address: { jid: userId },
  };
}

export const isPhoneJid = (jid: string | null | undefined): jid is string => Boolean(jid && (isPnUser(jid) || isHostedPnUser(jid)));

const isLidJid = (jid: string | null | undefined): jid is string => Boolean(jid && (isLidUser(jid) || isHostedLidUser(jid)));

/**
 * Who wrote, as one id per person. WhatsApp addresses a chat either by the phone number
 * (…@s.whatsapp.net) or by a "linked id" (…@lid) that hides it, and tells the other one in
 * `remoteJidAlt` when it knows it. The phone number is the id whenever it is known, so that a
 * citizen does not become two contacts when WhatsApp switches; `lid` is returned to adopt a
 * contact first met under its @lid.
 */
export function whatsAppIdentity(key: WAMessageKey): { userId: string; lid?: string } {
  const jids = [key.remoteJid, key.remoteJidAlt];
  const phone = jids.find(isPhoneJid);
  const lid = jids.find(isLidJid);
  const userId = jidNormalizedUser(phone ?? key.remoteJid ?? '');
  return lid ? { userId, lid: jidNormalizedUser(lid) } : { userId };
}
