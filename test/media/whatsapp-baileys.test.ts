// Media on WhatsApp through Baileys (issue 16): the message carries the encrypted copy's URL and
// its media key, as WhatsApp's do; a local stand-in for WhatsApp's media host serves the copies
// (test/support/baileys-media.ts), and Baileys' own downloadContentFromMessage decrypts them.
import type { MediaType } from '@whiskeysockets/baileys';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWhatsAppBaileys, type WhatsAppBaileysChannel } from '../../src/channels/whatsapp-baileys/index.ts';
import type { Cozum } from '../../src/main.ts';
import { BaileysMediaHost } from '../support/baileys-media.ts';
import { FakeSocket, waMessage } from '../support/baileys-socket.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { executable, FOUR_FILES_KEPT, jpegWithExif, oggOpus, outcomeOf, pdf, png, settledMedia } from '../support/media-files.ts';

const temp = tempDir();
let cozum: Cozum;
let channel: WhatsAppBaileysChannel;
let socket: FakeSocket;
const mediaHost = new BaileysMediaHost();
const upload = (name: string, bytes: Buffer, type: MediaType) => mediaHost.upload(name, bytes, type);

beforeAll(async () => {
  await mediaHost.start();
  cozum = await startTestCozum(temp.dir);
  const config = { ...cozum.config, channels: { ...cozum.config.channels, whatsappBaileys: { enabled: true } } };
  channel = createWhatsAppBaileys(
    { config, adapter: cozum.adapter, store: cozum.adapter.store, db: cozum.db, logger: cozum.logger },
    { socketFactory: (socketConfig) => (socket = new FakeSocket(socketConfig)), printQr: () => undefined, backoff: { initialMs: 1, maxMs: 4 } },
  ) as WhatsAppBaileysChannel;
  await channel.start();
  socket.open();
});
afterAll(async () => {
  await channel?.stop();
  await cozum?.close();
  await mediaHost.close();
  temp.remove();
});

async function say(jid: string, message: Record<string, unknown>): Promise<string> {
  const before = socket.textsTo(jid).length;
  socket.deliver(waMessage(jid, message));
  await channel.whenIdle();
  return socket.textsTo(jid).slice(before).join('\n---\n');
}

describe('WhatsApp (Baileys) media', () => {
  it('downloads and decrypts a photo, a PNG, a voice note and a PDF; refuses an executable named .jpg', async () => {
    const jid = '905321119001@s.whatsapp.net';
    const photo = await jpegWithExif();
    expect(await say(jid, { imageMessage: { ...(await upload('photo', photo, 'image')), mimetype: 'image/jpeg' } })).toContain('dosyayı aldım');
    expect(await say(jid, { documentMessage: { ...(await upload('png', await png(), 'document')), mimetype: 'image/png', fileName: 'a.png' } })).toContain('dosyayı aldım');
    expect(await say(jid, { audioMessage: { ...(await upload('voice', oggOpus(), 'audio')), mimetype: 'audio/ogg; codecs=opus', ptt: true } })).toBe('Sesli mesajınız merkezimize ulaştı.');
    expect(await say(jid, { documentMessage: { ...(await upload('pdf', pdf(), 'document')), mimetype: 'application/pdf', fileName: 'dilekce.pdf' } })).toContain('dosyayı aldım');
    expect(await say(jid, { documentMessage: { ...(await upload('exe', executable(), 'document')), mimetype: 'image/jpeg', fileName: 'foto.jpg' } })).toContain('Bu dosyayı açamıyorum');

    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'whatsapp-baileys', contact: { platformUserId: jid } } });
    const rows = await settledMedia(cozum, { conversationId: conversation.id }, 5);
    expect(rows.map(outcomeOf)).toEqual([...FOUR_FILES_KEPT, ['refused', 'wrongType']]);
    const kept = (await cozum.media.content(rows[0]!.id))!.bytes;
    expect((await sharp(kept).metadata()).exif).toBeUndefined();
    expect((await cozum.media.content(rows[3]!.id))!.bytes.equals(pdf())).toBe(true);
  });
});
