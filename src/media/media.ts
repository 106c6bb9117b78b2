// The photos, voice notes and files citizens send (issue 16). Each attachment of a stored message
// gets a Media row first (pending), then its channel's MediaFetcher downloads it through an
// Outbox of its own (messaging/outbox.ts): the same rules as a citizen's replies (in order per
// chat, backoff with jitter, the platform's retry-after, a failure kept with its reason and shown
// on the ticket, pending ones downloaded again after a restart). What is downloaded is checked
// (content.ts) and kept in the MediaStore once per content hash.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { PendingDelivery } from '../messaging/conversation-store.ts';
import type { ChannelSender } from '../messaging/delivery.ts';
import { MediaTooLargeError, type MediaFetcher, type MediaFetchers } from '../messaging/media-fetch.ts';
import type { Media } from '../messaging/message.ts';
import { Outbox, type OutboxOptions, type OutboxStore } from '../messaging/outbox.ts';
import type { Database } from '../storage/database.ts';
import type { Cluster } from '../storage/cluster.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { CozumEvents } from '../messaging/events.ts';
import { inspectMedia, largestAllowed, type MediaLimits, type Refusal } from './content.ts';
import type { MediaStore } from './store.ts';

export type MediaStatus = 'pending' | 'stored' | 'refused' | 'failed';

export interface ReceivedMedia {
  id: string;
  kind: string;
  status: MediaStatus;
  reason: Refusal | null;
}

/** The outbox's channel names for downloads: `media:` keeps them apart from the replies' channels. */
const PREFIX = 'media:';

/** An id nobody can guess (144 random bits): also the media's address in the console. */
export function newMediaId(): string {
  return randomBytes(18).toString('base64url');
}

/** The Media rows as the download outbox's store. */
class MediaDownloads implements OutboxStore {
  constructor(
    private readonly db: Database,
    private readonly ended: (id: string, status: 'failed') => Promise<void>,
    private readonly cluster?: Cluster,
  ) {}

  /** Who a new or retried download is claimed by: this instance (several instances), or nobody (one process). */
  get claimant(): string | null {
    return this.cluster?.id ?? null;
  }

