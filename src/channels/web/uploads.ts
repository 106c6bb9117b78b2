// The web chat's uploads between the request that carried them and the media download that reads
// them (src/media/, right after the message is stored, in the same process): kept in memory for a
// few minutes, read once. An upload not read in time (the process restarted in between) is a failed
// download: the ticket shows it and the citizen is asked to send the file again.
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DeliveryError } from '../../messaging/delivery.ts';
import { MediaTooLargeError, type MediaFetcher } from '../../messaging/media-fetch.ts';
import type { Media } from '../../messaging/message.ts';

const PREFIX = 'upload:';

export class WebUploads implements MediaFetcher {
  private readonly held = new LRUCache<string, Buffer>({ maxSize: 256 * 1024 * 1024, sizeCalculation: (bytes) => bytes.length || 1, ttl: 10 * 60_000 });

  /** Holds an upload; returns the file id its message names. */
  keep(bytes: Buffer): string {
    const id = `${PREFIX}${randomUUID()}`;
    this.held.set(id, bytes);
    return id;
  }

  async fetch(media: Media, { maxBytes }: { maxBytes: number }): Promise<Buffer> {
    const bytes = media.fileId ? this.held.get(media.fileId) : undefined;
    if (!bytes) throw new DeliveryError('web chat upload no longer held (the process restarted)', { permanent: true });
    this.held.delete(media.fileId!);
    if (bytes.length > maxBytes) throw new MediaTooLargeError(maxBytes);
    return bytes;
  }
}
