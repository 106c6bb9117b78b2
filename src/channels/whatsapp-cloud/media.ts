// WhatsApp Cloud API media: GET /<media id> (with the access token) answers the file's short-lived
// URL, type and size; GET of that URL, with the same token, answers the bytes.
import { DeliveryError } from '../../messaging/delivery.ts';
import { downloadError, downloadLimited, MediaTooLargeError, type MediaFetcher } from '../../messaging/media-fetch.ts';

export function whatsAppCloudMediaFetcher(settings: { graphApiBase: string; accessToken?: string }): MediaFetcher {
  const headers = { Authorization: `Bearer ${settings.accessToken ?? ''}` };
  return {
    async fetch(media, { maxBytes }) {
      if (!media.fileId) throw new DeliveryError('WhatsApp: the attachment has no media id', { permanent: true });
      let response: Response;
      try {
        response = await fetch(`${settings.graphApiBase.replace(/\/+$/, '')}/${encodeURIComponent(media.fileId)}`, { headers, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        throw new DeliveryError(`WhatsApp media lookup failed: ${(error as Error).name}`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw downloadError('WhatsApp media lookup', response.status);
      }
      const answer = (await response.json().catch(() => ({}))) as { url?: unknown; file_size?: unknown };
      if (typeof answer.url !== 'string') throw new DeliveryError('WhatsApp media lookup answered no URL');
      if (typeof answer.file_size === 'number' && answer.file_size > maxBytes) throw new MediaTooLargeError(maxBytes);
      return downloadLimited('WhatsApp', answer.url, maxBytes, headers);
    },
  };
}
