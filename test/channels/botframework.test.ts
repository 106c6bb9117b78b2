// Bot Framework over real HTTP: activities posted to Çözüm's /api/messages as a Bot Framework
// channel would, replies captured on a local serviceUrl that plays the channel's Connector API.
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activityFromOutbound, checkBotFrameworkSettings, createBotFramework, inboundFromActivity, serviceUrlProblem } from '../../src/channels/botframework/index.ts';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import { loadIntents } from '../../src/content/intents.ts';
import type { Cozum } from '../../src/main.ts';
import { Bystander, EMULATOR, type Recorded, useEmulatorCozum } from '../support/bot-connector.ts';
import { configOnlyDeps, startTestCozum, tempDir, valuesOf } from '../support/cozum.ts';

const { connector, cozum, dataDir, restart } = useEmulatorCozum();
let counter = 0;

function activity(conversationId: string, text: string, extra: Partial<Activity> = {}): Partial<Activity> {
  return {
    type: 'message',
    id: `act-${++counter}`,
    channelId: 'emulator',
    serviceUrl: connector.url,
    from: { id: `user-${conversationId}`, name: 'Ayşe Yılmaz' },
    recipient: { id: 'cozum-bot', name: 'Çözüm' },
    conversation: { id: conversationId } as Activity['conversation'],
    text,
    locale: 'tr-TR',
    timestamp: new Date().toISOString() as unknown as Date,
    ...extra,
  };
}

function post(base: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body), signal });
}

/** The replies to one activity, once its turn is over and every reply has been delivered. */
async function repliesTo(message: Partial<Activity>): Promise<Recorded[]> {
  await vi.waitFor(
    async () => {
      const inbound = await cozum.db.message.findFirst({ where: { direction: 'in', platformMessageId: message.id } });
      expect(inbound?.status).toBe('processed');
      const replies = await cozum.db.message.findMany({ where: { replyToId: inbound!.id } });
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.filter((reply) => reply.status === 'pending')).toEqual([]);
    },
    { timeout: 20_000, interval: 20 },
  );
  return connector.posts.filter((post) => post.body.type === 'message' && post.body.replyToId === message.id);
}

/** Posts a message as the channel would (answered 200 once stored) and returns the bot's replies to it. */
async function say(conversationId: string, text: string, extra: Partial<Activity> = {}): Promise<Recorded[]> {
  const message = activity(conversationId, text, extra);
  const response = await post(cozum.url!, message);
  expect(response.status).toBe(200);
  return repliesTo(message);
}

