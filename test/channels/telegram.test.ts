// Telegram end to end: real telegraf against a local HTTP stand-in for the Bot API (getUpdates,
// sendMessage…), a real Çözüm behind it, and assertions on what the citizen would see in Telegram.
import { request as httpRequest } from 'node:http';
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitText } from '../../src/messaging/split-text.ts';
import { renderText } from '../../src/messaging/text-format.ts';
import { createTelegram, telegramSender, webhookPath } from '../../src/channels/telegram/index.ts';
import type { Cozum } from '../../src/main.ts';
import { DeliveryError, type DeliveryTarget } from '../../src/messaging/delivery.ts';
import { configOnlyDeps, startTestCozum, tempDir } from '../support/cozum.ts';
import { BotApiStandIn, keyboardOf, TelegramCitizen, TOKEN, visible } from '../support/telegram-api.ts';
import { png } from '../support/media-files.ts';

const MENU_LABELS = ['Yakın Kart', 'Sosyal yardım bilgisi', 'Yardım başvurusu yap', 'Şikâyet / talep bildir', 'Başvurumu sorgula', 'Randevu al', 'Vergi ve ödemeler', 'Su kesintileri', 'Ulaşım ve kartlar', 'Cenaze hizmetleri', 'Nikâh işlemleri', 'İletişim bilgileri', 'Dil / Language / اللغة'];

