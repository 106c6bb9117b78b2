// What citizens sent, in the agent console (issue 16): media addresses answer only a logged-in
// agent allowed to open the conversation (401 without a session, 403 for another department,
// 404 for an unknown id); in a real browser the photo's thumbnail renders and opens full size,
// the voice note has a player with its source, and the pin shows its coordinates and an
// openstreetmap.org link (tests have no internet: the map's fallback).
import path from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { browserAvailability, CHROMIUM, launchBrowser, logInToConsole } from '../support/browser.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { jpegWithExif, oggOpus, pdf, png, settledMedia } from '../support/media-files.ts';
import { ConsoleClient, createAgent, PASSWORD } from '../console/support.ts';

const { available, inCi } = browserAvailability('console media browser test');

describe('media in the agent console', () => {
  const temp = tempDir('cozum-media-console-');
  let cozum: Cozum;
  let conversationId: string;
  let ids: { photo: string; voice: string; pdf: string };
  /** The channel gives the `late-` files only once it is back. */
  let channelDown = true;
  /** A conversation whose second photo failed for good and was not retried: the browser's. */
  let lateConversation: { id: string; mediaId: string };

  beforeAll(async () => {
    cozum = await startTestCozum(temp.dir, { http: true, overrides: { 'media.downloadAttempts': 2, 'media.retryBaseSeconds': 0.05 } });
    await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
    await createAgent(cozum.db, 'fen', 'Fen Görevlisi', 'agent', 'Fen İşleri Müdürlüğü');
    await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    const files: Record<string, Buffer> = { photo: await jpegWithExif(640, 480), voice: oggOpus(), pdf: pdf(), 'late-1': await png(120, 90), 'late-2': await png(100, 80), 'late-gps': await jpegWithExif(200, 150) };
    cozum.adapter.mediaFetchers.register('test', {
      fetch: async (media) => {
        if (media.fileId!.startsWith('late-') && channelDown) throw new Error('channel unreachable');
        return files[media.fileId!]!;
      },
    });
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('temsilci')).toMatch(/Talep numaranız/);
    await citizen.say('', { media: [{ kind: 'image', fileId: 'photo' }] });
    await citizen.say('', { media: [{ kind: 'audio', fileId: 'voice' }] });
    await citizen.say('', { media: [{ kind: 'document', fileId: 'pdf' }] });
    await citizen.say('', { location: { latitude: 38.4622, longitude: 27.2197 } });
    conversationId = (await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } })).id;
    const rows = await settledMedia(cozum, { conversationId }, 3);
    ids = { photo: rows[0]!.id, voice: rows[1]!.id, pdf: rows[2]!.id };
  });
  afterAll(async () => {
    await cozum?.close();
    temp.remove();
  });

  it('serves a media address only to a logged-in agent who may open the conversation', async () => {
    const anonymous = await fetch(`${cozum.url}/console/api/media/${ids.photo}`, { headers: { Accept: 'image/*' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).not.toMatch(/^image/);

    const fen = await ConsoleClient.loggedIn(cozum, 'fen');
    expect((await fen.get(`/console/api/media/${ids.photo}`)).status).toBe(403);
    expect((await fen.get(`/console/api/conversations/${conversationId}`)).status).toBe(404);

    const ayse = await ConsoleClient.loggedIn(cozum, 'ayse');
    const photo = await fetch(`${cozum.url}/console/api/media/${ids.photo}`, { headers: { Cookie: `cozum_console=${ayse.token}` } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await photo.arrayBuffer());
    const metadata = await sharp(bytes).metadata();
    expect([metadata.width, metadata.height, metadata.exif]).toEqual([640, 480, undefined]);
    const thumb = Buffer.from(await (await fetch(`${cozum.url}/console/api/media/${ids.photo}?thumb=1`, { headers: { Cookie: `cozum_console=${ayse.token}` } })).arrayBuffer());
    expect(await sharp(thumb).metadata()).toMatchObject({ width: 240, height: 180 });
    const document = await fetch(`${cozum.url}/console/api/media/${ids.pdf}`, { headers: { Cookie: `cozum_console=${ayse.token}` } });
    expect(document.headers.get('content-disposition')).toMatch(/^attachment; filename="cozum-.+\.pdf"$/);
    expect(Buffer.from(await document.arrayBuffer()).equals(pdf())).toBe(true);
    // An address nobody was given.
    expect((await ayse.get('/console/api/media/AAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);

    const view = (await ayse.get(`/console/api/conversations/${conversationId}`)).json as { messages: { media: { id: string; url: string | null; status: string }[] }[]; ticket: { media: { id: string }[] } };
    expect(view.messages.flatMap((m) => m.media).map((m) => [m.id, m.status, m.url])).toEqual([
      [ids.photo, 'stored', `/console/api/media/${ids.photo}`],
      [ids.voice, 'stored', `/console/api/media/${ids.voice}`],
      [ids.pdf, 'stored', `/console/api/media/${ids.pdf}`],
    ]);
    expect(view.ticket.media.map((m) => m.id)).toEqual([ids.photo, ids.voice, ids.pdf]);
  });

  it('lists the files as links in the CSV export, and a form’s pin as a map link', async () => {
    // A complaint with a pin, from another citizen: its row links the map.
    const other = new Citizen(cozum);
    await other.say('sokak lambası yanmıyor');
    await other.say('kazımdirik');
    await other.say('', { location: { latitude: 38.4622, longitude: 27.2197 } });
    for (const text of ['Lamba iki gündür yanmıyor.', 'geç', 'Evet, onaylıyorum', 'Mehmet Öz', '0532 555 44 33']) await other.say(text);
    expect(await other.sayAll('evet')).toMatch(/Başvuru numaranız/);

    const sef = await ConsoleClient.loggedIn(cozum, 'sef');
    const csv = await sef.get('/console/api/export.csv?days=0');
    const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]!.split(';').slice(-2)).toEqual(['Konum', 'Dosyalar']);
    const handoff = await cozum.db.ticket.findFirstOrThrow({ where: { conversationId } });
    const complaint = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: other.userId } } });
    const cells = (number: string) => lines.find((line) => line.startsWith(`${number};`))!.split(';');
    expect(cells(handoff.number).slice(-2)).toEqual(['', [ids.photo, ids.voice, ids.pdf].map((id) => `/console/api/media/${id}`).join(' ')]);
    expect(cells(complaint.number).slice(-2)).toEqual(['https://www.openstreetmap.org/?mlat=38.462200&mlon=27.219700#map=18/38.462200/27.219700', '']);
  });

  it('puts a pin sent where the neighbourhood was asked on the ticket: console, CSV and Open311 show it', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('sokak lambası yanmıyor');
    expect(await citizen.sayAll('', { location: { latitude: 38.4613, longitude: 27.2233 } })).toContain('Konumunuza göre mahalleniz “Erzene Mahallesi” olabilir.');
    // The address is written: the pin is nowhere in the answers, only on the ticket.
    for (const text of ['Evet', 'Ankara Caddesi 40 önü', 'Lamba iki gündür yanmıyor.', 'geç', 'Evet, onaylıyorum', 'Zeynep Yılmaz', '0532 555 44 21']) await citizen.say(text);
    expect(await citizen.sayAll('evet')).toMatch(/Başvuru numaranız/);
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    expect([ticket.neighbourhood, ticket.latitude, ticket.longitude]).toEqual(['Erzene Mahallesi', 38.4613, 27.2233]);
    expect(JSON.stringify(JSON.parse(ticket.data))).not.toContain('38.4613');

    const sef = await ConsoleClient.loggedIn(cozum, 'sef');
    const view = (await sef.get(`/console/api/conversations/${ticket.conversationId}`)).json as { ticket: { locations: unknown[] } };
    expect(view.ticket.locations).toEqual([{ latitude: 38.4613, longitude: 27.2233 }]);
    const csv = await sef.get('/console/api/export.csv?days=0');
    const row = csv.text.split('\r\n').find((line) => line.startsWith(`${ticket.number};`))!.split(';');
    expect(row.at(-2)).toBe('https://www.openstreetmap.org/?mlat=38.461300&mlon=27.223300#map=18/38.461300/27.223300');
    const open311 = (await (await fetch(`${cozum.url}/open311/v2/requests/${ticket.number}.json`)).json()) as Record<string, unknown>[];
    expect(open311[0]).toMatchObject({ service_request_id: ticket.number, address: 'Ankara Caddesi 40 önü', lat: 38.4613, long: 27.2233 });
  });

  it('puts a download that failed for good back in line for an agent who may see the conversation, with the CSRF token', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('temsilci')).toMatch(/Talep numaranız/);
    await citizen.say('', { media: [{ kind: 'image', fileId: 'late-1' }] });
    await citizen.say('', { media: [{ kind: 'image', fileId: 'late-2' }] });
    const conversation = (await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } })).id;
    const [first, second] = await settledMedia(cozum, { conversationId: conversation }, 2);
    expect([first!.status, second!.status]).toEqual(['failed', 'failed']);
    lateConversation = { id: conversation, mediaId: second!.id };

    const retry = `/console/api/media/${first!.id}/retry`;
    expect((await fetch(`${cozum.url}${retry}`, { method: 'POST' })).status).toBe(401);
    const fen = await ConsoleClient.loggedIn(cozum, 'fen');
    expect(await fen.post(retry)).toMatchObject({ status: 403, json: { error: 'Bu dosyayı açma yetkiniz yok.' } });
    const ayse = await ConsoleClient.loggedIn(cozum, 'ayse');
    expect((await ayse.post(retry, {}, { csrf: null })).status).toBe(403);
    expect((await ayse.post('/console/api/media/AAAAAAAAAAAAAAAAAAAAAAAA/retry')).status).toBe(404);
    expect((await cozum.db.media.findUniqueOrThrow({ where: { id: first!.id } })).status).toBe('failed');

    channelDown = false;
    expect(await ayse.post(retry)).toMatchObject({ status: 200, json: { ok: true } });
    const [again] = await settledMedia(cozum, { id: first!.id }, 1);
    expect(again!.status).toBe('stored');
    expect((await ayse.get(`/console/api/media/${first!.id}`)).status).toBe(200);
    // Stored now: nothing to try again.
    expect(await ayse.post(retry)).toMatchObject({ status: 409, json: { error: expect.stringContaining('yeniden deneme gerekmiyor') } });
    expect((await cozum.db.media.findUniqueOrThrow({ where: { id: second!.id } })).status).toBe('failed');
  });

  it('a photo with GPS that arrives after its form was sent gives the ticket its location', async () => {
    channelDown = true;
    const citizen = new Citizen(cozum);
    for (const text of ['kaldırım taşları kırık', 'kazımdirik', 'Gül sokak no 4', 'Kaldırımın taşları sökülmüş, yaşlılar düşüyor.']) await citizen.say(text);
    expect(await citizen.sayAll('', { media: [{ kind: 'image', fileId: 'late-gps' }] })).toMatch(/KVKK/);
    for (const text of ['Evet, onaylıyorum', 'Hasan Tekin', '0532 555 44 36']) await citizen.say(text);
    expect(await citizen.sayAll('evet')).toMatch(/Başvuru numaranız/);
    const filed = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const [photo] = await settledMedia(cozum, { conversationId: filed.conversationId! }, 1);
    expect([photo!.status, filed.latitude]).toEqual(['failed', null]);

    channelDown = false;
    const sef = await ConsoleClient.loggedIn(cozum, 'sef');
    expect((await sef.post(`/console/api/media/${photo!.id}/retry`)).status).toBe(200);
    await settledMedia(cozum, { id: photo!.id }, 1);
    const located = await cozum.db.ticket.findUniqueOrThrow({ where: { id: filed.id } });
    expect([located.latitude, located.longitude].map((degrees) => degrees?.toFixed(6))).toEqual(['38.416667', '27.133333']);
  });

  describe.skipIf(!available && !inCi)('in a browser', () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing`);
      ({ context, page } = await launchBrowser(path.join(temp.dir, 'profile')));
    });
    afterAll(async () => {
      await context?.close();
    });

    it('shows the thumbnail, the full photo, the voice note player and the pin’s coordinates with a link', { timeout: 120_000 }, async () => {
      const errors: string[] = [];
      page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
      await logInToConsole(page, cozum.url!, 'ayse', PASSWORD);
      await page.goto(`${cozum.url}/console/conversations/${conversationId}`);
      const thumbnail = page.locator(`.msg [data-media="${ids.photo}"] .thumb img`);
      await thumbnail.waitFor();
      await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLImageElement | null)?.complete === true, `.msg [data-media="${ids.photo}"] .thumb img`);
      expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);

      const audio = page.locator(`.msg [data-media="${ids.voice}"] audio`);
      expect(await audio.getAttribute('src')).toBe(`/console/api/media/${ids.voice}`);
      expect(await audio.evaluate((node: HTMLAudioElement) => node.currentSrc)).toBe(`${cozum.url}/console/api/media/${ids.voice}`);
      expect(await page.locator(`.msg [data-media="${ids.pdf}"] a`).getAttribute('href')).toBe(`/console/api/media/${ids.pdf}`);

      const pin = page.locator('.msg .attachment--location').first();
      await expect(pin.locator('.map-fallback').innerText()).resolves.toContain('Enlem 38.462200, boylam 27.219700');
      expect(await pin.locator('.map-fallback a').getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=38.462200&mlon=27.219700#map=18/38.462200/27.219700');
      expect(await pin.locator('.map').count()).toBe(0);

      // The full photo, by keyboard: focus the thumbnail, Enter opens it, Escape closes it.
      await page.locator(`.msg [data-media="${ids.photo}"] .thumb`).focus();
      await page.keyboard.press('Enter');
      const full = page.locator('#media-viewer img');
      await full.waitFor();
      await page.waitForFunction(() => (document.querySelector('#media-viewer img') as HTMLImageElement | null)?.complete === true);
      expect(await full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
      await page.keyboard.press('Escape');
      await page.locator('#media-viewer').waitFor({ state: 'hidden' });

      // The ticket lists them too.
      await page.locator(`#ticket-media [data-media="${ids.photo}"] .thumb img`).waitFor();
      expect(errors).toEqual([]);
    });

    it('offers “Yeniden dene” next to a photo that could not be downloaded, and shows it once it arrives', { timeout: 120_000 }, async () => {
      await page.goto(`${cozum.url}/console/conversations/${lateConversation.id}`);
      const item = page.locator(`.msg [data-media="${lateConversation.mediaId}"]`);
      await expect(item.innerText()).resolves.toContain('Fotoğraf alınamadı');
      await item.getByRole('button', { name: 'Fotoğraf için indirmeyi yeniden dene' }).click();
      await item.locator('.thumb img').waitFor();
      expect(await cozum.db.media.findUniqueOrThrow({ where: { id: lateConversation.mediaId } })).toMatchObject({ status: 'stored' });
    });
  });
});