describe('Bot Framework channel', () => {
  it('answers a greeting with the twelve-option menu as a list (a carousel would hide most), as a reply to the citizen’s message', async () => {
    const [reply, ...rest] = await say('conv-greeting', 'Merhaba');
    expect(rest).toEqual([]);
    expect(reply!.path).toBe(`/v3/conversations/conv-greeting/activities/act-${counter}`);
    expect(reply!.body.replyToId).toBe(`act-${counter}`);
    expect(reply!.body.text).toContain('Yeşilova Belediyesi');
    expect(reply!.body.suggestedActions).toBeUndefined();
    expect(reply!.body.text).toContain('1\\. Yakın Kart  \n');

    // Two choices fit: buttons, and the text is not repeated as a list.
    const [question] = await say('conv-greeting', 'verilerimi sil');
    const actions = question!.body.suggestedActions!.actions;
    expect(actions).toEqual([
      { type: 'imBack', title: 'Evet', value: 'Evet' },
      { type: 'imBack', title: 'Hayır', value: 'Hayır' },
    ]);
    expect(question!.body.text).not.toContain('1\\. Evet');
    await say('conv-greeting', 'Hayır');

    // A button press comes back as the button's text.
    const [answer] = await say('conv-greeting', 'Yakın Kart');
    expect(answer!.body.text).toContain('Yakın Kart');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'botframework:emulator', platformUserId: 'user-conv-greeting' } });
    expect(contact.displayName).toBe('Ayşe Yılmaz');
  });

  it('writes the choices as a numbered list on channels that do not show buttons, and accepts the number', async () => {
    const [reply] = await say('conv-teams', 'merhaba', { channelId: 'msteams' });
    expect(reply!.body.text).toContain('\n1\\. Yakın Kart');
    expect(reply!.body.suggestedActions).toBeUndefined();
    const [answer] = await say('conv-teams', '1', { channelId: 'msteams' });
    expect(answer!.body.text).toContain('Yakın Kart');
  });

  it('answers an activity delivered twice once', async () => {
    const message = activity('conv-dup', 'su kesintisi ne zaman biter');
    const before = connector.posts.length;
    expect((await post(cozum.url!, message)).status).toBe(200);
    expect((await post(cozum.url!, message)).status).toBe(200);
    expect(await repliesTo(message)).toHaveLength(1);
    // The conversation's next answer comes after anything the second delivery would have caused.
    await say('conv-dup', 'yardım');
    expect(connector.messages('conv-dup', before)).toHaveLength(2);
  });

  it('answers two messages sent at once in order, each as a reply to its own message', async () => {
    await say('conv-pair', 'merhaba');
    const card = activity('conv-pair', 'yakın kart nedir');
    const water = activity('conv-pair', 'sular ne zaman gelecek');
    const before = connector.posts.length;
    const statuses = await Promise.all([post(cozum.url!, card), post(cozum.url!, water)]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200]);
    const [toCard] = await repliesTo(card);
    const [toWater] = await repliesTo(water);
    expect(connector.messages('conv-pair', before)).toEqual([toCard, toWater]);
    expect(toCard!.body.text).toContain('yardım kartıdır');
    expect(toWater!.body.text).toContain('Su ve Kanalizasyon İdaresi');
  });

  it('answers 200 once the message is stored, while the reply still waits for the channel', async () => {
    const message = activity('conv-held', 'merhaba');
    connector.latency.hold();
    try {
      // A bound on waiting, so that a server holding the request fails the test instead of hanging it.
      const response = await post(cozum.url!, message, {}, AbortSignal.timeout(15_000));
      expect(response.status).toBe(200);
      expect(await cozum.db.message.count({ where: { direction: 'in', platformMessageId: message.id } })).toBe(1);
    } finally {
      connector.latency.release();
    }
    const [reply] = await repliesTo(message);
    expect(reply!.body.text).toContain('Yeşilova Belediyesi');
  });

  it('tells the citizen when a shared place cannot be read', async () => {
    const [reply] = await say('conv-pin', '', { entities: [{ type: 'Place', geo: { type: 'GeoCoordinates', latitude: 1000, longitude: 27.2197 } }] });
    expect(reply!.body.text).toMatch(/mesajınızı okuyamadım/);
  });

  it('delivers a later message (an agent’s answer) proactively, also after a restart', async () => {
    await say('conv-later', 'merhaba');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'botframework:emulator', contact: { platformUserId: 'user-conv-later' } } });
    await restart();

    const before = connector.posts.length;
    await cozum.adapter.notify(conversation.id, 'Başvurunuz ilgili birime iletildi.', ['Tamam']);
    await vi.waitFor(() => expect(connector.messages('conv-later', before)).toHaveLength(1));
    const [proactive] = connector.messages('conv-later', before);
    expect(proactive!.path).toMatch(/^\/v3\/conversations\/conv-later\/activities/);
    expect(proactive!.body.text).toBe('Başvurunuz ilgili birime iletildi.');
    expect(proactive!.body.suggestedActions!.actions.map((a) => a.title)).toEqual(['Tamam']);
    // The outbox records the delivery.
    await vi.waitFor(async () => {
      const stored = await cozum.db.message.findFirstOrThrow({ where: { conversationId: conversation.id, text: 'Başvurunuz ilgili birime iletildi.' } });
      expect(stored.status).toBe('sent');
    });
  });

  it('posts nowhere but to the Emulator itself: no path, query, credentials or parent directory taken from the activity', async () => {
    const bystander = await new Bystander().start();
    try {
      const forged = [
        activity('conv-ssrf-1', 'merhaba', { serviceUrl: `${bystander.url}/internal/admin/delete?x=` }),
        activity('../../../../evil', 'merhaba', { serviceUrl: bystander.url }),
        activity('conv-ssrf-3', 'merhaba', { serviceUrl: bystander.url, id: '../../internal/admin' }),
        activity('conv-ssrf-4', 'merhaba', { serviceUrl: bystander.url.replace('http://', 'http://admin:secret@') }),
        activity('conv-ssrf-5', 'merhaba', { serviceUrl: `${bystander.url}/#fragment` }),
      ];
      for (const message of forged) expect((await post(cozum.url!, message)).status, String(message.serviceUrl)).toBe(400);
      expect(bystander.requests).toEqual([]);
      expect(await cozum.db.contact.count({ where: { platformUserId: { startsWith: 'user-conv-ssrf' } } })).toBe(0);
      expect(await cozum.db.contact.count({ where: { platformUserId: 'user-../../../../evil' } })).toBe(0);
    } finally {
      await bystander.close();
    }
  });

  it('refuses a request relayed from outside this machine by a local proxy', async () => {
    const response = await post(cozum.url!, activity('conv-relayed', 'merhaba'), { 'X-Forwarded-For': '203.0.113.7' });
    expect(response.status).toBe(403);
    expect(await cozum.db.contact.count({ where: { platformUserId: 'user-conv-relayed' } })).toBe(0);
  });

  it('answers 400, storing nothing, when an activity lacks what the code needs', async () => {
    const whole = activity('conv-partial', 'merhaba');
    for (const field of ['recipient', 'from', 'conversation', 'serviceUrl', 'channelId'] as const) {
      const { [field]: _missing, ...rest } = whole;
      const response = await post(cozum.url!, rest);
      expect(response.status, field).toBe(400);
    }
    expect(await cozum.db.contact.count({ where: { platformUserId: 'user-conv-partial' } })).toBe(0);
    expect(connector.posts.filter((p) => p.body.conversation?.id === 'conv-partial')).toEqual([]);
  });

  it('without an app id answers only an Emulator on this machine', async () => {
    const response = await post(cozum.url!, activity('conv-far', 'merhaba', { serviceUrl: 'https://attacker.example/bf' }));
    expect(response.status).toBe(403);
    expect(connector.posts.filter((p) => p.body.conversation?.id === 'conv-far')).toEqual([]);
    expect(await cozum.db.contact.count({ where: { platformUserId: 'user-conv-far' } })).toBe(0);
  });
});

