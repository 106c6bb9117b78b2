// The web chat over real HTTP: the page, the session, sending, history after a reload.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestCozum } from '../support/cozum.ts';

const cozum = useTestCozum({ http: true });

async function newSession(): Promise<string> {
  const response = await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function send(token: string, body: unknown) {
  return fetch(`${cozum.url}/api/chat/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('web chat', () => {
  it('serves the chat page with the municipality name, its script and styles', async () => {
    const page = await fetch(`${cozum.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Yeşilova Belediyesi');
    expect(html).toContain('/webchat/chat.js');
    expect((await fetch(`${cozum.url}/webchat/chat.js`)).status).toBe(200);
    expect((await fetch(`${cozum.url}/webchat/chat.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('answers a message over HTTP and keeps the conversation for the next page load', async () => {
    const token = await newSession();
    const response = await send(token, { text: 'Merhaba', id: 'w-1' });
    expect(response.status).toBe(200);
    const { replies } = (await response.json()) as { replies: { text: string; choices: string[] }[] };
    expect(replies[0]!.text).toContain('Yeşilova Belediyesi');
    expect(replies[0]!.choices).toContain('Yakın Kart');

    const faq = (await (await send(token, { text: '1', id: 'w-2' })).json()) as { replies: { text: string }[] };
    expect(faq.replies[0]!.text).toContain('Yakın Kart');

    const history = (await (await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': token } })).json()) as { messages: { id: string; from: string; text: string }[] };
    expect(history.messages.map((m) => m.from)).toEqual(['citizen', 'bot', 'citizen', 'bot']);
    expect(history.messages[0]!.text).toBe('Merhaba');

    const after = (await (await fetch(`${cozum.url}/api/chat/messages?after=${history.messages[1]!.id}`, { headers: { 'X-Chat-Session': token } })).json()) as { messages: { text: string }[] };
    expect(after.messages.map((m) => m.text)).toEqual(['1', faq.replies[0]!.text]);
  });

  it('shows a conversation only to the browser that holds its token', async () => {
    const owner = await newSession();
    await send(owner, { text: 'su kesintisi ne zaman biter' });
    const stranger = await newSession();
    const theirs = (await (await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': stranger } })).json()) as { messages: unknown[] };
    expect(theirs.messages).toEqual([]);
    expect((await fetch(`${cozum.url}/api/chat/messages`)).status).toBe(401);
    expect((await send('kisa', { text: 'merhaba' })).status).toBe(401);
  });

  it('opens nothing with a token the server never issued', async () => {
    // Any 43 characters used to be a session: a page could choose one and read along.
    const chosen = 'A'.repeat(43);
    const sent = await send(chosen, { text: 'TC kimlik numaram 10000000146', id: 'f-1' });
    expect(sent.status).toBe(401);
    expect(((await sent.json()) as { error: string }).error).toBe('Oturum bulunamadı. Lütfen sayfayı yenileyin.');
    const read = await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': chosen } });
    expect(read.status).toBe(401);
    expect(await cozum.db.contact.count({ where: { channel: 'webchat', platformUserId: createHash('sha256').update(chosen).digest('hex').slice(0, 32) } })).toBe(0);
    // The server keeps only the hash of the tokens it issued.
    const token = await newSession();
    const stored = await cozum.db.webchatSession.findMany();
    expect(stored.map((row) => row.id)).toContain(createHash('sha256').update(token).digest('hex').slice(0, 32));
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('refuses malformed and oversized bodies with a 4xx and a Turkish message, and keeps serving', async () => {
    const token = await newSession();
    const broken = await send(token, '{"text": ');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toBe('Mesajınız okunamadı. Lütfen tekrar deneyin.');
    const wrongType = await send(token, { text: 42 });
    expect(wrongType.status).toBe(400);
    const huge = await send(token, { text: 'a'.repeat(300_000) });
    expect(huge.status).toBe(413);
    const tooLong = await send(token, { text: 'a'.repeat(25_000) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toContain('20000 karakter');
    expect((await send(token, { text: 'merhaba' })).status).toBe(200);
  });

  it("words its refusals in the citizen's language: the conversation's once known, the browser's before", async () => {
    const english = (token: string, body: string) =>
      fetch(`${cozum.url}/api/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token, 'Accept-Language': 'en-GB,en;q=0.9' }, body });
    const stranger = await english('A'.repeat(43), '{"text": "hello"}');
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as { error: string }).error).toBe('Your session was not found. Please reload the page.');
    const broken = await english(await newSession(), '{"text": ');
    expect(((await broken.json()) as { error: string }).error).toBe('Your message could not be read. Please try again.');

    // An Arabic-speaking citizen whose browser says Turkish: the conversation's language wins.
    const token = await newSession();
    expect((await send(token, { text: 'مرحبا، أريد المساعدة' })).status).toBe(200);
    const tooLong = await send(token, { text: 'a'.repeat(25_000) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toBe('يمكن أن تكون الرسالة 20000 حرفاً على الأكثر.');
    // Machines' and operators' errors elsewhere stay English.
    const missing = await fetch(`${cozum.url}/no-such-path`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('Not found.');
  });
});
