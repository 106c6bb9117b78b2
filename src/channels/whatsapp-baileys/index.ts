// WhatsApp through Baileys: Çözüm becomes a linked device of the municipality's WhatsApp number,
// paired once by QR code. No paperwork, but not for large volume; the Cloud API is the production
// route. The session (Baileys' auth state) lives in the database (auth-state.ts); messages are read in inbound.ts.
//
// Life cycle of the socket:
//   start → socket; `qr` events show a QR (terminal + /admin/whatsapp, console/whatsapp-link.ts) until the phone scans it;
//   515 restartRequired right after pairing → a new socket at once;
//   401 loggedOut (the device was removed on the phone) → forget the session, new pairing;
//   any other close → a new socket after an exponential backoff (1 s, 2 s, 4 s … 60 s).
// Several instances on one database: WhatsApp allows one connection per linked device, so the
// socket runs on one instance at a time (`runExclusively`, a lease) and moves to another when that
// one dies; the session is in the database, so the next one connects without a new pairing. The
// instance connected holds the channel's conversations (ChatAdapter.pinChannel): it receives their
// messages, and the replies another instance stores (an agent's) are handed to it and sent from
// its outbox, once.
// The socket factory is injectable (default `makeWASocket`), so tests drive this very code with a
// socket stand-in that speaks Baileys' events.
import { baileysMediaFetcher } from './media.ts';
import makeWASocket, {
    Browsers,
    DisconnectReason, isJidBroadcast,
    isJidGroup,
    isJidNewsletter, jidNormalizedUser,
    makeCacheableSignalKeyStore, type BaileysEventMap,
    type ConnectionState,
    type UserFacingSocketConfig, type WAMessageKey,
    type WAPresence
} from '@whiskeysockets/baileys';
import { LRUCache } from 'lru-cache';
import QRCode from 'qrcode';
import type { ChatAdapter } from '../../messaging/adapter.ts';
import type { Logger } from '../../log.ts';
import { DeliveryError, type DeliveryTarget } from '../../messaging/delivery.ts';
import { KeyedQueue } from '../../messaging/keyed-queue.ts';
import { renderText } from '../../messaging/text-format.ts';
import { renderChoicesAsText, UnreadableInboundError, type InboundMessage, type OutboundMessage } from '../../messaging/message.ts';
import type { Database } from '../../storage/database.ts';
import { runHere, type Channel, type ChannelDependencies, type ExclusiveRun, type RunExclusively } from '../channel.ts';
import { loadAuthState, type DatabaseAuthState } from './auth-state.ts';
import { WHATSAPP_BAILEYS_CHANNEL, isPersonalJid, isPhoneJid, inboundFromWhatsApp, whatsAppIdentity } from './inbound.ts';
export { WHATSAPP_BAILEYS_CHANNEL, isPersonalJid, inboundFromWhatsApp, whatsAppIdentity } from './inbound.ts';


/** What this channel uses of a Baileys socket (a `WASocket` has all of it). */
export interface BaileysSocket {
  ev: {
    on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
    off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
  };
  sendMessage(jid: string, content: { text: string }): Promise<unknown>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void>;
  end(error: Error | undefined): unknown;
  /** Baileys' store of which @lid belongs to which phone number, when the socket keeps one. */
  signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } };
}

export type SocketFactory = (config: UserFacingSocketConfig) => BaileysSocket;

export type LinkState = 'starting' | 'qr' | 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'elsewhere';

export interface LinkStatus {
  state: LinkState;
  /** The QR code to scan, while `state` is 'qr'. */
  qr?: string;
  since: Date;
  /** Reconnection attempts since the connection was last open. */
  attempts: number;
  /** Why the connection last closed, in words. */
  lastClose?: string;
  /** Paired account (the municipality's own number), for the admin page only. */
  account?: string;
}