describe('Bot Framework\'s own runtime failing a turn', () => {
  it('apologises in the language the citizen writes in', async () => {
    const deps = configOnlyDeps(dataDir, EMULATOR);
    const { municipality } = deps.config;
    const { languages } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));
    const channel = createBotFramework({ ...deps, db: cozum.db, texts: languages.tr.texts, textsIn: (language) => languages[language === 'ar' || language === 'en' ? language : 'tr'].texts })!;
    // A failure in the runtime around the turn, not in storing the message (that one is answered 500).
    (channel as unknown as { onTurn: () => Promise<void> }).onTurn = async () => {
      throw new Error('the runtime broke');
    };
    const app = express().use(channel.router!);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await cozum.db.contact.create({ data: { channel: 'botframework:emulator', platformUserId: 'user-conv-ar-failed', language: 'ar' } });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await post(base, activity('conv-ar-failed', 'شكرا'));
      await post(base, activity('conv-tr-failed', 'teşekkürler'));
      const texts = (conversation: string) => connector.posts.filter((p) => p.body.conversation?.id === conversation).map((p) => p.body.text);
      await vi.waitFor(() => expect(texts('conv-tr-failed')).toHaveLength(1));
      await vi.waitFor(() => expect(texts('conv-ar-failed')).toHaveLength(1));
      expect(texts('conv-ar-failed')).toEqual([languages.ar.texts.turnFailed]);
      expect(texts('conv-tr-failed')).toEqual([languages.tr.texts.turnFailed]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Bot Framework with Microsoft app credentials', () => {
  const secured = tempDir();
  let protectedCozum: Cozum;
  beforeAll(async () => {
    protectedCozum = await startTestCozum(secured.dir, {
      http: true,
      overrides: { 'channels.botFramework.appId': '6f1b2a3c-0000-4000-8000-00000000c0de', 'channels.botFramework.appPassword': 'azure-client-secret-value' },
    });
  });
  afterAll(async () => {
    await protectedCozum?.close();
    secured.remove();
  });

  it('refuses a request without a valid token with 401 and never runs the bot', async () => {
    // As Azure channels write: an https service URL.
    const azure = { serviceUrl: 'https://smba.trafficmanager.net/emea/', channelId: 'msteams' };
    const unsigned = await post(protectedCozum.url!, activity('conv-auth', 'merhaba', azure));
    expect(unsigned.status).toBe(401);
    // botbuilder reports a refused token on the console itself; keep the test output clean.
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined);
    try {
      const forged = await post(protectedCozum.url!, activity('conv-auth', 'merhaba', azure), { Authorization: 'Bearer not-a-jwt' });
      expect(forged.status).toBe(401);
    } finally {
      console.mockRestore();
    }
    expect(connector.posts.filter((p) => p.body.conversation?.id === 'conv-auth')).toEqual([]);
    expect(await protectedCozum.db.message.count()).toBe(0);
  });
});

