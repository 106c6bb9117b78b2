// Hostile and malformed input through every public endpoint: each channel's webhook, the web chat
// and the agent console. The process must keep serving, answer 4xx (never 5xx, never a crash),
// and the database must hold nothing corrupt.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookPath } from '../../src/channels/telegram/index.ts';
import type { Cozum } from '../../src/main.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';

const TELEGRAM_TOKEN = '123456:FUZZfuzzFUZZfuzzFUZZfuzzFUZZ';
const TELEGRAM_SECRET = 'fuzz-secret-token-1234';
const APP_SECRET = 'fuzz-app-secret-0123456789';

/** Answers every Bot API and Graph API call with success, so the channels can start and reply. */
function platformStandIn(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('Content-Type', 'application/json');
      if (request.url?.endsWith('/getMe')) {
        return void response.end(JSON.stringify({ ok: true, result: { id: 123456, is_bot: true, first_name: 'Çözüm', username: 'cozum_bot' } }));
      }
      if (request.url?.includes('/bot')) return void response.end(JSON.stringify({ ok: true, result: true }));
      response.end(JSON.stringify({ messages: [{ id: 'wamid.fuzz' }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const temp = tempDir();
let cozum: Cozum;
let platform: { server: Server; url: string };
let base: string;

beforeAll(async () => {
  platform = await platformStandIn();
  cozum = await startTestCozum(temp.dir, {
    http: true,
    overrides: {
      'channels.telegram.token': TELEGRAM_TOKEN,
      'channels.telegram.apiRoot': platform.url,
      'channels.telegram.webhookUrl': 'https://cozum.example.org',
      'channels.telegram.secretToken': TELEGRAM_SECRET,
      'channels.whatsappCloud.accessToken': 'EAAfuzzfuzzfuzzfuzzfuzzfuzz',
      'channels.whatsappCloud.phoneNumberId': '1000001',
      'channels.whatsappCloud.appSecret': APP_SECRET,
      'channels.whatsappCloud.verifyToken': 'fuzz-verify',
      'channels.whatsappCloud.graphApiBase': platform.url,
      // Without credentials the Bot Framework endpoint exists only in Emulator mode.
      'channels.botFramework.emulator': true,
    },
  });
  base = cozum.url!;
});
afterAll(async () => {
  await cozum.close();
  platform.server.close();
  temp.remove();
});

const LONE_SURROGATE = 'a\uD800b\uDFFFc';
const STRINGS = [
  '',
  ' ',
  'x'.repeat(100_000),
  "'; DROP TABLE \"Message\"; --",
  '" OR 1=1 --',
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  '\u0000\u0001\u0007\u001b[31mkırmızı\u001b[0m\r\n\t',
  LONE_SURROGATE,
  '🙏'.repeat(5000),
  '{{name}} ${process.exit()} %s %n',
  '../../../../etc/passwd',
];
const VALUES: unknown[] = [...STRINGS, null, 0, -1, 1e308, true, [], {}, [1, 2, 3], { text: { nested: ['x'] } }];

/** Raw bodies that are not valid JSON, or not JSON at all. */
const BROKEN_BODIES = ['{', '{"a":', '[1,2', 'null', '"just a string"', '\u0000\u0000', 'a=1&b=2', '{"text": "\\uD800"}', '{}'.repeat(1000)];

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  await response.arrayBuffer();
  return response.status;
}

function sign(body: string): string {
  return `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
}

async function chatToken(): Promise<string> {
  return ((await (await fetch(`${base}/api/chat/session`, { method: 'POST' })).json()) as { token: string }).token;
}

/** Every answer is a client error or success: a 5xx means the endpoint broke on the input. */
function expectNoServerError(statuses: number[], where: string): void {
  const broken = statuses.filter((status) => status >= 500);
  expect(broken, `${where}: ${statuses.join(',')}`).toEqual([]);
}

describe('hostile input', () => {
  it('the web chat answers every malformed or hostile message with a 4xx or an answer, never a 5xx', async () => {
    const token = await chatToken();
    const statuses: number[] = [];
    for (const body of BROKEN_BODIES) statuses.push(await post('/api/chat/messages', body, { 'X-Chat-Session': token }));
    for (const value of VALUES) {
      statuses.push(await post('/api/chat/messages', JSON.stringify({ text: value, id: value }), { 'X-Chat-Session': token }));
    }
    statuses.push(await post('/api/chat/messages', JSON.stringify({ text: 'merhaba' }), { 'X-Chat-Session': `${token}'--` }));
    statuses.push(await post('/api/chat/messages', JSON.stringify({ text: 'x'.repeat(2_000_000) }), { 'X-Chat-Session': token }));
    expectNoServerError(statuses, 'web chat');
    expect(statuses).toContain(200); // the hostile but well-formed strings were answered
  });

  it('the Telegram webhook refuses calls without the secret and survives malformed updates', async () => {
    const path = webhookPath(TELEGRAM_TOKEN);
    const statuses: number[] = [];
    for (const body of BROKEN_BODIES) statuses.push(await post(path, body, { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET }));
    let updateId = 1;
    for (const value of VALUES) {
      const update = { update_id: updateId++, message: { message_id: updateId, date: 1, chat: { id: value, type: 'private' }, from: { id: value, is_bot: false, first_name: value }, text: value } };
      statuses.push(await post(path, JSON.stringify(update), { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET }));
    }
    expectNoServerError(statuses, 'telegram');
    expect(await post(path, JSON.stringify({ update_id: 999, message: { text: 'merhaba' } }))).toBe(403);
  });

  it('the WhatsApp webhook refuses unsigned calls and survives signed malformed ones', async () => {
    const statuses: number[] = [];
    for (const body of BROKEN_BODIES) {
      statuses.push(await post('/whatsapp/webhook', body, { 'X-Hub-Signature-256': sign(body) }));
      expect(await post('/whatsapp/webhook', body, { 'X-Hub-Signature-256': 'sha256=00' })).toBe(401);
    }
    for (const value of VALUES) {
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: value, changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1000001' }, contacts: [{ wa_id: value, profile: { name: value } }], messages: [{ from: value, id: value, type: 'text', text: { body: value } }, { from: '905320000000', id: `w-${String(value).slice(0, 20)}`, type: value }], statuses: [{ id: value, status: value }] } }] }],
      });
      statuses.push(await post('/whatsapp/webhook', body, { 'X-Hub-Signature-256': sign(body) }));
    }
    expectNoServerError(statuses, 'whatsapp');
  });

  it('the Bot Framework endpoint survives malformed activities', async () => {
    const statuses: number[] = [];
    for (const body of BROKEN_BODIES) statuses.push(await post('/api/messages', body));
    for (const value of VALUES) {
      const activity = { type: 'message', id: value, text: value, channelId: value, serviceUrl: value, from: { id: value }, recipient: { id: value }, conversation: { id: value } };
      statuses.push(await post('/api/messages', JSON.stringify(activity)));
    }
    expectNoServerError(statuses, 'bot framework');
  });

  it('the console refuses hostile logins and anonymous API calls, and survives malformed bodies from an agent', async () => {
    const statuses: number[] = [];
    // The hostile logins come from a machine of their own (as a proxy on loopback reports it): the
    // agent below, at another address, is not held back by its flood.
    const hostile = { 'X-Forwarded-For': '198.51.100.66' };
    for (const value of VALUES) {
      const response = await fetch(`${base}/console/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...hostile }, body: JSON.stringify({ username: value, password: value }), redirect: 'manual' });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    for (const body of BROKEN_BODIES) statuses.push(await post('/console/login', body, hostile));
    for (const path of ['/console/api/queue', '/console/api/conversations/x', '/console/api/export.csv', `/console/api/conversations/${encodeURIComponent(STRINGS[3]!)}`]) {
      const response = await fetch(`${base}${path}`);
      await response.arrayBuffer();
      expect(response.status, path).toBe(401);
    }
    await createAgent(cozum.db, 'fuzzer', 'Fuzz Görevli', 'admin', null);
    const agent = new ConsoleClient(base);
    expect((await agent.login('fuzzer')).status).toBe(303);
    for (const value of VALUES) {
      for (const path of ['/console/api/conversations/nope/reply', '/console/api/tickets/nope/status', '/console/api/tickets/nope/transfer', '/console/api/tickets/nope/notes', '/console/api/agents', '/console/api/agents/nope/active', '/console/api/agents/nope', '/console/api/agents/nope/password']) {
        statuses.push((await agent.post(path, { text: value, status: value, note: value, department: value, username: value, password: value, role: value, active: value, displayName: value })).status);
      }
      statuses.push((await agent.get(`/console/api/conversations/${encodeURIComponent(String(value).slice(0, 500).replace(/[\uD800-\uDFFF]/g, ''))}`)).status);
    }
    // Malformed percent-encoding in the path.
    statuses.push((await agent.get('/console/api/conversations/%E0%A4%A')).status);
    statuses.push((await agent.post('/console/api/tickets/%ZZ/notes', { text: 'x' })).status);
    // Last, with an account of its own: wrong current passwords lock it.
    await createAgent(cozum.db, 'fuzzer-sifre', 'Fuzz Şifre', 'agent', null);
    const own = new ConsoleClient(base);
    expect((await own.login('fuzzer-sifre')).status).toBe(303);
    for (const value of VALUES) statuses.push((await own.post('/console/api/me/password', { current: value, next: value })).status);
    for (const value of VALUES) statuses.push((await own.post('/console/api/me/password', { current: value, next: 'uzun-ve-yeni-sifre' })).status);
    expectNoServerError(statuses, 'console');
  });

  it('keeps serving afterwards, with an intact database', async () => {
    const token = await chatToken();
    const response = await fetch(`${base}/api/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token }, body: JSON.stringify({ text: 'cenaze aracı nasıl çağırırım' }) });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('0 (232) 000 01 88');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const [integrity] = await cozum.db.$queryRawUnsafe<{ integrity_check: string }[]>('PRAGMA integrity_check');
    expect(integrity!.integrity_check).toBe('ok');
    expect(await cozum.db.$queryRawUnsafe<unknown[]>('PRAGMA foreign_key_check')).toEqual([]);
    const messages = await cozum.db.message.findMany({ select: { payload: true, text: true, direction: true } });
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) expect(() => JSON.parse(message.payload)).not.toThrow();
    for (const table of ['Contact', 'Conversation', 'Message', 'Ticket', 'Agent']) {
      const [row] = await cozum.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*) AS n FROM "${table}"`);
      expect(Number(row!.n), table).toBeGreaterThanOrEqual(table === 'Ticket' ? 0 : 1);
    }
  });
});
