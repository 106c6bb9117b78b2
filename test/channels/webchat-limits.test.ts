// Limits on the public endpoints, over real HTTP, with the client's address as a proxy on loopback
// reports it (X-Forwarded-For): new web chat sessions, messages and reads per address, messages per
// session, the console login and the webhooks; each answered 429 with Retry-After and a Turkish
// sentence, which the chat page shows (in Chromium, where installed).
import { browserAvailability, useHeadlessBrowser } from '../support/browser.ts';
import { describe, expect, it } from 'vitest';
import { useTestCozum } from '../support/cozum.ts';

const LIMITS = { chatSessions: 10, chatMessages: 60, chatMessagesPerSession: 5, chatReads: 20, login: 3, webhooks: 3 };

const cozum = useTestCozum({ http: true, overrides: { 'limits.http': LIMITS } });

const from = (address: string, headers: Record<string, string> = {}) => ({ 'X-Forwarded-For': address, ...headers });

async function newSession(address: string): Promise<Response> {
  return fetch(`${cozum.url}/api/chat/session`, { method: 'POST', headers: from(address) });
}

function send(address: string, token: string, text: string): Promise<Response> {
  return fetch(`${cozum.url}/api/chat/messages`, { method: 'POST', headers: from(address, { 'Content-Type': 'application/json', 'X-Chat-Session': token }), body: JSON.stringify({ text }) });
}

async function refused(response: Response, text: string | RegExp): Promise<void> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await response.json()) as { error: string }).error).toMatch(text);
}

describe('web chat limits per address and per session', () => {
  it('stores a handful of 500 anonymous 19,000-character messages from one address, not 500', async () => {
    const flooder = '198.51.100.77';
    const long = 'x'.repeat(19_000);
    const before = await cozum.db.message.count({ where: { direction: 'in' } });
    const results = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const session = await newSession(flooder);
        if (session.status !== 200) return { session: session.status, message: 0, retryAfter: session.headers.get('retry-after'), error: ((await session.json()) as { error: string }).error };
        const { token } = (await session.json()) as { token: string };
        const message = await send(flooder, token, long);
        await message.arrayBuffer();
        return { session: 200, message: message.status, retryAfter: message.headers.get('retry-after'), error: '' };
      }),
    );
    // Ten new sessions a minute from one address; the rest refused, with a wait and a reason.
    expect(results.filter((r) => r.session === 200)).toHaveLength(10);
    const noSession = results.filter((r) => r.session === 429);
    expect(noSession).toHaveLength(490);
    expect(noSession[0]!.error).toMatch(/^Bu bağlantıdan kısa sürede çok sayıda yeni sohbet açıldı\. Lütfen (\d+ saniye|1 dakika) sonra tekrar deneyin\.$/);
    expect(noSession.every((r) => Number(r.retryAfter) > 0)).toBe(true);
    // A long message counts once per 1000 characters: 60 a minute is three of these.
    expect(results.filter((r) => r.message === 200)).toHaveLength(3);
    expect(results.filter((r) => r.message === 429)).toHaveLength(7);
    expect((await cozum.db.message.count({ where: { direction: 'in' } })) - before).toBe(3);

    // Another address is not held back.
    const other = await newSession('203.0.113.77');
    expect(other.status).toBe(200);
    const { token } = (await other.json()) as { token: string };
    expect((await send('203.0.113.77', token, 'merhaba')).status).toBe(200);
  });

  it('limits the messages of one session, from whatever address they come', async () => {
    const { token } = (await (await newSession('203.0.113.78')).json()) as { token: string };
    for (let i = 1; i <= 5; i++) expect((await send(`203.0.113.${100 + i}`, token, `mesaj ${i}`)).status).toBe(200);
    await refused(await send('203.0.113.120', token, 'mesaj 6'), /^Çok hızlı mesaj gönderiyorsunuz\. Lütfen (\d+ saniye|1 dakika) bekleyin\.$/);
  });

  it('limits how often one address reads a conversation', async () => {
    const { token } = (await (await newSession('203.0.113.79')).json()) as { token: string };
    const read = () => fetch(`${cozum.url}/api/chat/messages`, { headers: from('203.0.113.79', { 'X-Chat-Session': token }) });
    for (let i = 0; i < 20; i++) expect((await read()).status).toBe(200);
    await refused(await read(), /^Kısa sürede çok sayıda istek geldi\. Lütfen/);
  });
});

