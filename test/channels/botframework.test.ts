// Bot Framework over real HTTP: activities posted to Çözüm's /api/messages as a Bot Framework
// channel would, replies captured on a local serviceUrl that plays the channel's Connector API.
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activityFromOutbound, checkBotFrameworkSettings, inboundFromActivity } from '../../src/channels/botframework.ts';
import type { Cozum } from '../../src/main.ts';
import { ConnectorStandIn, type Recorded } from '../support/bot-connector.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';

const connector = new ConnectorStandIn();
const temp = tempDir();
let cozum: Cozum;
let counter = 0;

beforeAll(async () => {
  await connector.start();
  cozum = await startTestCozum(temp.dir, { http: true });
});
afterAll(async () => {
  await cozum?.close();
  await connector.stop();
  temp.remove();
});

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

function post(base: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Posts a message as the channel would and returns the bot's replies to it. */
async function say(conversationId: string, text: string, extra: Partial<Activity> = {}): Promise<Recorded[]> {
  const before = connector.posts.length;
  const message = activity(conversationId, text, extra);
  const response = await post(cozum.url!, message);
  expect(response.status).toBe(200);
  return connector.messages(conversationId, before);
}

describe('Bot Framework channel', () => {
  it('answers a greeting with the menu as buttons, as a reply to the citizen’s message', async () => {
    const [reply, ...rest] = await say('conv-greeting', 'Merhaba');
    expect(rest).toEqual([]);
    expect(reply!.path).toBe(`/v3/conversations/conv-greeting/activities/act-${counter}`);
    expect(reply!.body.replyToId).toBe(`act-${counter}`);
    expect(reply!.body.text).toContain('Yeşilova Belediyesi');
    const actions = reply!.body.suggestedActions!.actions;
    expect(actions.map((a) => a.title)).toContain('Yakın Kart');
    expect(actions[0]).toMatchObject({ type: 'imBack', title: 'Yakın Kart', value: 'Yakın Kart' });
    // The Emulator shows buttons: the text is not repeated as a list.
    expect(reply!.body.text).not.toContain('1. Yakın Kart');

    // A button press comes back as the button's text.
    const [answer] = await say('conv-greeting', 'Yakın Kart');
    expect(answer!.body.text).toContain('Yakın Kart');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'botframework:emulator', platformUserId: 'user-conv-greeting' } });
    expect(contact.displayName).toBe('Ayşe Yılmaz');
  });

  it('writes the choices as a numbered list on channels that do not show buttons, and accepts the number', async () => {
    const [reply] = await say('conv-teams', 'merhaba', { channelId: 'msteams' });
    expect(reply!.body.text).toContain('\n1. Yakın Kart');
    const [answer] = await say('conv-teams', '1', { channelId: 'msteams' });
    expect(answer!.body.text).toContain('Yakın Kart');
  });

  it('answers an activity delivered twice once', async () => {
    const message = activity('conv-dup', 'su kesintisi ne zaman biter');
    const before = connector.posts.length;
    expect((await post(cozum.url!, message)).status).toBe(200);
    expect((await post(cozum.url!, message)).status).toBe(200);
    expect(connector.messages('conv-dup', before)).toHaveLength(1);
  });

  it('answers two messages sent at once in order, each as a reply to its own message', async () => {
    await say('conv-pair', 'merhaba');
    const card = activity('conv-pair', 'yakın kart nedir');
    const water = activity('conv-pair', 'sular ne zaman gelecek');
    const before = connector.posts.length;
    const statuses = await Promise.all([post(cozum.url!, card), post(cozum.url!, water)]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200]);
    const replies = connector.messages('conv-pair', before);
    expect(replies).toHaveLength(2);
    const toCard = replies.find((r) => r.body.replyToId === card.id)!;
    const toWater = replies.find((r) => r.body.replyToId === water.id)!;
    expect(toCard.body.text).toContain('yardım kartıdır');
    expect(toWater.body.text).toContain('Su ve Kanalizasyon İdaresi');
  });

  it('delivers a later message (an agent’s answer) proactively, also after a restart', async () => {
    await say('conv-later', 'merhaba');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'botframework:emulator', contact: { platformUserId: 'user-conv-later' } } });
    await cozum.close();
    cozum = await startTestCozum(temp.dir, { http: true });

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

  it('without an app id answers only an Emulator on this machine', async () => {
    const response = await post(cozum.url!, activity('conv-far', 'merhaba', { serviceUrl: 'https://attacker.example/bf' }));
    expect(response.status).toBe(403);
    expect(connector.posts.filter((p) => p.body.conversation?.id === 'conv-far')).toEqual([]);
    expect(await cozum.db.contact.count({ where: { platformUserId: 'user-conv-far' } })).toBe(0);
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
    const unsigned = await post(protectedCozum.url!, activity('conv-auth', 'merhaba'));
    expect(unsigned.status).toBe(401);
    // botbuilder reports a refused token on the console itself; keep the test output clean.
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined);
    try {
      const forged = await post(protectedCozum.url!, activity('conv-auth', 'merhaba'), { Authorization: 'Bearer not-a-jwt' });
      expect(forged.status).toBe(401);
    } finally {
      console.mockRestore();
    }
    expect(connector.posts.filter((p) => p.body.conversation?.id === 'conv-auth')).toEqual([]);
    expect(await protectedCozum.db.message.count()).toBe(0);
  });
});

describe('Bot Framework settings and activities', () => {
  it('names the missing setting when credentials are incomplete', () => {
    expect(checkBotFrameworkSettings({ appType: 'MultiTenant' })).toEqual({ authEnabled: false });
    expect(checkBotFrameworkSettings({ appId: 'id', appPassword: 'pw', appType: 'MultiTenant' })).toEqual({ authEnabled: true });
    expect(() => checkBotFrameworkSettings({ appId: 'id', appType: 'MultiTenant' })).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => checkBotFrameworkSettings({ appPassword: 'pw', appType: 'MultiTenant' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => checkBotFrameworkSettings({ appId: 'id', appPassword: 'pw', appType: 'SingleTenant' })).toThrow(/MICROSOFT_APP_TENANT_ID/);
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
