// WhatsApp through Baileys: the real channel module and a real Çözüm, with a socket stand-in that
// speaks Baileys' events (its own event buffer, `proto.WebMessageInfo` messages) and records what
// the channel asks the socket to do.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { BufferJSON, DisconnectReason, initAuthCreds, proto } from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREDS_KEY, keyOf, loadAuthState } from '../../src/channels/whatsapp-baileys/auth-state.ts';
import { createWhatsAppBaileys, reconnectDelay, WHATSAPP_BAILEYS_CHANNEL, WhatsAppBaileysChannel } from '../../src/channels/whatsapp-baileys/index.ts';
import { createHttpApp, listen } from '../../src/http/server.ts';
import type { Cozum } from '../../src/main.ts';
import { DeliveryError } from '../../src/messaging/delivery.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { FakeSocket, waMessage } from '../support/baileys-socket.ts';
import { BaileysMediaHost } from '../support/baileys-media.ts';
import { png } from '../support/media-files.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { installConsoleAuth } from '../../src/console/auth.ts';
import { createConsole } from '../../src/console/console.ts';
import { whatsappLinkRouter } from '../../src/console/whatsapp-link.ts';

const silent = pino({ level: 'silent' });

/** The agent console of a test instance, to log in to the admin page. */
function consoleOf(instance: Cozum) {
  return createConsole({ db: instance.db, handoff: instance.handoff, events: instance.events, config: instance.config, logger: silent, outbox: instance.adapter.outbox });
}

const temp = tempDir();
const mediaHost = new BaileysMediaHost();
let cozum: Cozum;
let channel: WhatsAppBaileysChannel;
const sockets: FakeSocket[] = [];
const qrShown: string[] = [];
const socket = () => sockets[sockets.length - 1]!;

beforeAll(async () => {
  await mediaHost.start();
  cozum = await startTestCozum(temp.dir);
  const config = { ...cozum.config, channels: { ...cozum.config.channels, whatsappBaileys: { enabled: true } } };
  channel = createWhatsAppBaileys(
    { config, adapter: cozum.adapter, store: cozum.adapter.store, db: cozum.db, logger: cozum.logger },
    {
      socketFactory: (socketConfig) => {
        const fake = new FakeSocket(socketConfig);
        sockets.push(fake);
        return fake;
      },
      printQr: (qr) => void qrShown.push(qr),
      backoff: { initialMs: 1, maxMs: 4 },
    },
  ) as WhatsAppBaileysChannel;
  await channel.start();
  socket().open();
});
afterAll(async () => {
  await channel?.stop();
  await cozum.close();
  await mediaHost.close();
  temp.remove();
});

/** A citizen writing on WhatsApp; returns what the bot sent back to their chat. */
async function say(jid: string, message: Record<string, unknown>, extra: { id?: string } = {}): Promise<string> {
  const before = socket().textsTo(jid).length;
  socket().deliver(waMessage(jid, message, extra));
  await channel.whenIdle();
  return socket().textsTo(jid).slice(before).join('\n---\n');
}

