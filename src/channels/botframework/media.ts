// Bot Framework attachments: the activity names each file's contentUrl, read once the message is
// stored. The URL comes from the channel's message, so it is held to what a channel would name:
// https with no credentials in it, and for the Emulator only this machine. A file sent in Teams comes
// with a download URL that needs no login (inbound.ts). Attachment URLs that need the bot's token
// (images pasted inline in Teams, on the connector) are not covered yet: their downloads fail with
// 401 and show as failed on the ticket.
import { isLoopbackHost } from '../../http/loopback.ts';
import { DeliveryError } from '../../messaging/delivery.ts';
import { downloadLimited, type MediaFetcher } from '../../messaging/media-fetch.ts';

export function attachmentUrlProblem(value: string | undefined, emulator: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'credentials';
  if (emulator) return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname) ? undefined : 'not on this machine';
  return url.protocol === 'https:' ? undefined : 'scheme';
}

export function botFrameworkMediaFetcher(emulator: boolean): MediaFetcher {
  return {
    async fetch(media, { maxBytes }) {
      const problem = attachmentUrlProblem(media.url, emulator);
      if (problem) throw new DeliveryError(`Bot Framework attachment URL refused (${problem})`, { permanent: true });
      return downloadLimited('Bot Framework', media.url!, maxBytes);
    },
  };
}
