// The chat page as it arrives: the greeting is part of the page (readable before, or without, any
// script), the browser finds an icon, and the greeting's button works as soon as it is seen.
import { describe, expect, it } from 'vitest';
import { useTestCozum } from '../support/cozum.ts';
import { browserAvailability, useHeadlessBrowser } from '../support/browser.ts';

const cozum = useTestCozum({ http: true });
const GREETING = 'Merhaba! Burası Yeşilova Belediyesi dijital asistanı. Sorunuzu yazabilir ya da konu listesi için menü yazabilirsiniz.';

describe('the web chat page over HTTP', () => {
  it('has an icon where browsers look for one', async () => {
    const html = await (await fetch(`${cozum.url}/`)).text();
    expect(html).toContain('<link rel="icon" href="/webchat/favicon.svg" type="image/svg+xml">');
    for (const path of ['/webchat/favicon.svg', '/favicon.ico']) {
      const icon = await fetch(`${cozum.url}${path}`);
      expect(icon.status, path).toBe(200);
      expect(icon.headers.get('content-type'), path).toMatch(/^image\/svg\+xml/);
      expect(await icon.text(), path).toContain('<svg');
    }
  });
});

const { available } = browserAvailability('web chat page browser tests');
describe.skipIf(!available)('the web chat page in Chromium', () => {
  const browser = useHeadlessBrowser();

  it('shows the greeting, with *menü* in bold and its button, without running any script', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    const greeting = page.locator('.msg--bot');
    expect(await greeting.count()).toBe(1);
    expect((await greeting.textContent())!.replace('1. Menü', '')).toBe(GREETING);
    expect(await greeting.locator('strong').allTextContents()).toEqual(['menü']);
    expect(await greeting.getByRole('button').allTextContents()).toEqual(['1. Menü']);
    await context.close();
  }, 60_000);

  it('loads without a failed request, and the greeting’s button opens the menu at once', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('response', (response) => void (response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`)));
    await page.goto(`${cozum.url}/`);
    // Pressed before the page has a session: the message waits for it instead of failing.
    await page.getByRole('button', { name: '1. Menü' }).click();
    await page.locator('.msg--bot', { hasText: 'Size nasıl yardımcı olabilirim?' }).waitFor();
    expect(await page.locator('.msg--citizen').allTextContents()).toEqual(['Menü']);
    expect(await page.locator('.notice').count()).toBe(0);
    await page.reload();
    await page.locator('.msg--citizen').first().waitFor();
    // The greeting stays the first bubble; the conversation follows it.
    expect(await page.locator('.msg').first().getAttribute('data-greeting')).toBe('');
    expect(failed).toEqual([]);
    await context.close();
  }, 60_000);

  it('renders an Arabic conversation right to left, and a Turkish bubble beside it left to right', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    await page.locator('#input').fill('مرحبا');
    await page.locator('#input').press('Enter');
    const answer = page.locator('.msg--bot', { hasText: 'أهلاً بكم في المساعد الرقمي' });
    await answer.waitFor();
    const direction = (locator: import('playwright-core').Locator) => locator.evaluate((element) => getComputedStyle(element).direction);
    expect(await direction(answer)).toBe('rtl');
    expect(await direction(page.locator('.msg--citizen', { hasText: 'مرحبا' }))).toBe('rtl');
    expect(await direction(answer.getByRole('button', { name: /ياكين كارت/ }))).toBe('rtl');
    expect(await direction(page.locator('.msg[data-greeting]'))).toBe('ltr');
    await context.close();
  }, 60_000);

  const labelsOf = (page: import('playwright-core').Page) =>
    page.evaluate(() => ({
      lang: document.documentElement.lang,
      dir: getComputedStyle(document.documentElement).direction,
      title: document.getElementById('title')!.textContent,
      subtitle: document.getElementById('subtitle')!.textContent,
      placeholder: document.getElementById('input')!.getAttribute('placeholder'),
      send: document.getElementById('send')!.textContent,
      label: document.getElementById('input-label')!.textContent,
    }));

  it('switches its own labels to the language the citizen writes in, and keeps them after a reload', async () => {
    const context = await browser.newContext({ locale: 'tr-TR' });
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    expect(await labelsOf(page)).toMatchObject({ lang: 'tr', placeholder: 'Mesajınızı yazın…', send: 'Gönder' });
    await page.locator('#input').fill('مرحبا');
    await page.locator('#input').press('Enter');
    await page.locator('.msg--bot', { hasText: 'أهلاً بكم في المساعد الرقمي' }).waitFor();
    await expect.poll(() => labelsOf(page)).toEqual({
      lang: 'ar',
      dir: 'rtl',
      title: 'Yeşilova Belediyesi · المساعد',
      subtitle: 'يجيب على مدار الساعة · اكتب أو اختر من القائمة',
      placeholder: 'اكتب رسالتك…',
      send: 'إرسال',
      label: 'رسالتك',
    });
    await page.reload();
    await expect.poll(async () => (await labelsOf(page)).placeholder).toBe('اكتب رسالتك…');
    // Back to Turkish when the citizen writes Turkish.
    await page.locator('#input').fill('emlak vergisi nasıl ödenir');
    await page.locator('#input').press('Enter');
    await expect.poll(async () => (await labelsOf(page)).send).toBe('Gönder');
    expect(await labelsOf(page)).toMatchObject({ lang: 'tr', dir: 'ltr', placeholder: 'Mesajınızı yazın…' });
    await context.close();
  }, 60_000);

  it('greets a new visitor whose browser speaks English with English labels', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    expect(await labelsOf(page)).toMatchObject({ lang: 'en', dir: 'ltr', placeholder: 'Write your message…', send: 'Send', title: 'Yeşilova Belediyesi · Assistant' });
    expect(await page.title()).toBe('Yeşilova Belediyesi · Assistant');
    await context.close();
  }, 60_000);
});