describe('WhatsApp (Baileys) channel', () => {
  it('is off unless enabled', () => {
    expect(createWhatsAppBaileys({ config: cozum.config, adapter: cozum.adapter, store: cozum.adapter.store, db: cozum.db, logger: cozum.logger })).toBeUndefined();
  });

  it('answers a greeting with the menu as a numbered list, marks the message read and shows typing', async () => {
    const jid = '905321110001@s.whatsapp.net';
    socket().deliver(waMessage(jid, { conversation: 'Merhaba' }, { id: 'GREETING-1' }));
    await channel.whenIdle();
    const [reply] = socket().textsTo(jid);
    expect(reply).toContain('Yeşilova Belediyesi');
    expect(reply).toContain('\n1. Yakın Kart');
    expect(reply).toContain('4. Şikâyet / talep bildir');
    expect(socket().reads).toContainEqual([expect.objectContaining({ remoteJid: jid, id: 'GREETING-1', fromMe: false })]);
    expect(socket().presence).toContainEqual({ type: 'composing', jid });
    // The number typed back picks the option.
    expect(await say(jid, { extendedTextMessage: { text: '1' } })).toContain('Yakın Kart');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: jid } });
    expect(contact.displayName).toBe('Ayşe');
  });

  it('ignores groups, status broadcasts, newsletters and its own messages: nothing stored, nothing sent', async () => {
    const countBefore = await cozum.db.message.count();
    const sentBefore = socket().sent.length;
    socket().deliver(
      waMessage('120363040000000001@g.us', { conversation: 'merhaba' }, { participant: '905321110002@s.whatsapp.net' }),
      waMessage('status@broadcast', { conversation: 'durum güncellemesi' }, { participant: '905321110003@s.whatsapp.net' }),
      waMessage('120363000000000002@newsletter', { conversation: 'kanal duyurusu' }),
      waMessage('905321110004@s.whatsapp.net', { conversation: 'kendi mesajım' }, { fromMe: true }),
    );
    await channel.whenIdle();
    expect(await cozum.db.message.count()).toBe(countBefore);
    expect(socket().sent.length).toBe(sentBefore);
    expect(await cozum.db.contact.count({ where: { platformUserId: { in: ['120363040000000001@g.us', 'status@broadcast', '905321110004@s.whatsapp.net'] } } })).toBe(0);
  });

  it('stores a message at once, also while the answer to the one before it is still being sent, and marks it read only once stored', async () => {
    const jid = '905321110006@s.whatsapp.net';
    socket().latency.hold();
    try {
      socket().deliver(waMessage(jid, { conversation: 'Merhaba' }, { id: 'HELD-1' }));
      await vi.waitFor(() => expect(socket().textsTo(jid)).toHaveLength(1), { timeout: 20_000, interval: 10 });
      // WhatsApp does not send a message twice: the second one must reach the database while the greeting is still going out.
      socket().deliver(waMessage(jid, { conversation: 'su kesintisi ne zaman biter' }, { id: 'HELD-2' }));
      await vi.waitFor(async () => expect(await cozum.db.message.count({ where: { platformMessageId: 'HELD-2' } })).toBe(1), { timeout: 20_000, interval: 10 });
      expect(socket().textsTo(jid)).toHaveLength(1);
    } finally {
      socket().latency.release();
    }
    await channel.whenIdle();
    expect(socket().textsTo(jid)[1]).toContain('arıza hattı');
    expect(socket().reads.flat().map((key) => key.id)).toEqual(expect.arrayContaining(['HELD-1', 'HELD-2']));
  });

  it('answers a message delivered twice (same key id) once', async () => {
    const jid = '905321110005@s.whatsapp.net';
    const message = waMessage(jid, { conversation: 'su kesintisi ne zaman biter' }, { id: 'DUPLICATE-1' });
    socket().deliver(message, message);
    await channel.whenIdle();
    socket().deliver(message);
    await channel.whenIdle();
    expect(socket().textsTo(jid)).toHaveLength(1);
    expect(await cozum.db.message.count({ where: { platformMessageId: 'DUPLICATE-1' } })).toBe(1);
  });

  it('takes a location pin and a photo into a complaint ticket (from a chat that hides the number behind @lid)', async () => {
    const jid = '203040506070809@lid';
    expect(await say(jid, { conversation: 'sokak lambası yanmıyor' })).toContain('hangi mahallede');
    await say(jid, { conversation: 'kazımdirik' });
    const pinned = await say(jid, { locationMessage: { degreesLatitude: 38.4622, degreesLongitude: 27.2197 } });
    expect(pinned).toContain('Sorunu kısaca anlatır mısınız');
    expect(await say(jid, { conversation: 'Lamba iki gündür yanmıyor.' })).toContain('fotoğrafını');
    const photo = await mediaHost.upload('lamba', await png(), 'image');
    expect(await say(jid, { imageMessage: { ...photo, mimetype: 'image/png', caption: '' } }, { id: 'PHOTO-1' })).toContain('KVKK');
    await say(jid, { conversation: 'Evet, onaylıyorum' });
    await say(jid, { conversation: 'Mehmet Öz' });
    const summary = await say(jid, { conversation: '0532 555 44 33' });
    expect(summary).toContain('• Fotoğraf: Fotoğraf eklendi');
    expect(summary).toContain('• Telefon: 0532 ••• •• 33');
    const done = await say(jid, { conversation: 'evet' });
    expect(done).toMatch(/Başvuru numaranız: \*CZM-\d{4}-\d{6}\*/);

    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: jid } } });
    expect(ticket).toMatchObject({ type: 'complaint', category: 'street_light' });
    const data = JSON.parse(ticket.data);
    expect(data.address).toMatchObject({ latitude: 38.4622, longitude: 27.2197 });
    expect(data.photo).toMatchObject({ kind: 'image', mimeType: 'image/png', fileId: 'PHOTO-1' });
  });

  it('keeps one contact and one conversation when WhatsApp switches between the @lid and the phone number', async () => {
    const lid = '112233445566778@lid';
    const phone = '905327770011@s.whatsapp.net';
    // First met under the @lid alone: the dialog starts there.
    expect(await say(lid, { conversation: 'yolda çukur var' })).toContain('hangi mahallede');
    const first = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: lid } } });
    // Then a message names both: the contact moves to the phone number and the dialog goes on.
    const before = socket().textsTo(phone).length;
    socket().deliver(waMessage(lid, { conversation: 'Erzene' }, { remoteJidAlt: phone }));
    await channel.whenIdle();
    expect(socket().textsTo(phone).slice(before).join('\n')).toContain('Sokak, cadde');
    // Then the phone number alone, as older chats are addressed.
    expect(await say(phone, { conversation: '3. sokak' })).toContain('kısaca anlatır');
    const contacts = await cozum.db.contact.findMany({ where: { channel: WHATSAPP_BAILEYS_CHANNEL, platformUserId: { in: [lid, phone] } } });
    expect(contacts.map((c) => c.platformUserId)).toEqual([phone]);
    const conversations = await cozum.db.conversation.findMany({ where: { contactId: contacts[0]!.id } });
    expect(conversations.map((c) => c.id)).toEqual([first.id]);
    expect(JSON.parse(conversations[0]!.address)).toEqual({ jid: phone });

    // An @lid that Baileys has already mapped to a number goes to that number's contact.
    const mappedLid = '998877665544332@lid';
    socket().signalRepository = { lidMapping: { getPNForLID: async (id: string) => (id === mappedLid ? phone : null) } };
    try {
      const beforeMapped = socket().textsTo(phone).length;
      socket().deliver(waMessage(mappedLid, { conversation: 'Çukur çok derin, araçlar zarar görüyor.' }));
      await channel.whenIdle();
      expect(socket().textsTo(phone).slice(beforeMapped).join('\n')).toContain('fotoğraf');
      expect(await cozum.db.contact.count({ where: { platformUserId: mappedLid } })).toBe(0);
    } finally {
      socket().signalRepository = undefined;
    }
  });

  it('refuses to send while disconnected with an error that says trying again may help', async () => {
    const error = await channel.send({ conversationId: 'x', address: { jid: '905321110006@s.whatsapp.net' }, lastInboundAt: new Date() }, { text: 'deneme', choices: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Connected: nothing thrown.
    expect(error).toBeUndefined();
    socket().close(DisconnectReason.connectionLost);
    const offline = await channel.send({ conversationId: 'x', address: { jid: '905321110006@s.whatsapp.net' }, lastInboundAt: new Date() }, { text: 'deneme', choices: [] }).catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(DeliveryError);
    expect((offline as DeliveryError).options.permanent).toBeFalsy();
    await vi.waitFor(() => expect(channel.linkStatus.state).toBe('connecting'), { timeout: 5_000 });
    socket().open();
  });

  it('reconnects on a lost connection and at once after pairing (515); backs off exponentially', async () => {
    const before = sockets.length;
    const previous = socket();
    previous.close(DisconnectReason.connectionClosed);
    await vi.waitFor(() => expect(sockets.length).toBe(before + 1), { timeout: 5_000 });
    expect(socket()).not.toBe(previous);
    // The new socket resumes the same session.
    expect(socket().config.auth.creds).toBe(previous.config.auth.creds);
    socket().close(DisconnectReason.restartRequired);
    expect(sockets.length).toBe(before + 2);
    socket().open();
    expect(channel.linkStatus).toMatchObject({ state: 'open', attempts: 0 });
    expect([0, 1, 2, 3, 10].map((attempt) => reconnectDelay(attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });

  it('on log-out forgets the stored session and starts a new pairing with a QR code', async () => {
    const current = socket();
    const creds = current.config.auth.creds;
    creds.me = { id: '905320000153:7@s.whatsapp.net', name: 'Yeşilova Belediyesi' };
    current.ev.emit('creds.update', { me: creds.me });
    await current.config.auth.keys.set({ session: { '905321110001.0': Buffer.from('oturum') } });
    await vi.waitFor(async () => expect(await cozum.db.stateEntry.findUnique({ where: { key: CREDS_KEY } })).not.toBeNull());
    expect(await cozum.db.stateEntry.count({ where: { key: keyOf('session', '905321110001.0') } })).toBe(1);

    const before = sockets.length;
    current.close(DisconnectReason.loggedOut);
    await vi.waitFor(() => expect(sockets.length).toBe(before + 1), { timeout: 5_000 });
    expect(await cozum.db.stateEntry.count({ where: { key: { startsWith: 'baileys/' } } })).toBe(0);
    const fresh = socket().config.auth.creds;
    expect(fresh.me).toBeUndefined();
    expect(Buffer.compare(Buffer.from(fresh.noiseKey.public), Buffer.from(creds.noiseKey.public))).not.toBe(0);

    socket().showQr('2@pairing-ref,noise-key,identity-key,adv-secret');
    expect(channel.linkStatus.state).toBe('qr');
    await vi.waitFor(() => expect(qrShown).toContain('2@pairing-ref,noise-key,identity-key,adv-secret'));
  });
});

describe('WhatsApp admin page', () => {
  let server: Server;
  let base: string;
  let admin: ConsoleClient;
  beforeAll(async () => {
    const app = createHttpApp([whatsappLinkRouter(channel, silent), consoleOf(cozum).router], silent);
    installConsoleAuth(app, consoleOf(cozum).auth);
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await createAgent(cozum.db, 'bt-admin', 'Bilgi İşlem', 'admin', null);
    await createAgent(cozum.db, 'bt-agent', 'Görevli', 'agent', 'Çözüm Merkezi');
    admin = new ConsoleClient(base);
    expect((await admin.login('bt-admin')).status).toBe(303);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetch = (url: string, init: { headers?: Record<string, string> } = {}) =>
    globalThis.fetch(url, { ...init, redirect: 'manual', headers: { Cookie: `cozum_console=${admin.token}`, ...init.headers } });

  it('is closed to anyone but a logged-in admin', async () => {
    const anonymous = await globalThis.fetch(`${base}/admin/whatsapp`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain('/console/login');
    const agent = new ConsoleClient(base);
    await agent.login('bt-agent');
    expect((await globalThis.fetch(`${base}/admin/whatsapp`, { redirect: 'manual', headers: { Cookie: `cozum_console=${agent.token}` } })).status).toBe(403);
  });

  it('shows the QR code and the state to an admin on the server itself', async () => {
    socket().showQr('2@admin-page-ref,noise,identity,adv');
    const page = await fetch(`${base}/admin/whatsapp`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('Eşleştirme bekleniyor');
    expect(html).toMatch(/<svg[^>]*viewBox/);
    const status = (await (await fetch(`${base}/admin/whatsapp`, { headers: { Accept: 'application/json' } })).json()) as { state: string; qr: string };
    expect(status).toMatchObject({ state: 'qr', qr: '2@admin-page-ref,noise,identity,adv' });

    socket().open();
    const connected = await (await fetch(`${base}/admin/whatsapp`)).text();
    expect(connected).toContain('Bağlı: WhatsApp mesajları yanıtlanıyor.');
    expect(connected).not.toContain('<svg');
  });

  it('refuses a request relayed from outside the machine', async () => {
    const relayed = await fetch(`${base}/admin/whatsapp`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    expect(relayed.status).toBe(403);
    expect(((await relayed.json()) as { error: string }).error).toContain('yalnızca sunucunun kendisinden');
  });
});

describe('WhatsApp session in the database', () => {
  it('round-trips creds and keys with their Buffers intact, deletes a key set to null, and clears', async () => {
    const first = await loadAuthState(cozum.db);
    await first.clear();
    const fresh = await loadAuthState(cozum.db);
    expect(fresh.restored).toBe(false);
    const creds = fresh.state.creds;
    creds.me = { id: '905320000153:7@s.whatsapp.net', lid: '11122233344455:7@lid', name: 'Yeşilova' };
    creds.registered = true;
    creds.routingInfo = Buffer.from([1, 2, 3, 250]);
    await fresh.saveCreds();
    const preKey = { public: Buffer.from('a'.repeat(32)), private: Buffer.from('b'.repeat(32)) };
    const session = Buffer.from([0, 1, 2, 255]);
    const syncKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from('k'.repeat(32)), timestamp: 1_700_000_000 });
    await fresh.state.keys.set({
      'pre-key': { '1': preKey, '2': preKey },
      session: { '905321110001.0': session },
      'app-state-sync-key': { AAAAAQ: syncKey },
      'lid-mapping': { '905321110001': '203040506070809' },
    });

    const stored = await cozum.db.stateEntry.findUniqueOrThrow({ where: { key: CREDS_KEY } });
    expect(JSON.parse(stored.value, BufferJSON.reviver).me.id).toBe('905320000153:7@s.whatsapp.net');

    const again = await loadAuthState(cozum.db);
    expect(again.restored).toBe(true);
    expect(again.state.creds).toEqual(creds);
    expect(Buffer.isBuffer(again.state.creds.noiseKey.public)).toBe(true);
    expect(Buffer.from(again.state.creds.noiseKey.private).equals(Buffer.from(creds.noiseKey.private))).toBe(true);
    expect(Buffer.from(again.state.creds.routingInfo!).equals(Buffer.from([1, 2, 3, 250]))).toBe(true);

    const preKeys = await again.state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys).sort()).toEqual(['1', '2']);
    expect(Buffer.isBuffer(preKeys['1']!.public)).toBe(true);
    expect(Buffer.from(preKeys['1']!.private).equals(preKey.private)).toBe(true);
    const sessions = await again.state.keys.get('session', ['905321110001.0']);
    expect(Buffer.from(sessions['905321110001.0']!).equals(session)).toBe(true);
    const sync = await again.state.keys.get('app-state-sync-key', ['AAAAAQ']);
    expect(sync.AAAAAQ).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(sync.AAAAAQ!.keyData!).equals(Buffer.from('k'.repeat(32)))).toBe(true);
    expect(await again.state.keys.get('lid-mapping', ['905321110001'])).toEqual({ '905321110001': '203040506070809' });

    await again.state.keys.set({ 'pre-key': { '1': null } });
    expect(Object.keys(await again.state.keys.get('pre-key', ['1', '2']))).toEqual(['2']);

    await again.clear();
    expect(await cozum.db.stateEntry.count({ where: { key: { startsWith: 'baileys/' } } })).toBe(0);
    expect((await loadAuthState(cozum.db)).restored).toBe(false);
    // A fresh session is a new device: new keys, not the old ones.
    expect(Buffer.from(initAuthCreds().noiseKey.public).equals(Buffer.from(creds.noiseKey.public))).toBe(false);
  });
});
