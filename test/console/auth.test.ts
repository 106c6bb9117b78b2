// Access to the console over real HTTP: nothing answers without a session, logins lock after
// repeated failures without telling whether an account exists, sessions end, CSRF is enforced,
// roles keep agents out of the supervisor's page, and requireAgent protects other routers.
import { createHash } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TEXTS, ConsoleAuth, installConsoleAuth, LOGIN_TEXTS, requireAgent } from '../../src/console/auth.ts';
import { createConsole } from '../../src/console/console.ts';
import { createHttpApp, listen } from '../../src/http/server.ts';
import type { Cozum } from '../../src/main.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient, createAgent, PASSWORD } from './support.ts';

const temp = tempDir();
let cozum: Cozum;
let conversationId: string;
let ticketId: string;

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, { http: true });
  await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
  await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', 'Çözüm Merkezi');
  await createAgent(cozum.db, 'yonetici', 'Sistem Yöneticisi', 'admin', null);
  const citizen = new Citizen(cozum);
  await citizen.say('temsilci');
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  conversationId = conversation.id;
  ticketId = conversation.handoffTicketId!;
});
afterAll(async () => {
  await cozum.close();
  temp.remove();
});

describe('without a session', () => {
  it('pages redirect to the login page, keeping where the agent wanted to go', async () => {
    const anonymous = ConsoleClient.for(cozum);
    for (const path of ['/console', '/console/', '/console/supervisor', `/console/conversations/${conversationId}`, '/console/assets/queue.js', '/console/assets/common.js', '/console/yok-boyle-bir-sayfa']) {
      const reply = await anonymous.get(path, { headers: { Accept: 'text/html' } });
      expect(reply.status, path).toBe(303);
      expect(reply.headers.get('location'), path).toBe(`/console/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('every API answers 401 in JSON, reads and actions alike', async () => {
    const anonymous = ConsoleClient.for(cozum);
    const reads = ['/console/api/me', '/console/api/queue', `/console/api/conversations/${conversationId}`, '/console/api/events', '/console/api/stats', '/console/api/export.csv', '/console/api/agents', '/console/api/yok'];
    for (const path of reads) {
      const reply = await anonymous.get(path, { headers: { Accept: 'text/html' } });
      expect(reply.status, path).toBe(401);
      expect(reply.json, path).toEqual({ error: 'Oturum açmanız gerekiyor.' });
    }
    const actions = [
      `/console/api/conversations/${conversationId}/claim`,
      `/console/api/conversations/${conversationId}/reply`,
      `/console/api/conversations/${conversationId}/release`,
      `/console/api/tickets/${ticketId}/notes`,
      `/console/api/tickets/${ticketId}/status`,
      `/console/api/tickets/${ticketId}/transfer`,
      '/console/api/agents',
      '/console/logout',
    ];
    for (const path of actions) {
      const reply = await anonymous.post(path, { text: 'merhaba', status: 'resolved' }, { csrf: 'x' });
      expect(reply.status, path).toBe(401);
    }
    const conversation = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.mode).toBe('waiting');
    expect(await cozum.db.message.count({ where: { conversationId, author: 'agent' } })).toBe(0);
  });

  it('only the login page and its style sheet answer', async () => {
    const anonymous = ConsoleClient.for(cozum);
    const page = await anonymous.get('/console/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Giriş yapın');
    expect(page.text).toContain('Yeşilova Belediyesi');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await anonymous.get('/console/assets/console.css')).status).toBe(200);
  });

  it('a forged or expired cookie is no session', async () => {
    const forged = ConsoleClient.for(cozum);
    forged.token = 'A'.repeat(43);
    expect((await forged.get('/console/api/me')).status).toBe(401);

    const client = await ConsoleClient.loggedIn(cozum, 'ayse');
    expect((await client.get('/console/api/me')).status).toBe(200);
    const id = createHash('sha256').update(client.token).digest('hex');
    await cozum.db.agentSession.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await client.get('/console/api/me')).status).toBe(401);
    expect(await cozum.db.agentSession.count({ where: { id } })).toBe(0);
  });
});

describe('a session left alone', () => {
  const idOf = (client: ConsoleClient) => createHash('sha256').update(client.token).digest('hex');
  /** As if the agent's last page or action was `minutes` ago. */
  const idleFor = (client: ConsoleClient, minutes: number) =>
    cozum.db.agentSession.update({ where: { id: idOf(client) }, data: { lastActiveAt: new Date(Date.now() - minutes * 60_000) } });

  it('ends after 30 minutes without a page opened or an action taken', async () => {
    const client = await ConsoleClient.loggedIn(cozum, 'ayse');
    await idleFor(client, 29);
    expect((await client.get('/console/api/me')).status).toBe(200);
    await idleFor(client, 31);
    expect((await client.get('/console/api/me')).status).toBe(401);
    const page = await client.get('/console', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/login?next=%2Fconsole');
    expect(await cozum.db.agentSession.count({ where: { id: idOf(client) } })).toBe(0);
  });

  it('is kept alive by pages and actions, not by the queue refreshing itself', async () => {
    const client = await ConsoleClient.loggedIn(cozum, 'ayse');
    await idleFor(client, 20);
    const lastActive = async () => (await cozum.db.agentSession.findUniqueOrThrow({ where: { id: idOf(client) } })).lastActiveAt.getTime();
    const before = await lastActive();
    expect((await client.get('/console/api/queue')).status).toBe(200);
    expect(await lastActive()).toBe(before);

    expect((await client.get('/console', { headers: { Accept: 'text/html' } })).status).toBe(200);
    expect(Date.now() - (await lastActive())).toBeLessThan(60_000);

    await idleFor(client, 25);
    expect((await client.post('/console/logout', {})).status).toBeLessThan(400);
    expect(await cozum.db.agentSession.count({ where: { id: idOf(client) } })).toBe(0);
  });

  it('never ends before 30 minutes of real inactivity, though activity is written at most once a minute', async () => {
    let now = new Date('2026-12-01T09:00:00Z');
    const auth = new ConsoleAuth(cozum.db, { clock: () => now, idleMinutes: 30 });
    const login = await auth.login('ayse', PASSWORD);
    if (!login.ok) throw new Error('login failed');
    const at = (ms: number) => (now = new Date(Date.parse('2026-12-01T09:00:00Z') + ms));
    // A page opened 50 seconds after logging in: not written (the last write is under a minute old).
    at(50_000);
    await auth.touch((await auth.session(login.token))!);
    // 29 minutes 59 seconds after that page the agent is still within the idle time.
    at(50_000 + 30 * 60_000 - 1000);
    expect(await auth.session(login.token), 'ended before 30 minutes of inactivity').toBeDefined();
    // And the session does end once the idle time has passed however the writes fell.
    at(31 * 60_000);
    expect(await auth.session(login.token)).toBeUndefined();
  });

  it('counts an action (any POST with the session\'s CSRF token) as activity', async () => {
    const client = await ConsoleClient.loggedIn(cozum, 'ayse');
    await idleFor(client, 25);
    const before = (await cozum.db.agentSession.findUniqueOrThrow({ where: { id: idOf(client) } })).lastActiveAt.getTime();
    expect(Date.now() - before).toBeGreaterThan(24 * 60_000);
    await client.post('/console/api/tickets/yok/notes', { text: 'not' });
    const after = (await cozum.db.agentSession.findUniqueOrThrow({ where: { id: idOf(client) } })).lastActiveAt.getTime();
    expect(Date.now() - after).toBeLessThan(60_000);
  });
});

describe('login', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for the console and admin paths and keeps only its hash', async () => {
    const client = ConsoleClient.for(cozum);
    const reply = await client.login('AYSE');
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/console');
    const cookies = reply.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^cozum_console=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Max-Age=43200');
      expect(cookie).not.toContain('Secure'); // plain http on this machine
    }
    expect(cookies.map((c) => /Path=([^;]+)/.exec(c)![1])).toEqual(['/console', '/admin']);
    const session = await cozum.db.agentSession.findUniqueOrThrow({ where: { id: createHash('sha256').update(client.token).digest('hex') } });
    expect(session.id).not.toBe(client.token);
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(12 * 3_600_000);
    const me = await client.get('/console/api/me');
    expect(me.json.agent).toMatchObject({ username: 'ayse', displayName: 'Ayşe Demir', role: 'agent', department: 'Çözüm Merkezi' });
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const reply = await ConsoleClient.for(cozum).login('ayse', PASSWORD, { 'X-Forwarded-Proto': 'https' });
    expect(reply.status).toBe(303);
    for (const cookie of reply.headers.getSetCookie()) expect(cookie).toContain('; Secure');
  });

  it('refuses a login form that another site\'s page sent, and takes one from its own page', async () => {
    const post = (headers: Record<string, string>) => ConsoleClient.for(cozum).request('POST', '/console/login', { form: { username: 'ayse', password: PASSWORD }, headers });
    for (const headers of [{ 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }, { Origin: 'https://evil.example' }, { Origin: 'null' }] as Record<string, string>[]) {
      const refused = await post(headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.text).toContain(ACCESS_TEXTS.csrf);
      expect(refused.headers.getSetCookie(), JSON.stringify(headers)).toEqual([]);
    }
    const host = new URL(cozum.url!).host;
    for (const headers of [{ 'Sec-Fetch-Site': 'same-origin' }, { Origin: `http://${host}` }, { 'Sec-Fetch-Site': 'none' }] as Record<string, string>[]) {
      const accepted = await post(headers);
      expect(accepted.status, JSON.stringify(headers)).toBe(303);
      expect(accepted.headers.getSetCookie().length, JSON.stringify(headers)).toBeGreaterThan(0);
    }
  });

  it('goes back to the page asked for, but never off the site', async () => {
    const login = (next: string) => ConsoleClient.for(cozum).request('POST', '/console/login', { form: { username: 'ayse', password: PASSWORD, next } });
    expect((await login('/console/supervisor')).headers.get('location')).toBe('/console/supervisor');
    expect((await login('/admin/whatsapp')).headers.get('location')).toBe('/admin/whatsapp');
    for (const evil of ['https://evil.example/', '//evil.example/console', '/\\evil.example', '/chat']) {
      expect((await login(evil)).headers.get('location'), evil).toBe('/console');
    }
  });

  it('answers a wrong password and an unknown user name with the same Turkish message', async () => {
    const wrong = await ConsoleClient.for(cozum).login('sef', 'yanlis-sifre-000');
    const unknown = await ConsoleClient.for(cozum).login('kimse-yok', 'yanlis-sifre-000');
    for (const reply of [wrong, unknown]) {
      expect(reply.status).toBe(401);
      expect(reply.text).toContain(LOGIN_TEXTS.invalid);
      expect(reply.headers.getSetCookie()).toEqual([]);
    }
    expect(wrong.text.replace(/value="[^"]*"/g, '')).toBe(unknown.text.replace(/value="[^"]*"/g, ''));
    // A good login starts the count of failures again: four more wrong ones do not block.
    const desk = '203.0.113.21';
    for (let i = 0; i < 4; i++) expect((await ConsoleClient.for(cozum, desk).login('sef', `yanlis-${i}-sifre`)).status).toBe(401);
    await ConsoleClient.loggedIn(cozum, 'sef', PASSWORD, desk);
    for (let i = 0; i < 4; i++) expect((await ConsoleClient.for(cozum, desk).login('sef', `yanlis-${i}-sifre`)).status).toBe(401);
    await ConsoleClient.loggedIn(cozum, 'sef', PASSWORD, desk);
  });

  /** Ends the running blocks of the login gates, as if their time had passed (the counts of blocks stay). */
  const blocksPass = () => cozum.db.rateLimit.updateMany({ where: { key: { startsWith: 'login:' }, NOT: { key: { contains: ':blocks:' } } }, data: { expire: new Date(Date.now() - 1000) } });

  it('blocks one address guessing one account after 5 failures, even for the right password, with growing waits, never the agent elsewhere', async () => {
    await createAgent(cozum.db, 'kilit', 'Kilit Deneme', 'agent', 'Çözüm Merkezi');
    const guesser = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await ConsoleClient.for(cozum, guesser).login('kilit', `yanlis-${i}-sifre`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await ConsoleClient.for(cozum, guesser).login('kilit', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(/giriş geçici olarak kapatıldı; lütfen (1 dakika|\d+ saniye) sonra tekrar deneyin/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // The agent at their own desk is not the one guessing.
    expect((await ConsoleClient.for(cozum, '203.0.113.10').login('kilit')).status).toBe(303);

    // After the block one try; wrong again, the next wait is twice as long.
    await blocksPass();
    const again = await ConsoleClient.for(cozum, guesser).login('kilit', 'yanlis-6-sifre');
    expect(again.status).toBe(429);
    expect(again.text).toContain('2 dakika sonra');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(60);
    await blocksPass();
    expect((await ConsoleClient.for(cozum, guesser).login('kilit', PASSWORD)).status).toBe(303);
  });

  it('checks no more than five of a burst of simultaneous guesses', async () => {
    await createAgent(cozum.db, 'yigin', 'Yığın Deneme', 'agent', 'Çözüm Merkezi');
    const guesser = '198.51.100.8';
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => ConsoleClient.for(cozum, guesser).login('yigin', `yanlis-${i}-sifre`)));
    const statuses = replies.map((r) => r.status).sort();
    // Four wrong answers, the fifth blocks, the other 25 are refused without a check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(26);
    expect((await ConsoleClient.for(cozum, guesser).login('yigin', PASSWORD)).status).toBe(429);
  });

  it('counts an unknown user name the same way, in the database, so no answer reveals which accounts exist, even after a restart', async () => {
    await createAgent(cozum.db, 'gercek', 'Gerçek Hesap', 'agent', 'Çözüm Merkezi');
    const guesser = '198.51.100.9';
    const answers = async (username: string) => {
      const texts: string[] = [];
      for (let i = 0; i < 6; i++) {
        const reply = await ConsoleClient.for(cozum, guesser).login(username, `yanlis-${i}-sifre`);
        texts.push(`${reply.status} ${reply.headers.has('retry-after')} ${reply.text.replace(/value="[^"]*"/g, '')}`);
      }
      return texts;
    };
    const real = await answers('gercek');
    expect(real.map((t) => t.slice(0, 3))).toEqual(['401', '401', '401', '401', '429', '429']);
    expect(await answers('hayalet')).toEqual(real);

    // Four failures each, then the process restarts: the fifth answers alike for both.
    for (const username of ['gercek-iki', 'hayalet-iki']) for (let i = 0; i < 4; i++) await ConsoleClient.for(cozum, '198.51.100.10').login(username, `yanlis-${i}-sifre`);
    await createAgent(cozum.db, 'gercek-iki', 'Gerçek İki', 'agent', 'Çözüm Merkezi');
    const restarted = new ConsoleAuth(cozum.db);
    const fifth = await Promise.all(['gercek-iki', 'hayalet-iki'].map((username) => restarted.login(username, 'yanlis-5-sifre', '198.51.100.10')));
    expect(fifth).toEqual([
      { ok: false, reason: 'locked', retryAfterMs: 60_000 },
      { ok: false, reason: 'locked', retryAfterMs: 60_000 },
    ]);
  });

  it('keeps no stranger from an agent\'s work: guesses from many addresses block the account only for addresses it has not logged in from', async () => {
    await createAgent(cozum.db, 'hedef', 'Hedef Görevli', 'agent', 'Çözüm Merkezi');
    const desk = '203.0.113.30';
    await ConsoleClient.loggedIn(cozum, 'hedef', PASSWORD, desk);
    // Twenty guesses from five addresses, four each (below what blocks one address).
    for (let a = 1; a <= 5; a++) for (let i = 0; i < 4; i++) await ConsoleClient.for(cozum, `198.51.100.${100 + a}`).login('hedef', `yanlis-${a}-${i}`);
    expect((await ConsoleClient.for(cozum, '198.51.100.120').login('hedef', PASSWORD)).status).toBe(429);
    expect((await ConsoleClient.for(cozum, desk).login('hedef')).status).toBe(303);
    // The admin sees the lock-out and lifts it.
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    const account = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'hedef' } });
    const listed = async () => ((await admin.get('/console/api/agents')).json.agents as { username: string; locked: boolean }[]).find((a) => a.username === 'hedef')!.locked;
    expect(await listed()).toBe(true);
    expect((await admin.post(`/console/api/agents/${account.id}/active`, { active: true })).status).toBe(200);
    expect(await listed()).toBe(false);
    expect((await ConsoleClient.for(cozum, '198.51.100.121').login('hedef')).status).toBe(303);
  });

  it('blocks one address trying many user names, except for accounts that logged in from it', async () => {
    const sprayer = '198.51.100.50';
    // A colleague behind the same address logged in earlier.
    await ConsoleClient.loggedIn(cozum, 'sef', PASSWORD, sprayer);
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => ConsoleClient.for(cozum, sprayer).login(`isim-${batch}-${i}`, 'Yesilova2026!')));
    }
    expect((await ConsoleClient.for(cozum, sprayer).login('ayse')).status).toBe(429);
    expect((await ConsoleClient.for(cozum, '203.0.113.50').login('ayse')).status).toBe(303);
    expect((await ConsoleClient.for(cozum, sprayer).login('sef')).status).toBe(303);
  });

  it('refuses a disabled account and ends its open sessions', async () => {
    await createAgent(cozum.db, 'ayrilan', 'Ayrılan Görevli', 'agent', 'Çözüm Merkezi');
    const client = await ConsoleClient.loggedIn(cozum, 'ayrilan');
    await cozum.db.agent.update({ where: { username: 'ayrilan' }, data: { active: false } });
    expect((await client.get('/console/api/me')).status).toBe(401);
    expect((await ConsoleClient.for(cozum).login('ayrilan')).status).toBe(401);
  });

  it('answers JSON logins in JSON', async () => {
    const reply = await ConsoleClient.for(cozum).request('POST', '/console/login', { body: { username: 'ayse', password: 'yanlis-sifre-9' } });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ error: LOGIN_TEXTS.invalid });
  });
});