export interface BaileysChannelOptions {
  socketFactory?: SocketFactory;
  /** Shows a new QR code to the person setting up (default: printed on the terminal). */
  printQr?: (qr: string) => void | Promise<void>;
  /** Reconnection backoff: first delay and cap, in milliseconds. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** 1 s, 2 s, 4 s … capped: the wait before reconnection attempt `attempt` (0-based). */
export function reconnectDelay(attempt: number, backoff: { initialMs?: number; maxMs?: number } = {}): number {
  const initial = backoff.initialMs ?? 1_000;
  const max = backoff.maxMs ?? 60_000;
  return Math.min(max, initial * 2 ** Math.min(attempt, 30));
}

function closeCode(update: Partial<ConnectionState>): number | undefined {
  // Baileys closes with a Boom error: the reason is its HTTP-like status code.
  const error = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
  return error?.output?.statusCode;
}

const CLOSE_REASONS: Record<number, string> = {
  [DisconnectReason.loggedOut]: 'oturum telefondan kapatıldı (logged out)',
  [DisconnectReason.restartRequired]: 'yeniden başlatma gerekli (restart required)',
  [DisconnectReason.connectionClosed]: 'bağlantı kapandı (connection closed)',
  [DisconnectReason.connectionLost]: 'bağlantı koptu / zaman aşımı (connection lost)',
  [DisconnectReason.connectionReplaced]: 'oturum başka bir yerde açıldı (connection replaced)',
  [DisconnectReason.badSession]: 'oturum bozuk (bad session)',
  [DisconnectReason.multideviceMismatch]: 'çoklu cihaz uyuşmazlığı (multi-device mismatch)',
  [DisconnectReason.forbidden]: 'erişim reddedildi (forbidden)',
  [DisconnectReason.unavailableService]: 'servis kullanılamıyor (unavailable)',
};

function describeClose(code: number | undefined): string {
  return code === undefined ? 'bilinmeyen neden' : `${CLOSE_REASONS[code] ?? 'bağlantı kapandı'} [${code}]`;
}

function jidOf(target: DeliveryTarget): string {
  const jid = target.address.jid;
  if (typeof jid !== 'string' || !isPersonalJid(jid)) throw new DeliveryError('WhatsApp: the conversation has no address', { permanent: true });
  return jid;
}

/** Keeps the last few message keys, so that the read receipt can name the message. */
class RecentKeys {
  private readonly keys = new LRUCache<string, WAMessageKey>({ max: 500 });
  remember(key: WAMessageKey): void {
    if (key.id) this.keys.set(key.id, key);
  }
  take(id: string | undefined): WAMessageKey | undefined {
    if (!id) return undefined;
    const key = this.keys.get(id);
    this.keys.delete(id);
    return key;
  }
}

export class WhatsAppBaileysChannel implements Channel {
  readonly name = WHATSAPP_BAILEYS_CHANNEL;
  private readonly socketFactory: SocketFactory;
  private readonly printQr: (qr: string) => void | Promise<void>;
  private readonly inbox = new KeyedQueue();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly recentKeys = new RecentKeys();
  /** @lid ids whose contact was already looked for under the phone number. */
  private readonly adoptedLids = new LRUCache<string, true>({ max: 100_000 });
  private auth?: DatabaseAuthState;
  private socket?: BaileysSocket;
  private detach?: () => void;
  private reconnectTimer?: NodeJS.Timeout;
  /** True while the socket does not run here (not started, stopped, or connected on another instance). */
  private stopped = true;
  private session?: ExclusiveRun;
  private status: LinkStatus = { state: 'starting', since: new Date(), attempts: 0 };

  constructor(
    private readonly adapter: ChatAdapter,
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly options: BaileysChannelOptions = {},
    private readonly runExclusively: RunExclusively = runHere,
  ) {
    this.socketFactory = options.socketFactory ?? makeWASocket;
    this.printQr = options.printQr ?? printQrOnTerminal;
    adapter.registerChannel(WHATSAPP_BAILEYS_CHANNEL, {
      send: (target, message) => this.send(target, message),
      typing: (target, platformMessageId) => this.typing(target, platformMessageId),
    });
    adapter.mediaFetchers.register(WHATSAPP_BAILEYS_CHANNEL, baileysMediaFetcher());
    // Not connected here until this instance holds the session.
    adapter.pinChannel(WHATSAPP_BAILEYS_CHANNEL, false);
  }

  /** The link's state, as the admin page shows it. */
  get linkStatus(): Readonly<LinkStatus> {
    return this.status;
  }

  async start(): Promise<void> {
    this.session = this.runExclusively('whatsapp-baileys', { start: () => this.connectHere(), stop: () => this.disconnectHere() });
    await this.session.tried;
  }

  async stop(): Promise<void> {
    await this.session?.stop();
    this.session = undefined;
    this.setStatus({ state: 'stopped' });
  }

  /** The instance connected to WhatsApp when it is another one (the admin page says where to pair). */
  sessionElsewhere(): Promise<string | undefined> {
    return this.stopped && this.session ? this.session.elsewhere() : Promise.resolve(undefined);
  }

  /** This instance holds the session: the stored one is read now (a predecessor may have moved it on). */
  private async connectHere(): Promise<void> {
    this.stopped = false;
    this.auth = await loadAuthState(this.db);
    this.adapter.pinChannel(WHATSAPP_BAILEYS_CHANNEL, true);
    this.logger.info({ restored: this.auth.restored }, this.auth.restored ? 'WhatsApp (Baileys): stored session found, connecting' : 'WhatsApp (Baileys): no session yet, open /admin/whatsapp or watch the terminal for the QR code');
    this.connect();
  }