describe('the other public endpoints', () => {
  it('answers a flood of login posts from one address with 429 before any password is checked', async () => {
    const post = (address: string, json: boolean) =>
      fetch(`${cozum.url}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: from(address, json ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' }),
        body: json ? JSON.stringify({ username: 'kimse', password: 'yanlis-sifre-1' }) : 'username=kimse&password=yanlis-sifre-1',
      });
    for (let i = 0; i < 3; i++) expect((await post('198.51.100.78', true)).status).toBe(401);
    await refused(await post('198.51.100.78', true), /^Kısa sürede çok sayıda istek geldi\./);
    const page = await post('198.51.100.78', false);
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Kısa sürede çok sayıda istek geldi.');
    expect((await post('203.0.113.80', true)).status).toBe(401);
  });

  it('answers a flood on each webhook from one address with 429', async () => {
    const calls: [string, string][] = [
      ['GET', '/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1'],
      ['POST', '/whatsapp/webhook'],
      ['POST', '/telegram/0123456789abcdef0123456789abcdef'],
      ['POST', '/api/messages'],
    ];
    for (const [method, path] of calls) {
      const call = () => fetch(`${cozum.url}${path}`, { method, headers: from('198.51.100.79', { 'Content-Type': 'application/json' }), body: method === 'POST' ? '{}' : undefined });
      for (let i = 0; i < 3; i++) expect((await call()).status, path).not.toBe(429);
      // Platforms read it, and the operators in their logs: English.
      await refused(await call(), /^Too many requests: try again in \d+ seconds\.$/);
    }
  });
});

const { available, inCi } = browserAvailability('web chat limits browser test');

describe.skipIf(!available && !inCi)('what the citizen sees when a limit is reached, in Chromium', () => {
  const browser = useHeadlessBrowser();

  it('says in Turkish how long to wait, for messages and for a new chat', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '203.0.113.90' }, locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    await page.locator('.msg--bot').first().waitFor();
    for (let i = 1; i <= 6; i++) {
      await page.locator('#input').fill(`soru ${i}`);
      await page.locator('#input').press('Enter');
      await page.locator('#send:not([disabled])').waitFor();
    }
    await page.locator('.notice', { hasText: /^Çok hızlı mesaj gönderiyorsunuz\. Lütfen (\d+ saniye|1 dakika) bekleyin\. Mesajınızı tekrar gönderebilirsiniz\.$/ }).waitFor();
    await context.close();

    // From the address that opened ten chats this minute, a new visitor is told to wait.
    const crowded = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '198.51.100.77' }, locale: 'tr-TR' });
    const visitor = await crowded.newPage();
    await visitor.goto(`${cozum.url}/`);
    await visitor.locator('.notice', { hasText: /^Bu bağlantıdan kısa sürede çok sayıda yeni sohbet açıldı\. Lütfen (\d+ saniye|1 dakika) sonra tekrar deneyin\.$/ }).waitFor();
    await crowded.close();
    // A visitor whose browser reads English is told in English (the server knows no conversation yet).
    const english = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '198.51.100.77' }, locale: 'en-US' });
    const tourist = await english.newPage();
    await tourist.goto(`${cozum.url}/`);
    await tourist.locator('.notice', { hasText: /^Many new chats were opened from this connection in a short time\. Please try again in (\d+ seconds|1 minutes)\.$/ }).waitFor();
    await english.close();
  }, 60_000);
});