describe('Bot Framework without credentials, by default', () => {
  const off = tempDir();
  const bystander = new Bystander();
  let plain: Cozum;
  beforeAll(async () => {
    await bystander.start();
    plain = await startTestCozum(off.dir, { http: true });
  });
  afterAll(async () => {
    await plain?.close();
    await bystander.close();
    off.remove();
  });

  it('is off: /api/messages does not exist, and a forged activity makes the server post nowhere', async () => {
    const forged = activity('../../../../evil', 'merhaba', { serviceUrl: `${bystander.url}/internal/admin/delete?x=` });
    expect((await post(plain.url!, forged)).status).toBe(404);
    expect(bystander.requests).toEqual([]);
    expect(await plain.db.message.count()).toBe(0);
  });

  it('refuses the Emulator setting at start-up unless the server listens on this machine only', () => {
    const deps = (overrides: Record<string, unknown>) => configOnlyDeps(off.dir, overrides);
    expect(() => createBotFramework(deps({ ...EMULATOR, host: '0.0.0.0' }))).toThrow(/BOTFRAMEWORK_EMULATOR[\s\S]*HOST/);
    expect(() => createBotFramework(deps({ ...EMULATOR, host: '192.168.1.20' }))).toThrow(/HOST/);
    expect(createBotFramework(deps({ ...EMULATOR, host: '127.0.0.1' }))).toBeDefined();
    expect(createBotFramework(deps({ host: '0.0.0.0' }))).toBeUndefined();
  });
});

describe('Bot Framework settings and activities', () => {
  it('names the missing setting when credentials are incomplete', () => {
    expect(checkBotFrameworkSettings({ appType: 'MultiTenant', emulator: false }, '127.0.0.1')).toBe('off');
    expect(checkBotFrameworkSettings({ appType: 'MultiTenant', emulator: true }, '127.0.0.1')).toBe('emulator');
    expect(checkBotFrameworkSettings({ appType: 'MultiTenant', emulator: true }, 'localhost')).toBe('emulator');
    expect(() => checkBotFrameworkSettings({ appType: 'MultiTenant', emulator: true }, '::')).toThrow(/HOST/);
    expect(checkBotFrameworkSettings({ appId: 'id', appPassword: 'pw', appType: 'MultiTenant', emulator: false }, '0.0.0.0')).toBe('authenticated');
    expect(() => checkBotFrameworkSettings({ appId: 'id', appType: 'MultiTenant', emulator: false }, '127.0.0.1')).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => checkBotFrameworkSettings({ appPassword: 'pw', appType: 'MultiTenant', emulator: false }, '127.0.0.1')).toThrow(/MICROSOFT_APP_ID/);
    expect(() => checkBotFrameworkSettings({ appId: 'id', appPassword: 'pw', appType: 'SingleTenant', emulator: false }, '127.0.0.1')).toThrow(/MICROSOFT_APP_TENANT_ID/);
  });

  it('takes the service URLs Azure channels use, and refuses anything that adds to the path', () => {
    for (const url of ['https://smba.trafficmanager.net/emea/', 'https://smba.trafficmanager.net/teams/', 'https://webchat.botframework.com/', 'https://directline.botframework.com']) {
      expect(serviceUrlProblem(url, 'authenticated'), url).toBeUndefined();
    }
    expect(serviceUrlProblem('http://localhost:53480', 'emulator')).toBeUndefined();
    expect(serviceUrlProblem('http://smba.trafficmanager.net/emea/', 'authenticated')).toBe('scheme');
    expect(serviceUrlProblem('https://smba.trafficmanager.net/emea/?x=', 'authenticated')).toBe('query');
    expect(serviceUrlProblem('https://smba.trafficmanager.net/emea/%2e%2e/admin', 'authenticated')).toBe('path');
    expect(serviceUrlProblem('https://a:b@smba.trafficmanager.net/', 'authenticated')).toBe('credentials');
    expect(serviceUrlProblem('http://127.0.0.1:8080/internal', 'emulator')).toBe('path');
    expect(serviceUrlProblem('http://10.0.0.5:8080', 'emulator')).toBe('not on this machine');
  });

  it('keeps a photo and a shared place, and skips Teams’ HTML copy of the message', () => {
    const inbound = inboundFromActivity(
      activity('conv-unit', '', {
        channelId: 'msteams',
        attachments: [
          { contentType: 'text/html', content: '<p>merhaba</p>' },
          { contentType: 'image/png', contentUrl: 'https://smba.example/v3/attachments/1/views/original' },
        ],
        entities: [{ type: 'Place', geo: { type: 'GeoCoordinates', latitude: 38.4622, longitude: 27.2197 } }],
      }) as Activity,
    );
    expect(inbound).toMatchObject({
      channel: 'botframework:msteams',
      media: [{ kind: 'image', mimeType: 'image/png', url: 'https://smba.example/v3/attachments/1/views/original' }],
      location: { latitude: 38.4622, longitude: 27.2197 },
      address: { conversation: { id: 'conv-unit' }, serviceUrl: connector.url, channelId: 'msteams' },
    });
    expect(activityFromOutbound({ text: 'Seçin:', choices: [] }, 'emulator')).toMatchObject({ text: 'Seçin:', suggestedActions: undefined });
  });
});