  private async disconnectHere(): Promise<void> {
    this.stopped = true;
    this.adapter.pinChannel(WHATSAPP_BAILEYS_CHANNEL, false);
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.detachSocket();
    this.setStatus({ state: 'elsewhere' });
    try {
      await socket?.end(undefined);
    } catch (error) {
      this.logger.debug({ err: error }, 'WhatsApp socket did not end cleanly');
    }
    // Messages already taken from WhatsApp finish their turn before the database closes.
    await this.whenIdle();
    await this.auth?.saveCreds().catch(() => undefined);
  }

  /** Resolves once every message taken from WhatsApp so far has been answered. */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private setStatus(change: Partial<LinkStatus>): void {
    const state = change.state ?? this.status.state;
    this.status = { ...this.status, ...change, since: state !== this.status.state ? new Date() : this.status.since };
    if (state !== 'qr') delete this.status.qr;
  }

  private connect(): void {
    if (this.stopped || !this.auth) return;
    this.detachSocket();
    const auth = this.auth;
    const baileysLogger = quietChild(this.logger);
    this.setStatus({ state: 'connecting' });
    const socket = this.socketFactory({
      auth: { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, baileysLogger) },
      logger: baileysLogger,
      browser: Browsers.ubuntu('Çözüm'),
      syncFullHistory: false,
      // Groups, status updates and channels are not for the bot: Baileys need not even decrypt them.
      shouldIgnoreJid: (jid) => Boolean(isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid)),
      getMessage: async () => undefined,
    });
    this.socket = socket;