describe('Telegram, long polling', () => {
  const temp = tempDir();
  const api = new BotApiStandIn();
  let cozum: Cozum;
  beforeAll(async () => {
    await api.start();
    cozum = await startTestCozum(temp.dir, { http: true, overrides: { 'channels.telegram.token': TOKEN, 'channels.telegram.apiRoot': api.url } });
  });
  afterAll(async () => {
    await cozum?.close();
    await api.close();
    temp.remove();
  });

  it('greets /start with the menu as a reply keyboard, and takes a tapped button or a number', async () => {
    const citizen = new TelegramCitizen(api, 5001);
    const greeting = await citizen.says('/start', /hoş geldiniz/);
    expect(visible(greeting)).toContain('Yeşilova Belediyesi');
    // The numbered list stays in the text, so typing "4" works as well as tapping.
    expect(visible(greeting)).toMatch(/^4\. Şikâyet \/ talep bildir$/m);
    // Exactly the options of bot/menu.yaml, in order.
    expect(keyboardOf(greeting)).toEqual(MENU_LABELS);
    expect(greeting.body.reply_markup).toMatchObject({ resize_keyboard: true, one_time_keyboard: true });
    expect(greeting.body.parse_mode).toBe('HTML');

    const funeral = await citizen.says('Cenaze hizmetleri', /0 \(232\) 000 01 88/);
    // An answer without choices takes the old keyboard away.
    expect(funeral.body.reply_markup).toEqual({ remove_keyboard: true });

    await citizen.says('menü', /^1\. Yakın Kart$/m);
    await citizen.says('12', /444 0 153/);

    await api.waitFor(() => api.calls.find((call) => call.method === 'sendChatAction' && call.body.chat_id === 5001 && call.body.action === 'typing'), '"typing…"');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'telegram', platformUserId: '5001' } });
    expect(contact.displayName).toBe('Ayşe Yılmaz');
  });

  it('takes a whole complaint with a location pin and a photo into the ticket', async () => {
    const citizen = new TelegramCitizen(api, 5002, 'Mehmet', 'Öz');
    await citizen.says('sokak lambası yanmıyor', /hangi mahallede/);
    await citizen.says('kazımdirik', /Sokak, cadde/);
    await citizen.says({ location: { latitude: 38.4622, longitude: 27.2197 } }, /Sorunu kısaca anlatır mısınız/);
    const askPhoto = await citizen.says('Lamba iki gündür yanmıyor.', /fotoğrafını gönderebilirsiniz/);
    expect(keyboardOf(askPhoto)).toEqual(['Fotoğraf yok']);
    const photo = [
      { file_id: 'foto-kucuk', file_unique_id: 'u1', width: 90, height: 67, file_size: 1200 },
      { file_id: 'foto-buyuk', file_unique_id: 'u3', width: 1280, height: 960, file_size: 180_000 },
      { file_id: 'foto-orta', file_unique_id: 'u2', width: 320, height: 240, file_size: 15_000 },
    ];
    api.addFile('foto-buyuk', await png(128, 96));
    const consent = await citizen.says({ photo }, /KVKK/);
    expect(keyboardOf(consent)).toEqual(['Evet, onaylıyorum', 'Hayır']);
    await citizen.says('Evet, onaylıyorum', /adınızı ve soyadınızı/);
    await citizen.says('Mehmet Öz', /telefon numaranız/);
    const summary = await citizen.says('0532 555 44 33', /özeti/);
    expect(visible(summary)).toContain('• Fotoğraf: Fotoğraf eklendi');
    // Masked with bullets: asterisks would be read as Telegram bold and vanish.
    expect(visible(summary)).toContain('• Telefon: 0532 ••• •• 33');
    expect(keyboardOf(summary)).toEqual(['Gönder', 'Düzelt']);
    const done = await citizen.says('evet', /Başvuru numaranız/);

    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { channel: 'telegram', platformUserId: '5002' } } });
    // The bot's *bold* reaches Telegram as HTML bold.
    expect(done.body.text).toContain(`<b>${ticket.number}</b>`);
    expect(visible(done)).toContain('İlgili birim: Fen İşleri Müdürlüğü (Aydınlatma)');
    expect(ticket).toMatchObject({ category: 'street_light' });
    const data = JSON.parse(ticket.data);
    expect(data.address).toMatchObject({ latitude: 38.4622, longitude: 27.2197 });
    expect(data.photo).toMatchObject({ kind: 'image', fileId: 'foto-buyuk' });
    expect(data.fullName).toBe('Mehmet Öz');
  });

  it('answers an update delivered twice only once', async () => {
    const citizen = new TelegramCitizen(api, 5003);
    const hello = citizen.message({ text: 'Merhaba' });
    // The same message twice in one getUpdates batch, then once more in a later batch.
    api.push({ message: hello }, { message: hello });
    await citizen.reply(/hoş geldiniz/);
    api.push({ message: hello });
    await citizen.says('yardım', /iptal/);
    const texts = api.sent(5003).map(visible);
    expect(texts.filter((text) => text.includes('hoş geldiniz'))).toHaveLength(1);
    expect(texts).toHaveLength(2);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'telegram', contact: { platformUserId: '5003' } } });
    expect(await cozum.db.message.count({ where: { conversationId: conversation.id, direction: 'in' } })).toBe(2);
  });

  it('answers messages of one chat in the order they were written, also when they arrive in one batch', async () => {
    const citizen = new TelegramCitizen(api, 5005);
    // "3" means "Bir müdürlük" only after the appointment question; as a menu number it would be an aid request.
    api.push({ message: citizen.message({ text: 'randevu almak istiyorum' }) }, { message: citizen.message({ text: '3' }) });
    await citizen.reply(/Kiminle görüşmek istiyorsunuz/);
    const unit = await citizen.reply(/Hangi müdürlük/);
    expect(keyboardOf(unit)).toContain('Zabıta');
  });

  it('asks Telegram for the next updates once a message is stored, while its answer still waits for the Bot API', async () => {
    const citizen = new TelegramCitizen(api, 5006);
    api.latency.hold();
    try {
      const hello = citizen.message({ text: 'Merhaba' });
      const [id] = api.push({ message: hello });
      // Asking from a later offset confirms the update: Telegram forgets it.
      await api.waitFor(() => api.calls.find((call) => call.method === 'getUpdates' && Number(call.body.offset) > id!), 'getUpdates confirming the update');
      expect(await cozum.db.message.count({ where: { direction: 'in', platformMessageId: `5006:${String(hello.message_id)}` } })).toBe(1);
    } finally {
      api.latency.release();
    }
    await citizen.reply(/hoş geldiniz/);
  });

  it('tells the citizen when a location cannot be read, and goes on with the next message', async () => {
    const citizen = new TelegramCitizen(api, 5007);
    await citizen.says({ location: { latitude: 1000, longitude: 27.2197 } }, /mesajınızı okuyamadım/);
    await citizen.says('Merhaba', /hoş geldiniz/);
    const stored = await cozum.db.message.findFirstOrThrow({ where: { direction: 'in', conversation: { channel: 'telegram', contact: { platformUserId: '5007' } } }, orderBy: { createdAt: 'asc' } });
    expect(JSON.parse(stored.payload)).toMatchObject({ unreadable: ['location'] });
  });

  it('ignores group chats', async () => {
    const citizen = new TelegramCitizen(api, 5004);
    api.push({ message: { ...citizen.message({ text: 'Merhaba' }), chat: { id: -100123, type: 'group', title: 'Mahalle grubu' } } });
    await citizen.says('Merhaba', /hoş geldiniz/);
    expect(api.sent(-100123)).toHaveLength(0);
  });
});

