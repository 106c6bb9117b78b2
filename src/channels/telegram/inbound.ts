// Telegram → Çözüm: an update's message read as an InboundMessage (text, photos at their largest
// size, locations, other media kinds without text), with bot commands turned into words.
import type { Message, Update } from 'telegraf/types';
import type { InboundMessage, Media } from '../../messaging/message.ts';

export const TELEGRAM_CHANNEL = 'telegram';

/** Telegram's bot commands, turned into the words the bot understands. */
const COMMANDS: Record<string, string> = {
  start: 'merhaba',
  menu: 'menü',
  menü: 'menü',
  yardim: 'yardım',
  yardım: 'yardım',
  help: 'yardım',
  iptal: 'iptal',
  cancel: 'iptal',
  temsilci: 'temsilci',
};

function largestPhoto(photos: readonly { file_id: string; width: number; height: number; file_size?: number }[]) {
  return photos.reduce<(typeof photos)[number] | undefined>((best, photo) => {
    if (!best) return photo;
    const size = (p: typeof photo) => p.file_size ?? p.width * p.height;
    return size(photo) >= size(best) ? photo : best;
  }, undefined);
}

function mediaOf(message: Message): Media[] {
  if ('photo' in message && message.photo.length > 0) {
    const photo = largestPhoto(message.photo);
    return photo ? [{ kind: 'image', fileId: photo.file_id, mimeType: 'image/jpeg', size: photo.file_size }] : [];
  }
  if ('document' in message) {
    const { file_id: fileId, mime_type: mimeType, file_size: size } = message.document;
    return [{ kind: mimeType?.startsWith('image/') ? 'image' : 'document', fileId, mimeType, size }];
  }
  if ('voice' in message) return [{ kind: 'audio', fileId: message.voice.file_id, mimeType: message.voice.mime_type, size: message.voice.file_size }];
  if ('audio' in message) return [{ kind: 'audio', fileId: message.audio.file_id, mimeType: message.audio.mime_type, size: message.audio.file_size }];
  if ('video' in message) return [{ kind: 'video', fileId: message.video.file_id, mimeType: message.video.mime_type, size: message.video.file_size }];
  if ('video_note' in message) return [{ kind: 'video', fileId: message.video_note.file_id, size: message.video_note.file_size }];
  if ('sticker' in message) return [{ kind: 'sticker', fileId: message.sticker.file_id, size: message.sticker.file_size }];
  return [];
}

function textOf(message: Message): string {
  const raw = 'text' in message ? message.text : 'caption' in message ? (message.caption ?? '') : '';
  const command = /^\/([^\s@]+)(?:@\w+)?(?:\s|$)/u.exec(raw);
  if (command) {
    const word = COMMANDS[command[1]!.toLocaleLowerCase('tr')];
    if (word) return word;
  }
  return raw;
}

function readMessage(message: Message): InboundMessage {
  const location = 'location' in message ? { latitude: message.location.latitude, longitude: message.location.longitude } : undefined;
  const userName = [message.from!.first_name, message.from!.last_name].filter(Boolean).join(' ').trim();
  return {
    channel: TELEGRAM_CHANNEL,
    userId: String(message.from!.id),
    userName: userName || undefined,
    text: textOf(message),
    platformMessageId: `${message.chat.id}:${message.message_id}`,
    media: mediaOf(message),
    location,
    address: { chatId: message.chat.id },
  };
}

/** A Telegram update as the adapter's InboundMessage, or undefined for what the bot does not answer. */
export function inboundFromUpdate(update: Update): InboundMessage | undefined {
  if (!('message' in update) || typeof update.message !== 'object' || update.message === null) return undefined;
  const message = update.message;
  // Only one-to-one chats: the bot does not take part in groups or channels.
  if (message.chat?.type !== 'private' || !message.from || message.from.is_bot) return undefined;
  try {
    return readMessage(message);
  } catch {
    // A shape we cannot walk: kept as unreadable, and the citizen told, when we know where to answer.
    const chatId = message.chat.id as unknown;
    if ((typeof chatId !== 'number' && typeof chatId !== 'string') || message.from.id === undefined) return undefined;
    return {
      channel: TELEGRAM_CHANNEL,
      userId: String(message.from.id),
      platformMessageId: `${chatId}:${String(message.message_id)}`,
      address: { chatId },
      unreadable: ['message'],
    };
  }
}