describe("changing one's own password", () => {
  it('asks for the current password, refuses a weak or unchanged one, and ends the other sessions', async () => {
    await createAgent(cozum.db, 'sifreci', 'Şifre Değiştiren', 'agent', 'Çözüm Merkezi');
    const here = ConsoleClient.for(cozum);
    const elsewhere = ConsoleClient.for(cozum);
    expect((await here.login('sifreci')).status).toBe(303);
    expect((await elsewhere.login('sifreci')).status).toBe(303);
    const change = (current: string, next: string, options: { csrf?: string | null } = {}) => here.post('/console/api/me/password', { current, next }, options);

    expect((await change(PASSWORD, 'yeni-sifre-2027', { csrf: null })).status).toBe(403);
    expect(await change('yanlis-sifre', 'yeni-sifre-2027')).toMatchObject({ status: 403, json: { error: 'Mevcut şifreniz hatalı.' } });
    expect(await change(PASSWORD, 'kisa')).toMatchObject({ status: 400, json: { error: 'Şifre en az 12 karakter olmalı.' } });
    expect(await change(PASSWORD, 'password1234')).toMatchObject({ status: 400, json: { error: expect.stringContaining('Bu şifre kolay tahmin edilir') } });
    expect(await change(PASSWORD, 'sifreci-2026')).toMatchObject({ status: 400, json: { error: expect.stringContaining('Bu şifre kolay tahmin edilir') } });
    expect(await change(PASSWORD, PASSWORD)).toMatchObject({ status: 400, json: { error: 'Yeni şifreniz mevcut şifrenizden farklı olmalı.' } });
    expect((await here.post('/console/api/me/password', { current: 1, next: ['x'] })).status).toBe(400);
    // Nothing changed so far: both sessions still work and the old password still logs in.
    expect((await elsewhere.get('/console/api/me')).status).toBe(200);

    expect(await change(PASSWORD, 'yeni-sifre-2027')).toMatchObject({ status: 200, json: { ok: true, otherSessionsEnded: 1 } });
    expect((await here.get('/console/api/me')).status).toBe(200);
    expect((await elsewhere.get('/console/api/me')).status).toBe(401);
    expect((await ConsoleClient.for(cozum).login('sifreci')).status).toBe(401);
    expect((await ConsoleClient.for(cozum).login('sifreci', 'yeni-sifre-2027')).status).toBe(303);
  });

  it('locks the account and ends its sessions after five wrong current passwords', async () => {
    await createAgent(cozum.db, 'tahminci', 'Tahmin Eden', 'agent', 'Çözüm Merkezi');
    const client = ConsoleClient.for(cozum);
    await client.login('tahminci');
    for (let i = 0; i < 4; i++) expect((await client.post('/console/api/me/password', { current: `tahmin-${i}`, next: 'yeni-sifre-2027' })).status).toBe(403);
    const fifth = await client.post('/console/api/me/password', { current: 'tahmin-5', next: 'yeni-sifre-2027' });
    expect(fifth).toMatchObject({ status: 429, json: { error: expect.stringContaining('kilitlendi') } });
    expect((await client.get('/console/api/me')).status).toBe(401);
    const again = await ConsoleClient.for(cozum).login('tahminci');
    expect(again.status).toBe(429);
    expect(again.text).toContain('kapatıldı');
  });
});