describe('Telegram, webhook mode', () => {
  const temp = tempDir();
  const api = new BotApiStandIn();
  const SECRET = 'test-secret_0123456789';
  let cozum: Cozum;
  beforeAll(async () => {
    await api.start();
    cozum = await startTestCozum(temp.dir, {
      http: true,
      overrides: {
        'channels.telegram.token': TOKEN,
        'channels.telegram.apiRoot': api.url,
        'channels.telegram.webhookUrl': 'https://belediye.example.org/cozum/',
        'channels.telegram.secretToken': SECRET,
      },
    });
  });
  afterAll(async () => {
    await cozum?.close();
    await api.close();
    temp.remove();
  });

  function post(path: string, update: unknown, secret?: string) {
    return fetch(`${cozum.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'X-Telegram-Bot-Api-Secret-Token': secret } : {}) },
      body: JSON.stringify(update),
    });
  }

  it('sets the webhook with the secret, refuses calls without it (403) and answers the right ones', async () => {
    const setWebhook = api.calls.find((call) => call.method === 'setWebhook');
    expect(setWebhook?.body).toMatchObject({ secret_token: SECRET, allowed_updates: ['message'] });
    const url = new URL(String(setWebhook!.body.url));
    expect(url.origin).toBe('https://belediye.example.org');
    expect(url.pathname).toMatch(/^\/cozum\/telegram\/[0-9a-f]{32}$/);
    expect(url.pathname).not.toContain(TOKEN.split(':')[1]);
    // The reverse proxy strips /cozum; Çözüm itself serves /telegram/<secret path>.
    const path = url.pathname.replace(/^\/cozum/, '');
    expect(api.calls.some((call) => call.method === 'getUpdates')).toBe(false);

    const citizen = new TelegramCitizen(api, 6001);
    const forged = { update_id: 1, message: citizen.message({ text: 'sahte mesaj' }) };
    expect((await post(path, forged, 'wrong-secret-0123456789')).status).toBe(403);
    expect((await post(path, forged)).status).toBe(403);
    expect(await cozum.db.message.count({ where: { text: 'sahte mesaj' } })).toBe(0);

    const response = await post(path, { update_id: 2, message: citizen.message({ text: 'Merhaba' }) }, SECRET);
    expect(response.status).toBe(200);
    const greeting = await citizen.reply(/hoş geldiniz/);
    expect(keyboardOf(greeting)).toContain('Yakın Kart');
    expect(api.sent(6001)).toHaveLength(1);
  });

  it('answers a call 200 once its message is stored, while the reply still waits for the Bot API', async () => {
    const citizen = new TelegramCitizen(api, 6002);
    const hello = citizen.message({ text: 'Merhaba' });
    api.latency.hold();
    try {
      const response = await fetch(`${cozum.url}${webhookPath(TOKEN)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
        body: JSON.stringify({ update_id: 20, message: hello }),
        // A bound on waiting, so that a server holding the call fails the test instead of hanging it.
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status).toBe(200);
      expect(await cozum.db.message.count({ where: { direction: 'in', platformMessageId: `6002:${String(hello.message_id)}` } })).toBe(1);
    } finally {
      api.latency.release();
    }
    await citizen.reply(/hoş geldiniz/);
  });

  it('refuses a call with a wrong secret before reading its body', async () => {
    const url = new URL(`${cozum.url}${webhookPath(TOKEN)}`);
    // The headers announce a megabyte, and not one byte of it is sent: only a check made before reading answers.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024), 'x-telegram-bot-api-secret-token': 'wrong-secret-0123456789' },
      });
      const bound = setTimeout(() => reject(new Error('no answer before the body was sent')), 15_000);
      request.on('response', (response) => {
        clearTimeout(bound);
        resolve(response.statusCode);
        request.destroy();
      });
      request.on('error', (error) => {
        clearTimeout(bound);
        reject(error);
      });
      request.flushHeaders();
    });
    expect(status).toBe(403);
    // Not even JSON: refused for its secret, unread.
    const garbled = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': 'wrong-secret-0123456789' }, body: '{"update_id": 1, "mess' });
    expect(garbled.status).toBe(403);
  });
});

