// How a channel hands over the bytes of a photo, voice note or file a citizen sent: each channel
// registers a MediaFetcher with the adapter (its platform's download: WhatsApp's media API,
// Telegram's getFile, a Bot Framework attachment URL, Baileys' media download, the web chat's
// upload), and src/media/ calls it after the message is stored, through the outbox's retry rules.
// A fetcher throws a DeliveryError (messaging/delivery.ts) when the platform refuses: permanent
// when trying again cannot help, with retryAfterMs when the platform said when; any other error is
// worth another try. A file larger than allowed throws MediaTooLargeError, without reading it whole.
import { DeliveryError } from './delivery.ts';
import type { Media } from './message.ts';

export interface MediaFetcher {
  fetch(media: Media, limits: { maxBytes: number }): Promise<Buffer>;
}

export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`media larger than ${maxBytes} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

/** Platform answers worth another try: rate limits and the platform's own failures. */
export function downloadError(platform: string, status: number, retryAfterMs?: number): DeliveryError {
  const description = `${platform} media download answered ${status}`;
  if (status === 429 || status === 408 || status >= 500) return new DeliveryError(description, { retryAfterMs });
  return new DeliveryError(description, { permanent: true });
}

/**
 * GETs a file and reads at most `maxBytes` of it: a larger one (by Content-Length, or counted while
 * it arrives) throws MediaTooLargeError. Errors never carry the URL: it may hold a token.
 */
export async function downloadLimited(platform: string, url: string, maxBytes: number, headers: Record<string, string> = {}): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new DeliveryError(`${platform} media download failed: ${(error as Error).name}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw downloadError(platform, response.status);
  }
  return readLimited(response, maxBytes);
}

/** A response's body, up to `maxBytes`. */
export async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new MediaTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new MediaTooLargeError(maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The fetchers of the running channels, by channel name or name prefix ("botframework:"). */
export class MediaFetchers {
  private readonly exact = new Map<string, MediaFetcher>();
  private readonly families = new Map<string, MediaFetcher>();
  private readonly listeners: ((matches: (channel: string) => boolean) => void)[] = [];

  register(channel: string, fetcher: MediaFetcher): void {
    this.exact.set(channel, fetcher);
    for (const listener of this.listeners) listener((name) => name === channel);
  }

  registerFamily(prefix: string, fetcher: MediaFetcher): void {
    this.families.set(prefix, fetcher);
    for (const listener of this.listeners) listener((name) => name.startsWith(prefix));
  }

  for(channel: string): MediaFetcher | undefined {
    const exact = this.exact.get(channel);
    if (exact) return exact;
    for (const [prefix, fetcher] of this.families) if (channel.startsWith(prefix)) return fetcher;
    return undefined;
  }

  /** Called when fetchers for some channels arrive (the media downloads wake those channels' waiting work). */
  onRegistered(listener: (matches: (channel: string) => boolean) => void): void {
    this.listeners.push(listener);
  }
}
