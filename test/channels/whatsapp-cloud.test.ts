// WhatsApp Business Cloud API end to end: signed webhook posts into a real Çözüm over HTTP, and a
// local stand-in for the Graph API that records what would reach the citizen's phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWhatsAppCloud, messagePayloads, parseWebhook, whatsAppCloudSender } from '../../src/channels/whatsapp-cloud/index.ts';
import type { Cozum } from '../../src/main.ts';
import { DeliveryError, type DeliveryTarget } from '../../src/messaging/delivery.ts';
import { configOnlyDeps, startTestCozum, tempDir, testConfig } from '../support/cozum.ts';
import { png } from '../support/media-files.ts';
import {
  ACCESS_TOKEN,
  GraphStandIn,
  optionsOf,
  PHONE_NUMBER_ID,
  postWebhook,
  sign,
  VERIFY_TOKEN,
  visible,
  webhookBody,
  whatsAppCloudSettings,
  type GraphCall,
} from '../support/graph-api.ts';

describe('WhatsApp Cloud API', () => {
  const temp = tempDir();
  const graph = new GraphStandIn();
  let cozum: Cozum;
  let webhook: string;
  beforeAll(async () => {
    await graph.start();
    cozum = await startTestCozum(temp.dir, { http: true, overrides: whatsAppCloudSettings(graph) });
    webhook = `${cozum.url}/whatsapp/webhook`;
  });
  afterAll(async () => {
    await cozum?.close();
    await graph.close();
    temp.remove();
  });

  function post(payload: unknown, signature?: string | null) {
    return postWebhook(webhook, payload, signature);
  }

  /** A citizen writing to the municipality's WhatsApp number. */
  class WhatsAppCitizen {
    private counter = 0;
    private seen = 0;
    constructor(
      readonly waId: string,
      readonly name = 'Ayşe Yılmaz',
    ) {}

    message(content: Record<string, unknown>): Record<string, unknown> {
      return { from: this.waId, id: `wamid.IN.${this.waId}.${++this.counter}`, timestamp: String(Math.floor(Date.now() / 1000)), ...content };
    }

    payload(message: Record<string, unknown>) {
      return webhookBody({ contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [message] });
    }

    async says(content: string | Record<string, unknown>, pattern: RegExp): Promise<GraphCall> {
      const message = this.message(typeof content === 'string' ? { type: 'text', text: { body: content } } : content);
      const response = await post(this.payload(message));
      expect(response.status).toBe(200);
      return this.reply(pattern);
    }

    /** Picks an option of an interactive message, as WhatsApp reports a tap. */
    picks(call: GraphCall, title: string, pattern: RegExp): Promise<GraphCall> {
      const option = optionsOf(call).find((o) => o.title === title);
      expect(option, `option ${title}`).toBeDefined();
      const kind = (call.body.interactive as { type: string }).type === 'list' ? 'list_reply' : 'button_reply';
      return this.says({ type: 'interactive', interactive: { type: kind, [kind]: option } }, pattern);
    }

    async reply(pattern: RegExp): Promise<GraphCall> {
      const { call, index } = await graph.waitFor(() => {
        const sent = graph.sent(this.waId);
        for (let index = this.seen; index < sent.length; index++) if (pattern.test(visible(sent[index]!))) return { call: sent[index]!, index };
        return undefined;
      }, `a message to ${this.waId} matching ${pattern}`);
      this.seen = index + 1;
      return call;
    }
  }

  it('answers the verification handshake only with the right verify token', async () => {
    const good = await fetch(`${webhook}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('1158201444');
    expect((await fetch(`${webhook}?hub.mode=subscribe&hub.verify_token=yanlis-token&hub.challenge=1158201444`)).status).toBe(403);
    expect((await fetch(`${webhook}?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${webhook}?hub.mode=subscribe&hub.challenge=1`)).status).toBe(403);
  });

  it('refuses a post with a bad or missing signature (401) and stores nothing', async () => {
    const citizen = new WhatsAppCitizen('905551110001');
    const payload = citizen.payload(citizen.message({ type: 'text', text: { body: 'imzasız mesaj' } }));
    expect((await post(payload, sign(JSON.stringify(payload), 'baska-bir-uygulama-sirri'))).status).toBe(401);
    expect((await post(payload, null)).status).toBe(401);
    expect((await post(payload, 'sha256=deadbeef')).status).toBe(401);
    expect(await cozum.db.message.count({ where: { text: 'imzasız mesaj' } })).toBe(0);
    expect(await cozum.db.contact.count({ where: { platformUserId: '905551110001' } })).toBe(0);
  });

  it('names the list\'s button and title in the citizen\'s language', async () => {
    const ann = new WhatsAppCitizen('905551110071', 'Ann Smith');
    const who = await ann.says('can I get an appointment', /Who would you like to meet/);
    expect(who.body.interactive).toMatchObject({ type: 'list', action: { button: 'Choose', sections: [{ title: 'Options' }] } });
    const ahmad = new WhatsAppCitizen('905551110072', 'Ahmad');
    const withWhom = await ahmad.says('بقدر آخد موعد', /مع من تريد أن تلتقي/);
    expect(withWhom.body.interactive).toMatchObject({ type: 'list', action: { button: 'اختر', sections: [{ title: 'الخيارات' }] } });
    expect(JSON.stringify(withWhom.body)).not.toMatch(/Seçiniz|Seçenekler/);
  });

  it('greets with the numbered menu, and offers a list to pick from that continues the conversation', async () => {
    const citizen = new WhatsAppCitizen('905551110002');
    // Twelve menu options are more than a WhatsApp list holds: a numbered text.
    const greeting = await citizen.says('Merhaba', /hoş geldiniz/);
    expect(greeting.body.type).toBe('text');
    expect(visible(greeting)).toMatch(/^1\. Yakın Kart$/m);
    expect(greeting.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);

    const who = await citizen.says('randevu almak istiyorum', /Kiminle görüşmek istiyorsunuz/);
    expect(who.body).toMatchObject({ messaging_product: 'whatsapp', to: '905551110002', type: 'interactive' });
    expect(who.body.interactive).toMatchObject({ type: 'list', action: { button: 'Seçiniz', sections: [{ title: 'Seçenekler' }] } });
    expect(optionsOf(who).map((o) => o.title)).toEqual(['Belediye Başkanı', 'Başkan Yardımcısı', 'Bir müdürlük', 'Sosyal çalışmacı']);

    const unit = await citizen.picks(who, 'Bir müdürlük', /Hangi müdürlük/);
    expect(optionsOf(unit).map((o) => o.title)).toContain('Mali Hizmetler (vergi)');
    // The number typed by hand works as well as a tap: 4 is Zabıta.
    await citizen.says('4', /konuyu kısaca yazar mısınız/);
    await citizen.says('iptal', /iptal/);

    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'whatsapp-cloud', platformUserId: '905551110002' } });
    expect(contact.displayName).toBe('Ayşe Yılmaz');
    // "typing…" and blue ticks: the citizen's message is marked read.
    const read = await graph.waitFor(() => graph.calls.find((c) => c.body.status === 'read' && String(c.body.message_id).startsWith('wamid.IN.905551110002.')), 'a read receipt');
    expect(read.body.typing_indicator).toEqual({ type: 'text' });
  });

  it('takes a complaint with a location pin and a photo into the ticket, with buttons for short choices', async () => {
    const citizen = new WhatsAppCitizen('905551110003', 'Mehmet Öz');
    await citizen.says('sokak lambası yanmıyor', /hangi mahallede/);
    await citizen.says('kazımdirik', /Sokak, cadde/);
    await citizen.says({ type: 'location', location: { latitude: 38.4622, longitude: 27.2197, name: 'Kazımdirik' } }, /Sorunu kısaca anlatır mısınız/);
    const askPhoto = await citizen.says('Lamba iki gündür yanmıyor.', /fotoğrafını gönderebilirsiniz/);
    expect(askPhoto.body.interactive).toMatchObject({ type: 'button' });
    expect(optionsOf(askPhoto).map((o) => o.title)).toEqual(['Fotoğraf yok']);
    graph.addMedia('1479537139650973', await png(), 'image/png');
    const consent = await citizen.says({ type: 'image', image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc' } }, /KVKK/);
    expect(optionsOf(consent).map((o) => o.title)).toEqual(['Evet, onaylıyorum', 'Hayır']);
    await citizen.picks(consent, 'Evet, onaylıyorum', /adınızı ve soyadınızı/);
    await citizen.says('Mehmet Öz', /telefon numaranız/);
    const summary = await citizen.says('0532 555 44 33', /özeti/);
    expect(visible(summary)).toContain('• Fotoğraf: Fotoğraf eklendi');
    expect(visible(summary)).toContain('• Telefon: 0532 ••• •• 33');
    expect(optionsOf(summary).map((o) => o.title)).toEqual(['Gönder', 'Düzelt']);
    const done = await citizen.picks(summary, 'Gönder', /Başvuru numaranız/);

    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { channel: 'whatsapp-cloud', platformUserId: '905551110003' } } });
    expect(visible(done)).toContain(`*${ticket.number}*`);
    expect(ticket).toMatchObject({ category: 'street_light', department: 'Fen İşleri Müdürlüğü (Aydınlatma)' });
    const data = JSON.parse(ticket.data);
    expect(data.address).toMatchObject({ latitude: 38.4622, longitude: 27.2197 });
    expect(data.photo).toMatchObject({ kind: 'image', fileId: '1479537139650973', mimeType: 'image/jpeg' });
  });

  it('answers a message delivered twice only once', async () => {
    const citizen = new WhatsAppCitizen('905551110004');
    const hello = citizen.payload(citizen.message({ type: 'text', text: { body: 'Merhaba' } }));
    expect((await post(hello)).status).toBe(200);
    expect((await post(hello)).status).toBe(200);
    await citizen.reply(/hoş geldiniz/);
    await citizen.says('yardım', /iptal/);
    const texts = graph.sent('905551110004').map(visible);
    expect(texts.filter((t) => t.includes('hoş geldiniz'))).toHaveLength(1);
    expect(texts).toHaveLength(2);
  });

  it('sends the approved template once the citizen has been silent for more than 24 hours', async () => {
    const citizen = new WhatsAppCitizen('905551110005');
    await citizen.says('Merhaba', /hoş geldiniz/);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp-cloud', contact: { platformUserId: '905551110005' } } });

    await cozum.adapter.notify(conversation.id, 'Başvurunuz inceleniyor.');
    const inWindow = await citizen.reply(/Başvurunuz inceleniyor/);
    expect(inWindow.body.type).toBe('text');

    await cozum.db.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: new Date(Date.now() - 25 * 3_600_000) } });
    await cozum.adapter.notify(conversation.id, 'Başvurunuz *CZM-2026-000042* çözüldü.\nTeşekkür ederiz.');
    const late = await citizen.reply(/CZM-2026-000042/);
    expect(late.body).toMatchObject({
      type: 'template',
      to: '905551110005',
      template: { name: 'cozum_bilgilendirme', language: { code: 'tr' } },
    });
    // A template parameter may not contain line breaks.
    expect(visible(late)).toBe('Başvurunuz *CZM-2026-000042* çözüldü. · Teşekkür ederiz.');
  });

  it('has every message stored when Meta gets its 200, even while the Graph API has not yet answered an earlier reply', async () => {
    const citizen = new WhatsAppCitizen('905551110010');
    graph.latency.hold();
    try {
      const hello = citizen.message({ type: 'text', text: { body: 'Merhaba' } });
      expect((await post(citizen.payload(hello))).status).toBe(200);
      // The greeting is on its way, and WhatsApp does not answer.
      await graph.waitFor(() => graph.sent(citizen.waId)[0], 'the greeting on its way');
      const water = citizen.message({ type: 'text', text: { body: 'su kesintisi ne zaman biter' } });
      expect((await post(citizen.payload(water))).status).toBe(200);
      // Stored when the 200 came, although its answer must wait for the greeting's delivery.
      const stored = await cozum.db.message.findMany({ where: { direction: 'in', platformMessageId: { in: [String(hello.id), String(water.id)] } } });
      expect(stored.map((row) => row.text).sort()).toEqual(['Merhaba', 'su kesintisi ne zaman biter']);
      expect(graph.sent(citizen.waId)).toHaveLength(1);
    } finally {
      graph.latency.release();
    }
    await citizen.reply(/hoş geldiniz/);
    await citizen.reply(/arıza hattı/);
  });

  it('answers the neighbours of elements it cannot read, and tells the citizens it can name', async () => {
    const ok1 = new WhatsAppCitizen('905551110011');
    const badPin = new WhatsAppCitizen('905551110012');
    const longId = new WhatsAppCitizen('905551110013');
    const ok2 = new WhatsAppCitizen('905551110014');
    const delivery = webhookBody({
      contacts: [ok1, badPin, longId, ok2].map((c) => ({ profile: { name: c.name }, wa_id: c.waId })),
      messages: [
        ok1.message({ type: 'text', text: { body: 'Merhaba' } }),
        null,
        badPin.message({ type: 'location', location: { latitude: 1000, longitude: 27.2197 } }),
        { ...longId.message({ type: 'text', text: { body: 'Merhaba' } }), id: `wamid.${'x'.repeat(244)}` },
        { type: 'text', text: { body: 'kimden geldiği belli değil' } },
        ok2.message({ type: 'text', text: { body: 'Merhaba' } }),
      ],
    });
    expect((await post(delivery)).status).toBe(200);
    await ok1.reply(/hoş geldiniz/);
    await ok2.reply(/hoş geldiniz/);
    await badPin.reply(/mesajınızı okuyamadım/);
    await longId.reply(/mesajınızı okuyamadım/);

    // The unreadable ones are kept, with what could not be read, never answered by guessing.
    const stored = async (waId: string) =>
      cozum.db.message.findFirstOrThrow({ where: { direction: 'in', conversation: { channel: 'whatsapp-cloud', contact: { platformUserId: waId } } } });
    expect(JSON.parse((await stored(badPin.waId)).payload)).toMatchObject({ unreadable: ['location'] });
    const kept = await stored(longId.waId);
    expect(JSON.parse(kept.payload)).toMatchObject({ unreadable: ['platformMessageId'] });
    expect(kept.platformMessageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await cozum.db.message.count({ where: { text: 'kimden geldiği belli değil' } })).toBe(0);

    // Meta delivers the same call again: nobody is answered twice, the long id is recognised too.
    expect((await post(delivery)).status).toBe(200);
    for (const citizen of [ok1, badPin, longId, ok2]) {
      // The chat's next answer comes after anything the second delivery would have caused.
      await citizen.says('yardım', /iptal/);
      expect(graph.sent(citizen.waId), citizen.waId).toHaveLength(2);
    }
  });

  it('marks a message failed when WhatsApp reports it undeliverable', async () => {
    const citizen = new WhatsAppCitizen('905551110006');
    const sentGreeting = await citizen.says('Merhaba', /hoş geldiniz/);
    // The outbox sends a chat's messages one after the other: once the next answer is out, the
    // greeting's send (which stores its wamid on the message) has finished.
    await citizen.says('yardım', /iptal/);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp-cloud', contact: { platformUserId: '905551110006' } } });
    const greeting = await cozum.db.message.findFirstOrThrow({ where: { conversationId: conversation.id, direction: 'out', text: { contains: 'hoş geldiniz' } } });
    expect(greeting.platformMessageId).toMatch(/^wamid\.TEST\d+$/);
    expect(greeting.text).toBe((sentGreeting.body.text as { body: string }).body.split('\n\n1. ')[0]);

    const statuses = [
      { id: greeting.platformMessageId, status: 'delivered', timestamp: '1700000000', recipient_id: citizen.waId },
      { id: greeting.platformMessageId, status: 'failed', timestamp: '1700000001', recipient_id: citizen.waId, errors: [{ code: 131026, title: 'Message undeliverable' }] },
    ];
    expect((await post(webhookBody({ statuses }))).status).toBe(200);
    // Statuses queue behind the citizen's own messages: once the next answer is out, they are recorded.
    await citizen.says('menü', /1\. Yakın Kart/);
    const failed = await cozum.db.message.findUniqueOrThrow({ where: { id: greeting.id } });
    expect(failed).toMatchObject({ status: 'failed', lastError: 'WhatsApp: 131026 Message undeliverable' });
  });
});

describe('WhatsApp Cloud API messages', () => {
  it('uses buttons up to 3 choices, a list up to 10, a numbered text beyond, and shortens titles without losing the option', () => {
    const buttons = messagePayloads('905550000000', { text: 'Onaylıyor musunuz?', choices: ['Evet', 'Hayır'] })[0]!;
    expect(buttons).toMatchObject({ type: 'interactive', interactive: { type: 'button', body: { text: 'Onaylıyor musunuz?' } } });

    const long = 'Kanalizasyon taşkını / rögar kapağı açık';
    const words = { body: 'Lütfen seçiniz:', button: 'Seçiniz', title: 'Seçenekler' };
    const list = messagePayloads('905550000000', { text: 'Konu?', choices: ['Yol', 'Kaldırım', 'Çöp', long] }, { list: words })[0]!;
    expect(list).toMatchObject({ interactive: { action: { button: 'Seçiniz', sections: [{ title: 'Seçenekler' }] } } });
    // Without the content's list words, a list goes as numbered text rather than with words from code.
    expect(messagePayloads('905550000000', { text: 'Konu?', choices: ['Yol', 'Kaldırım', 'Çöp', long] })[0]).toMatchObject({ type: 'text' });
    const rows = (list.interactive as { action: { sections: { rows: { id: string; title: string; description?: string }[] }[] } }).action.sections[0]!.rows;
    expect(rows[3]!.title.length).toBeLessThanOrEqual(24);
    expect(rows[3]!.description).toBe(long);
    // The reply carries the row id, so the bot reads the whole label.
    const picked = parseWebhook(webhookBody({ messages: [{ from: '905550000000', id: 'wamid.X', type: 'interactive', interactive: { type: 'list_reply', list_reply: rows[3] } }] }), PHONE_NUMBER_ID);
    expect(picked.messages[0]).toMatchObject({ text: long, userId: '905550000000', address: { waId: '905550000000' } });

    const twelve = Array.from({ length: 12 }, (_, i) => `Seçenek ${i + 1}`);
    const text = messagePayloads('905550000000', { text: 'Menü', choices: twelve });
    expect(text).toHaveLength(1);
    expect(text[0]).toMatchObject({ type: 'text' });
    expect((text[0]!.text as { body: string }).body).toContain('12. Seçenek 12');

    // An interactive body may hold 1024 characters: a longer one goes as numbered text.
    const longBody = messagePayloads('905550000000', { text: 'a'.repeat(1500), choices: ['Evet', 'Hayır'] });
    expect(longBody[0]).toMatchObject({ type: 'text' });
    expect((longBody[0]!.text as { body: string }).body).toMatch(/1\. Evet\n2\. Hayır$/);

    const split = messagePayloads('905550000000', { text: Array.from({ length: 200 }, (_, i) => `${i + 1}. satır, biraz uzun bir açıklama metni`).join('\n'), choices: [] });
    expect(split.length).toBeGreaterThan(1);
    for (const part of split) expect((part.text as { body: string }).body.length).toBeLessThanOrEqual(4096);
  });

  it('ignores messages for another phone number of the same Meta app, and reactions', () => {
    const other = webhookBody({ messages: [{ from: '905550000000', id: 'wamid.Y', type: 'text', text: { body: 'merhaba' } }] });
    (other.entry as { changes: { value: { metadata: { phone_number_id: string } } }[] }[])[0]!.changes[0]!.value.metadata.phone_number_id = '1111';
    expect(parseWebhook(other, PHONE_NUMBER_ID).messages).toHaveLength(0);
    const reaction = webhookBody({ messages: [{ from: '905550000000', id: 'wamid.Z', type: 'reaction', reaction: { message_id: 'wamid.A', emoji: '👍' } }] });
    expect(parseWebhook(reaction, PHONE_NUMBER_ID).messages).toHaveLength(0);
  });
});

describe('WhatsApp Cloud API sender errors', () => {
  const graph = new GraphStandIn();
  const target: DeliveryTarget = { conversationId: 'c1', address: { waId: '905550000001' }, lastInboundAt: new Date() };
  const temp = tempDir();
  let sender: ReturnType<typeof whatsAppCloudSender>;
  beforeAll(async () => {
    await graph.start();
    const settings = testConfig(temp.dir, {
      'channels.whatsappCloud.accessToken': ACCESS_TOKEN,
      'channels.whatsappCloud.phoneNumberId': PHONE_NUMBER_ID,
      'channels.whatsappCloud.graphApiBase': graph.url,
    }).channels.whatsappCloud;
    sender = whatsAppCloudSender(settings);
  });
  afterAll(async () => {
    await graph.close();
    temp.remove();
  });

  async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }

  it('retries 429 after Retry-After and 5xx, gives up on other 4xx', async () => {
    const message = { text: 'Başvurunuz alındı.', choices: [] };
    graph.fail(429, { error: { message: 'Too many messages', code: 130429 } }, { 'retry-after': '12' });
    const limited = await failure(sender.send(target, message));
    expect(limited.options).toMatchObject({ retryAfterMs: 12_000 });
    expect(limited.options.permanent).toBeFalsy();

    graph.fail(503, { error: { message: 'Service unavailable', code: 2 } });
    expect((await failure(sender.send(target, message))).options.permanent).toBeFalsy();

    graph.fail(400, { error: { message: 'Recipient phone number not in allowed list', code: 131030 } });
    const refused = await failure(sender.send(target, message));
    expect(refused.options.permanent).toBe(true);
    expect(refused.message).toContain('131030');

    await sender.send(target, message);
    expect(graph.sent('905550000001').at(-1)!.body).toMatchObject({ type: 'text', text: { body: 'Başvurunuz alındı.' } });
  });
});

describe('WhatsApp Cloud API configuration', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());
  const deps = (overrides: Record<string, unknown>) => configOnlyDeps(temp.dir, overrides);

  it('stays off with no settings and names the missing ones when only some are given', () => {
    expect(createWhatsAppCloud(deps({}))).toBeUndefined();
    expect(() => createWhatsAppCloud(deps({ 'channels.whatsappCloud.accessToken': ACCESS_TOKEN, 'channels.whatsappCloud.phoneNumberId': PHONE_NUMBER_ID }))).toThrow(
      /channels\.whatsappCloud\.appSecret \(WHATSAPP_APP_SECRET\), channels\.whatsappCloud\.verifyToken \(WHATSAPP_VERIFY_TOKEN\)/,
    );
  });
});