describe('logout', () => {
  it('needs the CSRF token, deletes the session and clears the cookie', async () => {
    const client = await ConsoleClient.loggedIn(cozum, 'ayse');
    expect((await client.post('/console/logout', {}, { csrf: null })).status).toBe(403);
    expect((await client.get('/console/api/me')).status).toBe(200);

    const reply = await client.request('POST', '/console/logout', { form: { _csrf: client.csrf }, csrf: null });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/console/login');
    expect(reply.headers.getSetCookie().every((c) => c.startsWith('cozum_console=;') && c.includes('Max-Age=0'))).toBe(true);
    expect((await client.get('/console/api/me')).status).toBe(401);
    expect(await cozum.db.agentSession.count({ where: { id: createHash('sha256').update(client.token).digest('hex') } })).toBe(0);
  });
});

describe('CSRF', () => {
  it('refuses every state-changing request without the session\'s token', async () => {
    const ayse = await ConsoleClient.loggedIn(cozum, 'ayse');
    const other = await ConsoleClient.loggedIn(cozum, 'sef');
    const actions: [string, unknown][] = [
      [`/console/api/conversations/${conversationId}/claim`, {}],
      [`/console/api/conversations/${conversationId}/reply`, { text: 'Merhaba' }],
      [`/console/api/conversations/${conversationId}/release`, {}],
      [`/console/api/tickets/${ticketId}/notes`, { text: 'not' }],
      [`/console/api/tickets/${ticketId}/status`, { status: 'in_progress', note: '' }],
      [`/console/api/tickets/${ticketId}/transfer`, { department: 'Zabıta Müdürlüğü' }],
    ];
    for (const [path, body] of actions) {
      for (const csrf of [null, 'yanlis', other.csrf, `${ayse.csrf}x`]) {
        const reply = await ayse.post(path, body, { csrf });
        expect(reply.status, `${path} ${csrf}`).toBe(403);
        expect(reply.json.error).toBe('Güvenlik doğrulaması başarısız oldu. Lütfen sayfayı yenileyip tekrar deneyin.');
      }
    }
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    expect((await admin.post('/console/api/agents', { username: 'csrfsiz', displayName: 'X Y', role: 'admin', password: 'uzun-bir-sifre' }, { csrf: null })).status).toBe(403);
    expect(await cozum.db.agent.count({ where: { username: 'csrfsiz' } })).toBe(0);
    const conversation = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.mode).toBe('waiting');
    expect(await cozum.db.ticketEvent.count({ where: { ticketId, kind: 'note' } })).toBe(0);
  });
});

