// Photos and voice notes sent on WhatsApp (Cloud API), issue 16: the webhook names a media id; the
// bot looks it up on the Graph API stand-in (GET /<media id>, with the access token), downloads the
// bytes from the URL it answers, and keeps them. A voice note reaches the centre: outside a form
// the citizen is told so; inside one it is the description, or the citizen is asked to type.
import sharp from 'sharp';
import exifr from 'exifr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { GraphStandIn, postWebhook, visible, webhookBody, whatsAppCloudSettings, type GraphCall } from '../support/graph-api.ts';
import { FOUR_FILES_KEPT, jpegWithExif, oggOpus, outcomeOf, pdf, png, settledMedia } from '../support/media-files.ts';

describe('WhatsApp Cloud API media', () => {
  const temp = tempDir();
  const graph = new GraphStandIn();
  let cozum: Cozum;
  beforeAll(async () => {
    await graph.start();
    cozum = await startTestCozum(temp.dir, { http: true, overrides: { ...whatsAppCloudSettings(graph), 'media.retryBaseSeconds': 0.05 } });
  });
  afterAll(async () => {
    await cozum?.close();
    await graph.close();
    temp.remove();
  });

  class Citizen {
    private counter = 0;
    private seen = 0;
    constructor(readonly waId: string) {}
    async says(content: string | Record<string, unknown>, pattern: RegExp): Promise<GraphCall> {
      const message = { from: this.waId, id: `wamid.IN.${this.waId}.${++this.counter}`, timestamp: String(Math.floor(Date.now() / 1000)), ...(typeof content === 'string' ? { type: 'text', text: { body: content } } : content) };
      const response = await postWebhook(`${cozum.url}/whatsapp/webhook`, webhookBody({ contacts: [{ profile: { name: 'Fatma Kaya' }, wa_id: this.waId }], messages: [message] }));
      expect(response.status).toBe(200);
      const { call, index } = await graph.waitFor(() => {
        const sent = graph.sent(this.waId);
        for (let index = this.seen; index < sent.length; index++) if (pattern.test(visible(sent[index]!))) return { call: sent[index]!, index };
        return undefined;
      }, `a reply matching ${pattern}`);
      this.seen = index + 1;
      return call;
    }
  }

  const conversationOf = async (waId: string) => (await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: waId } } })).id;

  it('downloads a photo, a PNG, a voice note and a PDF through the media API, a failing one after retries', async () => {
    const citizen = new Citizen('905321230001');
    graph.addMedia('wa-jpeg', await jpegWithExif(), 'image/jpeg', 2);
    graph.addMedia('wa-png', await png(), 'image/png');
    graph.addMedia('wa-voice', oggOpus(), 'audio/ogg; codecs=opus');
    graph.addMedia('wa-pdf', pdf(), 'application/pdf');
    await citizen.says({ type: 'image', image: { id: 'wa-jpeg', mime_type: 'image/jpeg', sha256: 'x' } }, /dosyayı aldım/);
    await citizen.says({ type: 'document', document: { id: 'wa-png', mime_type: 'image/png', filename: 'a.png' } }, /dosyayı aldım/);
    await citizen.says({ type: 'audio', audio: { id: 'wa-voice', mime_type: 'audio/ogg; codecs=opus', voice: true } }, /^Sesli mesajınız merkezimize ulaştı\.$/);
    await citizen.says({ type: 'document', document: { id: 'wa-pdf', mime_type: 'application/pdf', filename: 'dilekce.pdf' } }, /dosyayı aldım/);
    const rows = await settledMedia(cozum, { conversationId: await conversationOf(citizen.waId) }, 4);
    expect(rows.map(outcomeOf)).toEqual(FOUR_FILES_KEPT);
    // The first download failed twice (500) and was tried again by the outbox's rules.
    expect(rows[0]!.attempts).toBe(2);
    expect(graph.downloads).toEqual(expect.arrayContaining(['wa-jpeg', 'wa-png', 'wa-voice', 'wa-pdf']));
  });

  it('a voice note in a form: asked to type where words are needed, kept as the description where it is the description', async () => {
    const citizen = new Citizen('905321230002');
    graph.addMedia('wa-voice-1', oggOpus(), 'audio/ogg');
    graph.addMedia('wa-voice-2', Buffer.concat([oggOpus(), Buffer.from('ikinci')]), 'audio/ogg');
    graph.addMedia('wa-photo', await png(80, 60), 'image/png');
    await citizen.says('sokak lambası yanmıyor', /hangi mahallede/);
    await citizen.says({ type: 'audio', audio: { id: 'wa-voice-1', mime_type: 'audio/ogg', voice: true } }, /^Sesli mesajınız merkezimize ulaştı; bu soruyu lütfen yazarak yanıtlayın\.$/);
    await citizen.says('kazımdirik', /Sokak, cadde/);
    await citizen.says({ type: 'location', location: { latitude: 38.4622, longitude: 27.2197 } }, /Sorunu kısaca anlatır mısınız/);
    await citizen.says({ type: 'audio', audio: { id: 'wa-voice-2', mime_type: 'audio/ogg', voice: true } }, /fotoğrafını gönderebilirsiniz/);
    await citizen.says({ type: 'image', image: { id: 'wa-photo', mime_type: 'image/png' } }, /KVKK/);
    await citizen.says('Evet, onaylıyorum', /adınızı ve soyadınızı/);
    await citizen.says('Fatma Kaya', /telefon numaranız/);
    const summary = await citizen.says('0532 555 44 34', /özeti/);
    expect(visible(summary)).toContain('Açıklama: Sesli mesaj eklendi');
    await citizen.says('evet', /Başvuru numaranız/);

    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.waId } } });
    const data = JSON.parse(ticket.data) as Record<string, { id?: string; kind?: string }>;
    const rows = await settledMedia(cozum, { conversationId: await conversationOf(citizen.waId) }, 3);
    expect(rows.map((row) => row.status)).toEqual(['stored', 'stored', 'stored']);
    expect(data.description).toMatchObject({ kind: 'audio', id: rows[1]!.id });
    expect(data.photo).toMatchObject({ kind: 'image', id: rows[2]!.id });
  });

  it('a photo’s GPS fills the ticket’s location when no pin was sent, the citizen having consented; the kept photo has no GPS', async () => {
    const fileComplaint = async (citizen: Citizen, photoId: string, address: string | Record<string, unknown>) => {
      await citizen.says('kaldırım taşları kırık', /hangi mahallede/);
      await citizen.says('kazımdirik', /Sokak, cadde/);
      await citizen.says(address, /Sorunu kısaca anlatır mısınız/);
      await citizen.says('Kaldırımın taşları sökülmüş, yaşlılar düşüyor.', /fotoğrafını gönderebilirsiniz/);
      await citizen.says({ type: 'image', image: { id: photoId, mime_type: 'image/jpeg' } }, /KVKK/);
      await citizen.says('Evet, onaylıyorum', /adınızı ve soyadınızı/);
      await citizen.says('Hasan Tekin', /telefon numaranız/);
      await citizen.says('0532 555 44 35', /özeti/);
      await citizen.says('evet', /Başvuru numaranız/);
      return cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.waId } } });
    };
    // 38°25′ N, 27°8′ E in the photo's EXIF (test/support/media-files.ts).
    graph.addMedia('wa-gps-1', await jpegWithExif(), 'image/jpeg');
    graph.addMedia('wa-gps-2', await jpegWithExif(64, 64), 'image/jpeg');
    expect(await exifr.gps(await jpegWithExif())).toMatchObject({ latitude: expect.closeTo(38.416667, 6), longitude: expect.closeTo(27.133333, 6) });

    const written = await fileComplaint(new Citizen('905321230003'), 'wa-gps-1', 'Gül sokak no 4');
    expect([written.latitude, written.longitude].map((degrees) => degrees!.toFixed(6))).toEqual(['38.416667', '27.133333']);
    const [photo] = await settledMedia(cozum, { conversationId: written.conversationId! }, 1);
    const kept = (await cozum.media.content(photo!.id))!.bytes;
    expect(await exifr.gps(kept)).toBeUndefined();
    expect((await sharp(kept).metadata()).exif).toBeUndefined();

    // A pin the citizen sent is where the problem is, whatever the camera recorded.
    const pinned = await fileComplaint(new Citizen('905321230004'), 'wa-gps-2', { type: 'location', location: { latitude: 38.4622, longitude: 27.2197 } });
    expect([pinned.latitude, pinned.longitude]).toEqual([38.4622, 27.2197]);
  });
});