    const onCreds = () => {
      auth.saveCreds().catch((error) => this.logger.error({ err: error }, 'WhatsApp session could not be saved'));
    };
    const onConnection = (update: Partial<ConnectionState>) => this.onConnectionUpdate(socket, update);
    const onUpsert = (upsert: BaileysEventMap['messages.upsert']) => this.onMessages(upsert);
    socket.ev.on('creds.update', onCreds);
    socket.ev.on('connection.update', onConnection);
    socket.ev.on('messages.upsert', onUpsert);
    this.detach = () => {
      socket.ev.off('creds.update', onCreds);
      socket.ev.off('connection.update', onConnection);
      socket.ev.off('messages.upsert', onUpsert);
    };
  }

  private detachSocket(): void {
    this.detach?.();
    this.detach = undefined;
    this.socket = undefined;
  }

  private onConnectionUpdate(socket: BaileysSocket, update: Partial<ConnectionState>): void {
    if (socket !== this.socket || this.stopped) return;
    if (update.qr) {
      // A new code comes about every 20 seconds: one log line per pairing is enough.
      if (this.status.state !== 'qr') this.logger.info('WhatsApp pairing: scan the QR code (terminal or /admin/whatsapp)');
      this.setStatus({ state: 'qr', qr: update.qr });
      Promise.resolve(this.printQr(update.qr)).catch((error) => this.logger.debug({ err: error }, 'QR code could not be printed'));
    }
    if (update.connection === 'open') {
      const me = this.auth?.state.creds.me;
      this.setStatus({ state: 'open', attempts: 0, lastClose: undefined, account: me ? `${me.name ?? ''} ${me.id.split(/[:@]/)[0]}`.trim() : undefined });
      this.logger.info('WhatsApp (Baileys) connected');
    }
    if (update.connection === 'close') void this.onClose(closeCode(update));
  }

  private async onClose(code: number | undefined): Promise<void> {
    const wasPaired = Boolean(this.auth?.state.creds.me);
    this.detachSocket();
    const reason = describeClose(code);
    this.setStatus({ lastClose: reason });
    if (this.stopped) return;

    if (code === DisconnectReason.loggedOut) {
      this.logger.warn(
        'WhatsApp logged out: the linked device was removed on the phone. The stored session was cleared; scan the new QR code (/admin/whatsapp or the terminal) to pair again.',
      );
      await this.auth?.clear();
      this.auth = await loadAuthState(this.db);
      // A device that was paired gets a new QR at once; one that never paired waits (no tight loop).
      if (wasPaired) return this.reconnectNow();
      return this.reconnectLater(reason);
    }
    if (code === DisconnectReason.restartRequired) {
      this.logger.info('WhatsApp asked for a restart (normal right after pairing), reconnecting');
      return this.reconnectNow();
    }
    if (code === DisconnectReason.connectionReplaced) {
      this.logger.warn('WhatsApp session was opened elsewhere (another Çözüm instance on the same number?)');
    }
    this.reconnectLater(reason);
  }

  private reconnectNow(): void {
    this.connect();
  }

  private reconnectLater(reason: string): void {
    const delay = reconnectDelay(this.status.attempts, this.options.backoff);
    this.setStatus({ state: 'reconnecting', attempts: this.status.attempts + 1 });
    this.logger.warn({ reason, delayMs: delay, attempt: this.status.attempts }, 'WhatsApp connection closed, reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onMessages({ messages, type }: BaileysEventMap['messages.upsert']): void {
    // 'append' is history and messages this device sent elsewhere: only new messages get an answer.
    if (type !== 'notify') return;
    for (const message of messages) {
      const inbound = inboundFromWhatsApp(message);
      if (!inbound) continue;
      this.recentKeys.remember(message.key);
      const { lid } = whatsAppIdentity(message.key);
      // One chat's messages go to the adapter in the order WhatsApp delivered them. The queue holds
      // a message only until the one before it is stored (WhatsApp has had its receipt already, and
      // does not send it again): the answers follow in the adapter's queue, and the read receipt
      // with "typing…" only once the message is stored.
      const work = this.inbox
        .run(inbound.userId, async () => this.adapter.accept(await this.oneIdentity(inbound, lid)))
        .then(
          // Tracked until answered, for whenIdle(); a failed turn is logged by the adapter.
          (accepted) => accepted.answered.then(() => undefined, () => undefined),
          (error: unknown) => {
            if (error instanceof UnreadableInboundError) this.logger.warn({ fields: error.problems }, 'WhatsApp message names no chat that could be answered; skipped');
            else this.logger.error({ err: error }, 'WhatsApp message could not be stored');
          },
        );
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    }
  }

  /**
   * Keeps one contact per citizen across WhatsApp's two ids. A message known only by its @lid
   * goes to the phone number Baileys has learnt for it; when a message names both, a contact
   * first met under the @lid is moved to the phone number (once), so the conversation and its
   * dialog carry on.
   */
  private async oneIdentity(inbound: InboundMessage, lid: string | undefined): Promise<InboundMessage> {
    if (!lid) return inbound;
    let phone = inbound.userId !== lid ? inbound.userId : undefined;
    if (!phone) {
      const known = await this.socket?.signalRepository?.lidMapping?.getPNForLID(lid).catch(() => null);
      if (!isPhoneJid(known)) return inbound;
      phone = jidNormalizedUser(known);
    }
    if (!this.adoptedLids.has(lid)) {
      const taken = await this.db.contact.findUnique({ where: { channel_platformUserId: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: phone } }, select: { id: true } });
      if (!taken) await this.db.contact.updateMany({ where: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: lid }, data: { platformUserId: phone } });
      this.adoptedLids.set(lid, true);
    }
    return { ...inbound, userId: phone, address: { jid: phone } };
  }

  private connectedSocket(): BaileysSocket | undefined {
    return this.status.state === 'open' ? this.socket : undefined;
  }

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const jid = jidOf(target);
    const socket = this.connectedSocket();
    if (!socket) throw new DeliveryError('WhatsApp is not connected; the message is tried again once it is', { retryAfterMs: 30_000 });
    try {
      await socket.sendMessage(jid, { text: renderText(renderChoicesAsText(message), 'whatsapp') });
    } catch (error) {
      throw new DeliveryError('WhatsApp message could not be sent', { cause: error, retryAfterMs: 10_000 });
    }
  }

  async typing(target: DeliveryTarget, platformMessageId?: string): Promise<void> {
    const jid = jidOf(target);
    const socket = this.connectedSocket();
    if (!socket) return;
    const key = this.recentKeys.take(platformMessageId);
    if (key) await socket.readMessages([key]);
    await socket.sendPresenceUpdate('composing', jid);
  }
}

async function printQrOnTerminal(qr: string): Promise<void> {
  const art = await QRCode.toString(qr, { type: 'terminal', small: true });
  process.stdout.write(
    `\nWhatsApp eşleştirme: telefonunuzda WhatsApp › Ayarlar › Bağlı cihazlar › Cihaz bağla, sonra bu kodu okutun.\n` +
      `WhatsApp pairing: on the phone open WhatsApp › Settings › Linked devices › Link a device and scan this code.\n${art}\n`,
  );
}

/** Baileys logs a lot, some of it with phone numbers: warnings and errors only, never noisier than ours. */
function quietChild(logger: Logger): Logger {
  const warn = logger.levels.values.warn!;
  const level = logger.levelVal > warn ? logger.level : 'warn';
  return logger.child({ module: 'baileys' }, { level });
}

export function createWhatsAppBaileys({ config, adapter, db, logger, runExclusively }: ChannelDependencies, options: BaileysChannelOptions = {}): Channel | undefined {
  if (!config.channels.whatsappBaileys.enabled) {
    logger.info('WhatsApp (Baileys) off: set WHATSAPP_BAILEYS=true to pair a phone by QR code');
    return undefined;
  }
  return new WhatsAppBaileysChannel(adapter, db, logger, options, runExclusively);
}