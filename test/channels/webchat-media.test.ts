// The web chat's attach and "share my location" buttons (issue 16), in Chromium: a photo picked
// from the gallery is scaled down in the page (canvas) and uploaded; the bot keeps it; a pin is
// sent as coordinates; a browser that refuses the location gets a plain sentence; both buttons are
// reachable by keyboard. Over HTTP: the upload limit answers 413 with a sentence.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { browserAvailability, useHeadlessBrowser } from '../support/browser.ts';
import { useTestCozum } from '../support/cozum.ts';
import { settledMedia } from '../support/media-files.ts';

const cozum = useTestCozum({ http: true, overrides: { 'limits.maxMediaBytes': 2 * 1024 * 1024 } });

describe('web chat uploads over HTTP', () => {
  it('refuses an upload over the limit with a sentence, and one without a session', async () => {
    const { token } = (await (await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
    const big = await fetch(`${cozum.url}/api/chat/uploads?id=big-1`, { method: 'POST', headers: { 'X-Chat-Session': token, 'Content-Type': 'image/jpeg' }, body: new Uint8Array(3 * 1024 * 1024) });
    expect(big.status).toBe(413);
    // The bot's own sentence for a file over the limit (texts.yaml mediaTooLarge), in the citizen's language.
    expect(await big.json()).toEqual({ error: 'Gönderdiğiniz dosya çok büyük; en fazla 2 MB kabul edebiliyorum. Lütfen daha küçük bir dosya gönderin ya da yazarak anlatın.' });
    const anonymous = await fetch(`${cozum.url}/api/chat/uploads`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: new Uint8Array(10) });
    expect(anonymous.status).toBe(401);
  });
});

const { available, inCi } = browserAvailability('web chat media browser test');
describe.skipIf(!available && !inCi)('web chat attach and location in Chromium', () => {
  const browser = useHeadlessBrowser();

  it('scales a photo down and sends it; sends a pin; both by keyboard', async () => {
    const context = await browser.newContext({ locale: 'tr-TR', permissions: ['geolocation'], geolocation: { latitude: 38.4622, longitude: 27.2197 } });
    const page = await context.newPage();
    await page.goto(`${cozum.url}/`);
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    // The attach button, by keyboard: Tab order reaches it, Enter opens the file chooser.
    // Once the page's script is running (it sets the buttons' labels from the page's language).
    await page.waitForFunction(() => document.getElementById('attach')?.getAttribute('aria-label') === 'Fotoğraf ekle' && document.readyState === 'complete');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('#attach').press('Enter')]);
    await chooser.setFiles({ name: 'cukur.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.locator('.msg--bot', { hasText: 'dosyayı aldım' }).waitFor();
    expect(await page.locator('.msg--citizen').allTextContents()).toEqual(['📷 Fotoğraf']);

    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'webchat' }, orderBy: { createdAt: 'desc' } });
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contactId: contact.id } });
    const [row] = await settledMedia(cozum, { conversationId: conversation.id }, 1);
    expect([row!.status, row!.mimeType]).toEqual(['stored', 'image/jpeg']);
    // Scaled down in the page before it was sent: 1600 pixels on the long side.
    const kept = await sharp((await cozum.media.content(row!.id))!.bytes).metadata();
    expect([kept.width, kept.height]).toEqual([1600, 1067]);

    await page.locator('#locate').press('Enter');
    await page.locator('.msg--bot', { hasText: 'Konumunuzu aldım' }).waitFor();
    const pin = await cozum.db.message.findFirstOrThrow({ where: { conversationId: conversation.id, direction: 'in', payload: { contains: 'latitude' } } });
    expect(JSON.parse(pin.payload).location).toEqual({ latitude: 38.4622, longitude: 27.2197 });
    // A reload shows both as the page showed them.
    await page.reload();
    await page.locator('.msg--citizen', { hasText: '📍 Konum' }).waitFor();
    expect(await page.locator('.msg--citizen').allTextContents()).toEqual(['📷 Fotoğraf', '📍 Konum']);
    await context.close();
  }, 90_000);

  it('says plainly when the citizen refuses the location', async () => {
    const context = await browser.newContext({ locale: 'tr-TR' });
    const page = await context.newPage();
    // The citizen presses "Block" in the browser's question (headless Chromium cannot show it).
    await page.addInitScript(() => {
      navigator.geolocation.getCurrentPosition = (_ok, refused) => refused?.({ code: 1, message: 'User denied Geolocation', PERMISSION_DENIED: 1, POSITION_UNAVAILABLE: 2, TIMEOUT: 3 } as GeolocationPositionError);
    });
    await page.goto(`${cozum.url}/`);
    await page.locator('#locate').click();
    await page.locator('.notice', { hasText: 'Konumunuza erişilemedi. Adresi yazarak bildirebilirsiniz.' }).waitFor();
    expect(await page.locator('.msg--citizen').count()).toBe(0);
    await context.close();
  }, 60_000);
});
