// The same few replies on every platform, each checked against that platform's own rules through
// its stand-in: a help text with a list, an FAQ answer with a link, a queue message with a bold
// ticket number, the twelve-option menu, a yes/no question, and an agent's two-line answer that
// holds characters a platform would read as markup.
import type { Activity } from 'botbuilder';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import type { Cozum } from '../../src/main.ts';
import { renderText } from '../../src/messaging/text-format.ts';
import { ConnectorStandIn } from '../support/bot-connector.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { GraphStandIn, postWebhook, webhookBody, whatsAppCloudSettings, type GraphCall } from '../support/graph-api.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN, type ApiCall } from '../support/telegram-api.ts';

interface Reply {
  name: string;
  text: string;
  choices: string[];
}

const temp = tempDir('cozum-fidelity-');
const graph = new GraphStandIn();
const telegram = new BotApiStandIn();
const connector = new ConnectorStandIn();
let cozum: Cozum;
let replies: Reply[];

beforeAll(async () => {
  await Promise.all([graph.start(), telegram.start(), connector.start()]);
  cozum = await startTestCozum(temp.dir, {
    http: true,
    overrides: { ...whatsAppCloudSettings(graph), 'channels.telegram.token': TOKEN, 'channels.telegram.apiRoot': telegram.url, 'channels.botFramework.emulator': true },
  });
  const { texts, menu } = loadBotContent('bot', cozum.config.municipality, cozum.intents.map((intent) => intent.name));
  replies = [
    { name: 'help with a list', text: texts.help, choices: [] },
    { name: 'FAQ with a link', text: cozum.intents.find((intent) => intent.name === 'faq.water_outage')!.answer!, choices: [] },
    { name: 'queued with a bold ticket number', text: texts.queued({ ticketNumber: 'CZM-2026-000123', position: 2, alreadyQueued: false }), choices: [] },
    { name: 'the twelve-option menu', text: texts.menuPrompt, choices: menu.map((option) => option.label) },
    { name: 'a yes/no question', text: texts.confirmErase, choices: [texts.yesButton, texts.noButton] },
    { name: "an agent's two lines", text: 'Merhaba, ekibimiz **yarın** sabah gelecek.\nLütfen <b> & [bağlantı](x) yazmayın_ama_okuyun.', choices: [] },
  ];
}, 60_000);

afterAll(async () => {
  await cozum?.close();
  await Promise.all([graph.close(), telegram.close(), connector.close()]);
  temp.remove();
});

/** Sends every reply to a conversation as an agent's notification would go, in order. */
async function sendAll(conversationId: string): Promise<void> {
  for (const reply of replies) await cozum.adapter.notify(conversationId, reply.text, reply.choices, { author: 'agent', authorName: 'Ayşe Yılmaz' });
}

/** Telegram's HTML: only <b>, <i>, <a>, balanced; every & starts an entity; nothing else looks like a tag. */
function expectTelegramHtml(html: string): void {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    expect(['b', 'i', 'a']).toContain(match[2]);
    if (match[1]) expect(stack.pop()).toBe(match[2]);
    else stack.push(match[2]!);
  }
  expect(stack).toEqual([]);
  expect(html.replace(/<\/?[a-z]+[^>]*>/g, '')).not.toMatch(/[<>]/);
  expect(html).not.toMatch(/&(?!(amp|lt|gt|quot);)/);
}

describe('Telegram (parse_mode HTML)', () => {
  it('gets well-formed HTML within 4,096 characters, bold as <b>, typed markup escaped, yes/no and menu as keyboards', async () => {
    const citizen = new TelegramCitizen(telegram, 8801);
    await citizen.says('merhaba', /./);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: 'telegram', platformUserId: '8801' } } });
    const before = telegram.sent(8801).length;
    await sendAll(conversation.id);
    const calls = await telegram.waitFor(() => {
      const sent = telegram.sent(8801).slice(before).filter((call: ApiCall) => call.method === 'sendMessage' && call.completed);
      return sent.length >= replies.length ? sent : undefined;
    }, 'the six replies');
    for (const call of calls) {
      expect(call.body.parse_mode).toBe('HTML');
      expect(String(call.body.text).length).toBeLessThanOrEqual(4096);
      expectTelegramHtml(String(call.body.text));
    }
    const [help, , queued, menu, yesNo, agent] = calls;
    expect(String(help!.body.text)).toContain('• <b>menü</b>: konu listesi\n• <b>iptal</b>');
    expect(String(queued!.body.text)).toContain('<b>CZM-2026-000123</b>');
    expect((menu!.body.reply_markup as { keyboard: unknown[] }).keyboard).toHaveLength(13); // twelve topics and the language option
    expect((yesNo!.body.reply_markup as { keyboard: { text: string }[][] }).keyboard.flat().map((b) => b.text)).toEqual(['Evet', 'Hayır']);
    expect(String(agent!.body.text)).toBe('Merhaba, ekibimiz <b>yarın</b> sabah gelecek.\nLütfen &lt;b&gt; &amp; [bağlantı](x) yazmayın_ama_okuyun.');
  });
});