describe('roles', () => {
  it('keeps agents out of the supervisor page, figures, export and accounts', async () => {
    const ayse = await ConsoleClient.loggedIn(cozum, 'ayse');
    const page = await ayse.get('/console/supervisor', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(403);
    expect(page.text).toContain('Yetkiniz yok');
    for (const path of ['/console/api/stats', '/console/api/export.csv', '/console/api/agents']) expect((await ayse.get(path)).status, path).toBe(403);
    expect((await ayse.post('/console/api/agents', { username: 'yeni', displayName: 'Yeni Kişi', role: 'admin', password: 'uzun-bir-sifre' })).status).toBe(403);

    const sef = await ConsoleClient.loggedIn(cozum, 'sef');
    expect((await sef.get('/console/supervisor', { headers: { Accept: 'text/html' } })).status).toBe(200);
    expect((await sef.get('/console/api/stats')).status).toBe(200);
    // Only admins create accounts.
    expect((await sef.post('/console/api/agents', { username: 'yeni', displayName: 'Yeni Kişi', role: 'admin', password: 'uzun-bir-sifre' })).status).toBe(403);
  });

  it('serves console pages with a strict Content-Security-Policy and no caching', async () => {
    const ayse = await ConsoleClient.loggedIn(cozum, 'ayse');
    for (const path of ['/console', `/console/conversations/${conversationId}`]) {
      const reply = await ayse.get(path, { headers: { Accept: 'text/html' } });
      expect(reply.status, path).toBe(200);
      const csp = reply.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
    }
  });
});

describe('another app with the console mounted: requireAgent on its routers, the live stream', () => {
  let server: Server;
  let base: string;
  let bare: Server;
  let bareBase: string;

  beforeAll(async () => {
    const admin = express.Router();
    admin.use('/admin', requireAgent('admin'));
    admin.get('/admin/whatsapp', (_request, response) => void response.type('html').send('<h1>WhatsApp eşleştirme</h1>'));
    admin.post('/admin/whatsapp/logout', express.urlencoded({ extended: false }), (_request, response) => void response.json({ ok: true }));
    const agentConsole = createConsole({ db: cozum.db, handoff: cozum.handoff, events: cozum.events, config: cozum.config, logger: cozum.logger, heartbeatMs: 50 });
    const app = createHttpApp([admin, agentConsole.router], cozum.logger);
    installConsoleAuth(app, agentConsole.auth);
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The same router where nobody installed the console's auth: it must stay shut.
    bare = await listen(createHttpApp([admin], cozum.logger), 0, '127.0.0.1');
    bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of [server, bare]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('redirects to the login page, refuses lesser roles, lets admins in, and checks CSRF', async () => {
    const anonymous = new ConsoleClient(base);
    const redirect = await anonymous.get('/admin/whatsapp', { headers: { Accept: 'text/html' } });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/console/login?next=%2Fadmin%2Fwhatsapp');
    expect((await anonymous.get('/admin/whatsapp', { headers: { Accept: 'application/json' } })).status).toBe(401);

    const agent = new ConsoleClient(base);
    await agent.login('ayse');
    expect((await agent.get('/admin/whatsapp', { headers: { Accept: 'text/html' } })).status).toBe(403);

    const admin = new ConsoleClient(base);
    await admin.login('yonetici');
    const page = await admin.get('/admin/whatsapp', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('WhatsApp eşleştirme');
    expect((await admin.post('/admin/whatsapp/logout', {}, { csrf: null })).status).toBe(403);
    expect((await admin.request('POST', '/admin/whatsapp/logout', { form: { _csrf: admin.csrf }, csrf: null })).json).toEqual({ ok: true });

    // Logged in with a temporary password from another admin: the console asks for one's own first.
    await createAgent(cozum.db, 'ikinci-yonetici', 'İkinci Yönetici', 'admin', null);
    const second = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'ikinci-yonetici' } });
    const temporary = String((await admin.post(`/console/api/agents/${second.id}/password`)).json.password);
    const withTemporary = new ConsoleClient(base);
    expect((await withTemporary.login('ikinci-yonetici', temporary)).status).toBe(303);
    const sent = await withTemporary.get('/admin/whatsapp', { headers: { Accept: 'text/html' } });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/console');
    expect(await withTemporary.get('/admin/whatsapp', { headers: { Accept: 'application/json' } })).toMatchObject({ status: 403, json: { mustChangePassword: true } });
    expect((await withTemporary.post('/console/api/me/password', { current: temporary, next: 'ikinci-yonetici-2027' })).status).toBe(200);
    expect((await withTemporary.get('/admin/whatsapp', { headers: { Accept: 'text/html' } })).status).toBe(200);

    const elsewhere = new ConsoleClient(bareBase);
    elsewhere.token = admin.token;
    expect((await elsewhere.get('/admin/whatsapp', { headers: { Accept: 'application/json' } })).status).toBe(401);
  });

  it('keeps the live stream open with heartbeats and ends it when the session ends', async () => {
    const client = new ConsoleClient(base);
    await client.login('ayse');
    const received: string[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      const request = http.get(`${base}/console/api/events`, { headers: { Cookie: `cozum_console=${client.token}` } }, (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => received.push(chunk));
        response.on('end', resolve);
      });
      request.on('error', reject);
    });
    await expect.poll(() => received.join('').split(': ping').length - 1, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect((await client.post('/console/logout')).json).toEqual({ ok: true });
    await ended;
    expect(received.join('')).toContain('event: logout\ndata: {}');
  });
});
