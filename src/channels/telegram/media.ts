// Telegram's files: getFile names the file's path on the Bot API server, then the bytes are read
// from <apiRoot>/file/bot<token>/<path>. Files over 20 MB cannot be downloaded by bots at all.
import { TelegramError, type Telegram } from 'telegraf';
import { DeliveryError } from '../../messaging/delivery.ts';
import { downloadLimited, MediaTooLargeError, type MediaFetcher } from '../../messaging/media-fetch.ts';

export function telegramMediaFetcher(telegram: Telegram): MediaFetcher {
  return {
    async fetch(media, { maxBytes }) {
      if (!media.fileId) throw new DeliveryError('Telegram: the attachment has no file id', { permanent: true });
      let link: URL;
      try {
        link = await telegram.getFileLink(media.fileId);
      } catch (error) {
        if (error instanceof TelegramError) {
          if (error.code === 400 && /too big/i.test(error.description)) throw new MediaTooLargeError(maxBytes);
          if (error.code === 429) throw new DeliveryError('Telegram getFile 429', { retryAfterMs: Number(error.parameters?.retry_after ?? 1) * 1000 });
          // The description, never the message: a network error's names the URL, which holds the token.
          throw new DeliveryError(`Telegram getFile ${error.code}: ${error.description}`, { permanent: error.code < 500 });
        }
        throw new DeliveryError('Telegram getFile failed (network)');
      }
      return downloadLimited('Telegram', link.href, maxBytes);
    },
  };
}
