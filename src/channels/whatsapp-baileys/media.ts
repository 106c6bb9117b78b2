// WhatsApp (Baileys) media: a message names the file's encrypted copy on WhatsApp's media servers
// (url, directPath) and its key (mediaKey). Those are kept with the stored message (Media.source),
// and Baileys' own downloadContentFromMessage fetches and decrypts the file after the message was
// acknowledged. An expired copy (404/410) would need the phone to upload it again (Baileys'
// updateMediaMessage over a live socket); that is not done: such a download fails and shows so.
import { downloadContentFromMessage, type MediaType, type WAMessage } from '@whiskeysockets/baileys';
import { DeliveryError } from '../../messaging/delivery.ts';
import { MediaTooLargeError, type MediaFetcher } from '../../messaging/media-fetch.ts';
import type { Media } from '../../messaging/message.ts';

type Content = NonNullable<WAMessage['message']>;
const KINDS = { imageMessage: 'image', videoMessage: 'video', audioMessage: 'audio', documentMessage: 'document', stickerMessage: 'sticker' } as const;

/** What is needed to download a media message later: its type, where its encrypted copy is, its key. */
export function mediaSource(content: Content): Media['source'] | undefined {
  for (const field of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    const media = content[field];
    if (!media?.mediaKey) continue;
    return {
      mediaType: KINDS[field] === 'sticker' ? 'sticker' : KINDS[field],
      url: media.url ?? undefined,
      directPath: media.directPath ?? undefined,
      mediaKey: Buffer.from(media.mediaKey).toString('base64'),
    };
  }
  return undefined;
}

export function baileysMediaFetcher(): MediaFetcher {
  return {
    async fetch(media, { maxBytes }) {
      const source = media.source as { mediaType?: MediaType; url?: string; directPath?: string; mediaKey?: string } | undefined;
      if (!source?.mediaType || !source.mediaKey) throw new DeliveryError('WhatsApp (Baileys): the message names no media key', { permanent: true });
      let stream: AsyncIterable<Buffer> & { destroy(): void };
      try {
        stream = await downloadContentFromMessage({ mediaKey: Buffer.from(source.mediaKey, 'base64'), directPath: source.directPath, url: source.url }, source.mediaType);
      } catch (error) {
        throw downloadFailure(error);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of stream) {
          total += chunk.length;
          if (total > maxBytes) {
            stream.destroy();
            throw new MediaTooLargeError(maxBytes);
          }
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof MediaTooLargeError) throw error;
        throw downloadFailure(error);
      }
      return Buffer.concat(chunks);
    },
  };
}

/** Baileys' Boom errors carry the HTTP status: a gone copy is final, anything else worth a retry. */
function downloadFailure(error: unknown): DeliveryError {
  const status = (error as { output?: { statusCode?: number }; status?: number })?.output?.statusCode ?? (error as { status?: number })?.status;
  const permanent = typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new DeliveryError(`WhatsApp (Baileys) media download failed${status ? ` (${status})` : ''}`, { permanent });
}
