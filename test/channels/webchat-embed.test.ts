// The web chat on a municipality's own web site through one script tag: what the server sends
// (script, framing headers) over real HTTP, and, where Chromium is installed, a citizen using it
// on another origin: open by keyboard, talk, reload, close with Escape, full screen on a phone.
import { createHash } from 'node:crypto';
import { browserAvailability, useHeadlessBrowser } from '../support/browser.ts';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestCozum } from '../support/cozum.ts';

const cozum = useTestCozum({ http: true });

/** GET with a Host header of our choosing (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { Host: host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('web chat embed over HTTP', () => {
  it('serves embed.js as JavaScript that opens the assistant’s own page in an iframe', async () => {
    const response = await fetch(`${cozum.url}/webchat/embed.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await response.text();
    expect(script).toContain(JSON.stringify(cozum.url));
    expect(script).toContain("'/?embed=1'");
    expect(script).toContain('"Yeşilova Belediyesi · Asistan"');
    expect(() => new Script(script)).not.toThrow();
  });

  it('writes no client-chosen Host into the script', async () => {
    const script = await getWithHost(`${cozum.url}/webchat/embed.js`, "x');alert(1);//");
    expect(script).not.toContain('alert(1)');
    expect(() => new Script(script)).not.toThrow();
  });

  it('lets any site frame the chat page, and nothing else', async () => {
    for (const path of ['/', '/?embed=1']) {
      const page = await fetch(`${cozum.url}${path}`);
      expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');
      expect(page.headers.get('x-frame-options')).toBeNull();
    }
    const session = await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' });
    expect(session.headers.get('x-frame-options')).toBe('DENY');
    expect(session.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect((await fetch(`${cozum.url}/webchat/chat.js`)).headers.get('x-frame-options')).toBe('DENY');
  });

  it('drops the page header in embed mode (the panel has its own)', async () => {
    const embedded = await (await fetch(`${cozum.url}/?embed=1`)).text();
    expect(embedded).toContain('<body class="embed" data-municipality="Yeşilova Belediyesi">');
    const plain = await (await fetch(`${cozum.url}/`)).text();
    expect(plain).not.toContain('class="embed"');
  });
});

const { available, inCi } = browserAvailability('web chat embed browser test');

describe.skipIf(!available && !inCi)('web chat embedded on another site, in Chromium', () => {
  let site: Server;
  let siteUrl: string;
  const browser = useHeadlessBrowser();
  /** A session the page at /chosen got from the server for itself, and frames the chat with. */
  let chosenToken = '';

  beforeAll(async () => {
    // The municipality's web site: another origin (other port, other host name) with one script tag.
    site = createServer((request, response) => {
      const assistant = cozum.url!.replace('127.0.0.1', 'localhost');
      if (request.url === '/chosen') {
        // A page that frames the chat itself, with a session of its choosing in the URL.
        return void response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><html lang="tr"><head><title>Başka bir site</title></head><body>` +
            `<iframe title="Asistan" src="${assistant}/?embed=1#s=${chosenToken}" style="width:400px;height:600px"></iframe></body></html>`,
        );
      }
      // /en: the municipality's English page.
      const lang = request.url === '/en' ? 'en' : 'tr';
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html lang="${lang}"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Yeşilova Belediyesi</title></head>` +
          `<body><h1>Yeşilova Belediyesi</h1><a href="#">Duyurular</a>` +
          `<script src="${assistant}/webchat/embed.js" defer></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => site?.close(() => resolve()));
  });

  it('opens from the keyboard, answers, keeps the conversation across a reload and closes with Escape', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(siteUrl);
    const launcher = page.getByRole('button', { name: 'Yeşilova Belediyesi · Asistan: sohbeti aç' });
    const panel = page.getByRole('dialog', { name: 'Yeşilova Belediyesi · Asistan' });
    expect(await panel.isHidden()).toBe(true);
    await launcher.focus();
    await page.keyboard.press('Enter');
    await panel.waitFor();

    const chat = page.frameLocator('iframe[title="Yeşilova Belediyesi · Asistan"]');
    await chat.locator('.msg--bot').first().waitFor();
    // Opening put the cursor in the message box: the citizen can type at once.
    await page.keyboard.type('merhaba');
    await page.keyboard.press('Enter');
    // The menu's choices are buttons; the citizen's own message shows once.
    const first = chat.getByRole('button', { name: '1. Yakın Kart' }).last();
    await first.waitFor();
    expect(await chat.locator('.msg--citizen').allTextContents()).toEqual(['merhaba']);
    await first.click();
    await chat.locator('.msg--bot', { hasText: 'ihtiyaç sahibi ailelere verilen yardım kartıdır' }).first().waitFor();

    await page.reload();
    await page.getByRole('button', { name: 'Yeşilova Belediyesi · Asistan: sohbeti aç' }).click();
    await expect.poll(() => chat.locator('.msg--citizen').allTextContents(), { timeout: 15_000 }).toEqual(['merhaba', 'Yakın Kart']);

    await chat.locator('#input').focus();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    // The focus is back on the chat button, which says the chat is closed.
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await launcher.evaluate((button) => (button.getRootNode() as ShadowRoot).activeElement === button)).toBe(true);
    await context.close();
  }, 60_000);

  it('never talks in a session the framing page chose, even one the server issued to that page', async () => {
    chosenToken = ((await (await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string }).token;
    const context = await browser.newContext({ locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(`${siteUrl}chosen`);
    const chat = page.frameLocator('iframe[title="Asistan"]');
    await chat.locator('#input').fill('TC kimlik numaram 10000000146, su faturam yüksek geldi');
    await chat.locator('#input').press('Enter');
    await chat.locator('.msg--bot').nth(1).waitFor();
    // The page that chose the token reads nothing: the citizen talked in a session of their own.
    const read = await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': chosenToken } });
    expect(((await read.json()) as { messages: unknown[] }).messages).toEqual([]);
    const stored = await cozum.db.message.findFirstOrThrow({ where: { text: { contains: 'su faturam' } }, include: { conversation: { include: { contact: true } } } });
    expect(stored.conversation.contact.platformUserId).not.toBe(createHash('sha256').update(chosenToken).digest('hex').slice(0, 32));
    await context.close();
  }, 60_000);

  it('keeps the conversation across a reload where the browser gives the frame no storage, without a token in any URL', async () => {
    const context = await browser.newContext({ locale: 'tr-TR' });
    const assistantOrigin = new URL(cozum.url!.replace('127.0.0.1', 'localhost')).origin;
    // As a browser blocking third-party storage does: localStorage throws inside the chat's frame.
    await context.addInitScript((origin) => {
      if (location.origin === origin && window.top !== window) {
        Object.defineProperty(window, 'localStorage', { get: () => { throw new DOMException('Access is denied for this document.', 'SecurityError'); } });
      }
    }, assistantOrigin);
    const frameUrls: string[] = [];
    const page = await context.newPage();
    page.on('framenavigated', (frame) => frameUrls.push(frame.url()));
    await page.goto(siteUrl);
    await page.getByRole('button', { name: /sohbeti aç/ }).click();
    const chat = page.frameLocator('iframe[title="Yeşilova Belediyesi · Asistan"]');
    await chat.locator('.msg--bot').first().waitFor();
    await chat.locator('#input').fill('merhaba');
    await chat.locator('#input').press('Enter');
    await chat.getByRole('button', { name: '1. Yakın Kart' }).last().waitFor();

    await page.reload();
    await page.getByRole('button', { name: /sohbeti aç/ }).click();
    await expect.poll(() => chat.locator('.msg--citizen').allTextContents(), { timeout: 15_000 }).toEqual(['merhaba']);
    // The session went in no URL and through no storage of the page around the chat: the chat's own cookie kept it.
    expect(frameUrls.filter((url) => url.includes('/?embed=1'))).toEqual([`${assistantOrigin}/?embed=1`, `${assistantOrigin}/?embed=1`]);
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))).toBe('{}');
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'cozum_chat')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'None' });
    await context.close();
  }, 60_000);

  it("titles the panel in the host page's language, then in the citizen's once the chat knows it", async () => {
    // A Turkish browser on the municipality's English page.
    const context = await browser.newContext({ locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(`${siteUrl}en`);
    const launcher = page.getByRole('button', { name: 'Yeşilova Belediyesi · Assistant: open the chat' });
    await launcher.click();
    await page.getByRole('dialog', { name: 'Yeşilova Belediyesi · Assistant' }).waitFor();
    expect(await page.getByRole('button', { name: 'Close the chat' }).count()).toBe(1);
    const chat = page.frameLocator('iframe[title="Yeşilova Belediyesi · Assistant"]');
    await chat.locator('#input').fill('مرحبا، أريد أن أسأل عن بطاقة يقين');
    await chat.locator('#input').press('Enter');
    // The citizen writes Arabic: the chat's labels and the panel around it follow.
    await page.getByRole('dialog', { name: 'Yeşilova Belediyesi · المساعد' }).waitFor();
    expect(await page.getByRole('button', { name: 'إغلاق المحادثة' }).count()).toBe(1);
    expect(await page.locator('iframe[title="Yeşilova Belediyesi · المساعد"]').count()).toBe(1);
    await context.close();
  }, 60_000);

  it('fills a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(siteUrl);
    await page.getByRole('button', { name: /sohbeti aç/ }).tap();
    const panel = page.getByRole('dialog', { name: 'Yeşilova Belediyesi · Asistan' });
    await panel.waitFor();
    expect(await panel.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await page.getByRole('button', { name: 'Sohbeti kapat' }).tap();
    await panel.waitFor({ state: 'hidden' });
    await context.close();
  }, 60_000);
});