describe('Telegram configuration', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());
  const deps = (overrides: Record<string, unknown>) => configOnlyDeps(temp.dir, overrides);

  it('stays off without a token and refuses webhook mode without a secret token', () => {
    expect(createTelegram(deps({}))).toBeUndefined();
    expect(() => createTelegram(deps({ 'channels.telegram.token': TOKEN, 'channels.telegram.webhookUrl': 'https://belediye.example.org' }))).toThrow(/secretToken/);
  });

  it('fails start-up with a clear message when Telegram refuses the token', async () => {
    const api = await new BotApiStandIn().start();
    try {
      const channel = createTelegram(deps({ 'channels.telegram.token': '42:AAWrongTokenWrongTokenWrong', 'channels.telegram.apiRoot': api.url }));
      await expect(channel!.start()).rejects.toThrow(/token invalid/);
    } finally {
      await api.close();
    }
  });
});

describe('Telegram sender', () => {
  const api = new BotApiStandIn();
  let telegram: Telegram;
  const target: DeliveryTarget = { conversationId: 'c1', address: { chatId: 7001 }, lastInboundAt: new Date() };
  beforeAll(async () => {
    await api.start();
    telegram = new Telegram(TOKEN, { apiRoot: api.url });
  });
  afterAll(() => api.close());

  async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }

  it('turns 429 into a retryable DeliveryError with retryAfterMs, 403 into a permanent one, 5xx into a retryable one', async () => {
    const sender = telegramSender(telegram);
    const message = { text: 'Başvurunuz alındı.', choices: [] };
    api.fail('sendMessage', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
    const limited = await failure(sender.send(target, message));
    expect(limited.options).toMatchObject({ retryAfterMs: 7000 });
    expect(limited.options.permanent).toBeFalsy();

    api.fail('sendMessage', { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    expect((await failure(sender.send(target, message))).options.permanent).toBe(true);

    api.fail('sendMessage', { status: 502, body: {} });
    const unavailable = await failure(sender.send(target, message));
    expect(unavailable.options.permanent).toBeFalsy();
    expect(unavailable.options.retryAfterMs).toBeUndefined();
  });

  it('splits a long answer on line boundaries and puts the keyboard under the last part', async () => {
    const before = api.sent(7001).length;
    const lines = Array.from({ length: 300 }, (_, i) => `${i + 1}. satır: Yeşilova Belediyesi hizmet noktaları ve açık adresleri`);
    await telegramSender(telegram).send(target, { text: lines.join('\n'), choices: ['Evet', 'Hayır'] });
    const parts = api.sent(7001).slice(before);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(visible(part).length).toBeLessThanOrEqual(4096);
    const all = parts.map(visible).join('\n');
    expect(all).toContain(lines[0]);
    expect(all).toContain(lines[299]);
    expect(all.split('\n')).toContain('300. satır: Yeşilova Belediyesi hizmet noktaları ve açık adresleri');
    expect(parts.slice(0, -1).every((part) => part.body.reply_markup === undefined)).toBe(true);
    expect(keyboardOf(parts.at(-1)!)).toEqual(['Evet', 'Hayır']);
    expect(visible(parts.at(-1)!)).toMatch(/1\. Evet\n2\. Hayır$/);
  });

  it('escapes what HTML would misread, and falls back to plain text if Telegram refuses the markup', async () => {
    expect(renderText('Borç < 100 TL & *iptal* yazın; 2*3', 'telegram-html')).toBe('Borç &lt; 100 TL &amp; <b>iptal</b> yazın; 2*3');
    const before = api.sent(7001).length;
    api.fail('sendMessage', { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities: unsupported start tag" }, when: (body) => body.parse_mode === 'HTML' });
    await telegramSender(telegram).send(target, { text: 'Vazgeçmek için *iptal* yazın.', choices: [] });
    const sent = api.sent(7001).slice(before);
    expect(sent.at(-1)!.body).toMatchObject({ text: 'Vazgeçmek için iptal yazın.' });
    expect(sent.at(-1)!.body.parse_mode).toBeUndefined();
  });

  it('splits text without tearing a line or an emoji apart', () => {
    expect(splitText('kısa', 4096)).toEqual(['kısa']);
    expect(splitText('birinci satır\nikinci satır', 15)).toEqual(['birinci satır', 'ikinci satır']);
    const emoji = '👋'.repeat(10);
    for (const piece of splitText(emoji, 5)) expect(piece).toMatch(/^(👋)+$/u);
    expect(splitText(emoji, 5).join('')).toBe(emoji);
  });
});