describe('WhatsApp Cloud API', () => {
  it('gets bodies within the limits, buttons of at most 20 characters, bold as *x*, more than ten choices as a numbered list', async () => {
    const waId = '905550008801';
    await postWebhook(`${cozum.url}/whatsapp/webhook`, webhookBody({ contacts: [{ profile: { name: 'Ayşe' }, wa_id: waId }], messages: [{ from: waId, id: 'wamid.FID1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'merhaba' } }] }));
    await graph.waitFor(() => graph.received(waId).length > 0 || undefined, 'the greeting');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: 'whatsapp-cloud', platformUserId: waId } } });
    const before = graph.sent(waId).length;
    await sendAll(conversation.id);
    const calls = await graph.waitFor(() => {
      const sent = graph.sent(waId).slice(before).filter((call: GraphCall) => call.completed);
      return sent.length >= replies.length ? sent : undefined;
    }, 'the six replies');
    for (const call of calls) {
      const body = call.body as { type: string; text?: { body: string }; interactive?: { body: { text: string }; action: { buttons?: { reply: { title: string } }[]; sections?: { rows: { title: string }[] }[] } } };
      if (body.type === 'text') expect(body.text!.body.length).toBeLessThanOrEqual(4096);
      if (body.type === 'interactive') {
        expect(body.interactive!.body.text.length).toBeLessThanOrEqual(1024);
        for (const button of body.interactive!.action.buttons ?? []) expect([...button.reply.title].length).toBeLessThanOrEqual(20);
        for (const row of body.interactive!.action.sections?.flatMap((s) => s.rows) ?? []) expect([...row.title].length).toBeLessThanOrEqual(24);
      }
    }
    type Body = { type: string; text: { body: string }; interactive: { action: { buttons: { reply: { title: string } }[] } } };
    const [help, , queued, menu, yesNo, agent] = calls.map((call) => call.body as unknown as Body);
    expect(help!.text.body).toContain('• *menü*: konu listesi\n• *iptal*');
    expect(queued!.text.body).toContain('*CZM-2026-000123*');
    expect(menu!.type).toBe('text');
    expect(menu!.text.body).toMatch(/^12\. .+$/m);
    expect(yesNo!.interactive.action.buttons.map((b) => b.reply.title)).toEqual(['Evet', 'Hayır']);
    expect(agent!.text.body).toBe('Merhaba, ekibimiz *yarın* sabah gelecek.\nLütfen <b> & [bağlantı](x) yazmayın_ama_okuyun.');
  });
});

describe('Bot Framework (Web Chat)', () => {
  it('gets Markdown activities: textFormat set, every line a hard break, bold as **, typed markup escaped, buttons only when all show', async () => {
    const activity: Partial<Activity> = {
      type: 'message',
      id: 'fid-1',
      channelId: 'webchat',
      serviceUrl: connector.url,
      from: { id: 'user-fid', name: 'Ayşe' } as Activity['from'],
      recipient: { id: 'cozum-bot', name: 'Çözüm' } as Activity['recipient'],
      conversation: { id: 'conv-fid' } as Activity['conversation'],
      text: 'merhaba',
    };
    expect((await fetch(`${cozum.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) })).status).toBe(200);
    await connector.waitFor(() => connector.received('conv-fid').length > 0 || undefined, 'the greeting');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: 'botframework:webchat' } } });
    const before = connector.messages('conv-fid').length;
    await sendAll(conversation.id);
    const posts = await connector.waitFor(() => {
      const sent = connector.messages('conv-fid').slice(before).filter((post) => post.completed);
      return sent.length >= replies.length ? sent : undefined;
    }, 'the six replies');
    const md = new MarkdownIt();
    const html = posts.map((post) => md.render(post.body.text ?? ''));
    for (const post of posts) expect(post.body.textFormat).toBe('markdown');
    const [help, faq, queued, menu, yesNo, agent] = posts.map((post) => post.body);
    // Each line of the help text is its own line in Web Chat.
    expect(html[0]).toContain('<strong>menü</strong>: konu listesi<br>\n• <strong>iptal</strong>');
    expect(html[1]).toMatch(/<a href="https:\/\/[^"]+">/);
    expect(html[2]).toContain('<strong>CZM-2026-000123</strong>');
    expect(menu!.suggestedActions).toBeUndefined();
    expect(html[3]!.match(/<br>/g)!.length).toBeGreaterThanOrEqual(11);
    expect(yesNo!.suggestedActions!.actions.map((action) => action.title)).toEqual(['Evet', 'Hayır']);
    expect(html[5]).toBe('<p>Merhaba, ekibimiz <strong>yarın</strong> sabah gelecek.<br>\nLütfen &lt;b&gt; &amp; [bağlantı](x) yazmayın_ama_okuyun.</p>\n');
    expect([help, faq, queued, agent].every((body) => body!.suggestedActions === undefined)).toBe(true);
    // And the neutral text was not lost on the way: the plain reading of each is what was said.
    expect(renderText(replies[5]!.text, 'plain')).toBe('Merhaba, ekibimiz yarın sabah gelecek.\nLütfen <b> & [bağlantı](x) yazmayın_ama_okuyun.');
  });
});