  /**
   * Pending downloads nobody does: on one process every pending row (at start); with several
   * instances the rows no live instance claimed, claimed now (FOR UPDATE SKIP LOCKED: two instances
   * looking at once take different rows), at start and every lease time after.
   */
  async leftoverDeliveries(): Promise<PendingDelivery[]> {
    let where: Prisma.MediaWhereInput = { status: 'pending' };
    if (this.cluster) {
      const claimed = await this.cluster.claimPending('Media');
      if (claimed.length === 0) return [];
      where = { id: { in: claimed } };
    }
    const rows = await this.db.media.findMany({ where, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
    return rows.map((row) => ({ id: row.id, conversationId: row.conversationId, channel: PREFIX + row.channel, message: { text: '', choices: [] }, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt }));
  }

  async markSent(id: string): Promise<void> {
    await this.db.media.updateMany({ where: { id }, data: { nextAttemptAt: null } });
  }

  async markFailed(id: string, attempts?: number, lastError?: string): Promise<void> {
    const { count } = await this.db.media.updateMany({ where: { id, status: 'pending' }, data: { status: 'failed', nextAttemptAt: null, ...(attempts !== undefined && { attempts }), ...(lastError !== undefined && { lastError }) } });
    if (count > 0) await this.ended(id, 'failed');
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.db.media.updateMany({ where: { id, status: 'pending' }, data: { attempts, nextAttemptAt, lastError } });
  }

  async requeue(id: string): Promise<PendingDelivery | undefined> {
    const { count } = await this.db.media.updateMany({ where: { id, status: 'failed' }, data: { status: 'pending', attempts: 0, nextAttemptAt: null, claimedBy: this.claimant } });
    if (count === 0) return undefined;
    const row = await this.db.media.findUniqueOrThrow({ where: { id } });
    return { id, conversationId: row.conversationId, channel: PREFIX + row.channel, message: { text: '', choices: [] }, attempts: 0, nextAttemptAt: null };
  }

  async conversation(): Promise<{ address: string; lastMessageAt: Date | null }> {
    return { address: '{}', lastMessageAt: null };
  }

  async flush(): Promise<void> {}
}

export interface MediaOptions {
  limits: MediaLimits;
  /** Attempts and backoff of downloads (the outbox's options). */
  downloads?: OutboxOptions;
  clock?: () => Date;
  /** Told when a media's download ended (stored, refused, or given up): the console's live views. */
  events?: CozumEvents;
  /** Several instances on PostgreSQL: downloads are claimed per instance, and a dead one's taken over. */
  cluster?: Cluster;
}

/** A stored photo and where its original says it was taken (EXIF GPS). */
export interface LocatedPhoto {
  id: string;
  conversationId: string;
  latitude: number;
  longitude: number;
}

export class MediaService {
  private readonly outbox: Outbox;
  private readonly downloads: MediaDownloads;
  private adopting: NodeJS.Timeout | undefined;
  private readonly clock: () => Date;
  private located: ((photo: LocatedPhoto) => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    readonly store: MediaStore,
    fetchers: MediaFetchers,
    private readonly logger: Logger,
    private readonly options: MediaOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    const sender = (fetcher: MediaFetcher): ChannelSender => ({ send: (target) => this.download(target.messageId!, fetcher) });
    this.downloads = new MediaDownloads(db, (id, status) => this.ended(id, status), options.cluster);
    this.outbox = new Outbox(this.downloads, logger, (channel) => {
      const fetcher = channel.startsWith(PREFIX) ? fetchers.for(channel.slice(PREFIX.length)) : undefined;
      return fetcher && sender(fetcher);
    }, { sendTimeoutMs: 90_000, ...options.downloads });
    fetchers.onRegistered((matches) => this.outbox.channelsReady((channel) => channel.startsWith(PREFIX) && matches(channel.slice(PREFIX.length))));
  }

  /**
   * Told of each photo stored with a GPS position, before the console hears it arrived: a ticket
   * filed while the photo was still downloading takes its place from it (dialogs/services.ts).
   */
  onLocated(listener: (photo: LocatedPhoto) => Promise<void>): void {
    this.located = listener;
  }

  /**
   * Downloads a previous run left pending: once, after the channels registered their fetchers.
   * Several instances: then every lease time, what a dead instance claimed and did not finish.
   */
  async start(): Promise<number> {
    const count = await this.outbox.start();
    const cluster = this.options.cluster;
    if (cluster && !this.adopting) {
      this.adopting = setInterval(() => {
        void this.downloads.leftoverDeliveries().then(
          (rows) => this.outbox.adopt(rows),
          (error: unknown) => this.logger.warn({ err: error }, 'media: claiming downloads failed'),
        );
      }, cluster.leaseMs);
      this.adopting.unref();
    }
    return count;
  }

  /**
   * Records a stored message's attachments (once: a replayed message finds its rows) and waits for
   * each one's first download attempt. A download that failed and will be tried again stays
   * `pending`: nothing is lost, and the ticket shows it until it arrives or is given up (`failed`).
   */
  async receive(conversationId: string, messageId: string, channel: string, media: Media[]): Promise<ReceivedMedia[]> {
    if (media.length === 0) return [];
    const existing = await this.db.media.findMany({ where: { messageId }, select: { position: true } });
    const known = new Set(existing.map((row) => row.position));
    const fresh = media.map((item, position) => ({ item, position })).filter(({ position }) => !known.has(position));
    const created = fresh.map(({ item, position }) => ({
      id: newMediaId(),
      conversationId,
      messageId,
      position,
      channel,
      kind: item.kind,
      // What the fetcher needs; never the size or type the platform claimed as fact.
      source: JSON.stringify({ kind: item.kind, fileId: item.fileId, url: item.url, mimeType: item.mimeType, source: item.source }),
      claimedBy: this.downloads.claimant,
      createdAt: this.clock(),
    }));
    if (created.length > 0) await this.db.media.createMany({ data: created });
    const pending = await this.db.media.findMany({ where: { messageId, status: 'pending' }, select: { id: true } });
    if (pending.length > 0) {
      await this.outbox.enqueue(pending.map((row) => ({ id: row.id, conversationId, channel: PREFIX + channel, message: { text: '', choices: [] } })));
    }
    const rows = await this.db.media.findMany({ where: { messageId }, orderBy: { position: 'asc' }, select: { id: true, kind: true, status: true, reason: true } });
    return rows.map((row) => ({ id: row.id, kind: row.kind, status: row.status as MediaStatus, reason: row.reason as Refusal | null }));
  }

  /** One download: the fetcher's bytes, checked, kept; a refusal is final and says why. */
  private async download(id: string, fetcher: MediaFetcher): Promise<void> {
    const row = await this.db.media.findUnique({ where: { id } });
    if (!row || row.status !== 'pending') return;
    const source = JSON.parse(row.source) as Media;
    let bytes: Buffer;
    try {
      bytes = await fetcher.fetch(source, { maxBytes: largestAllowed(this.options.limits) });
    } catch (error) {
      if (error instanceof MediaTooLargeError) return this.refuse(id, 'tooLarge', error.message);
      throw error;
    }
    const inspected = await inspectMedia(bytes, this.options.limits);
    if (!inspected.ok) return this.refuse(id, inspected.reason, inspected.detail);
    await this.store.put(inspected.hash, inspected.bytes, inspected.mimeType);
    const gps = inspected.gps;
    const located = gps && this.located;
    await this.end(id, 'stored', located ? () => located({ id, conversationId: row.conversationId, ...gps }) : undefined, {
      data: { status: 'stored', kind: inspected.kind, contentHash: inspected.hash, mimeType: inspected.mimeType, size: inspected.bytes.length, storedAt: this.clock(), lastError: null, nextAttemptAt: null,
        latitude: inspected.gps?.latitude ?? null, longitude: inspected.gps?.longitude ?? null },
    });
  }

  /** Records how a download ended, and tells the console. */
  private async end(id: string, status: 'stored' | 'refused', then: (() => Promise<void>) | undefined, update: { data: Record<string, unknown> }): Promise<void> {
    const { count } = await this.db.media.updateMany({ where: { id, status: 'pending' }, data: update.data });
    if (count === 0) return;
    // The photo is kept whatever happens to its position: a failure here is logged, not retried.
    await then?.().catch((error: unknown) => this.logger.warn({ media: id, err: error }, 'photo position not applied'));
    await this.ended(id, status);
  }

  private async ended(id: string, status: 'stored' | 'refused' | 'failed'): Promise<void> {
    if (!this.options.events) return;
    const row = await this.db.media.findUnique({ where: { id }, select: { conversationId: true } });
    if (row) this.options.events.emit('media', { conversationId: row.conversationId, mediaId: id, status });
  }

  private async refuse(id: string, reason: Refusal, detail: string): Promise<void> {
    // The detail names a type or a size, never the file's content or the citizen.
    this.logger.info({ media: id, reason }, 'media refused');
    await this.end(id, 'refused', undefined, { data: { status: 'refused', reason, lastError: detail.slice(0, 300), nextAttemptAt: null } });
  }

  /** A media's row: the conversation it belongs to, for the console's access check. */
  async row(id: string): Promise<{ id: string; conversationId: string } | undefined> {
    return (await this.db.media.findUnique({ where: { id }, select: { id: true, conversationId: true } })) ?? undefined;
  }

  /** A stored media's bytes and type, by its id. */
  async content(id: string): Promise<{ bytes: Buffer; mimeType: string; kind: string } | undefined> {
    const row = await this.db.media.findUnique({ where: { id }, select: { status: true, contentHash: true, kind: true } });
    if (!row || row.status !== 'stored' || !row.contentHash) return undefined;
    const content = await this.store.get(row.contentHash);
    return content && { ...content, kind: row.kind };
  }

  /** A failed download back in line (the console's "try again"). */
  retry(id: string): Promise<boolean> {
    return this.outbox.retry(id);
  }

  close(): Promise<void> {
    clearInterval(this.adopting);
    return this.outbox.close();
  }
}
