// Photos, voice notes and files sent on Telegram (issue 16): real telegraf against the Bot API
// stand-in, which serves real files through getFile; the bot downloads, checks and keeps them,
// and tells the citizen plainly when a file cannot be kept.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { executable, hugeJpeg, jpegWithExif, oggOpus, pdf, png, settledMedia, truncatedJpeg } from '../support/media-files.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN } from '../support/telegram-api.ts';

describe('Telegram media', () => {
  const temp = tempDir();
  const api = new BotApiStandIn();
  let cozum: Cozum;
  beforeAll(async () => {
    await api.start();
    cozum = await startTestCozum(temp.dir, {
      http: true,
      overrides: { 'channels.telegram.token': TOKEN, 'channels.telegram.apiRoot': api.url, 'media.retryBaseSeconds': 0.05 },
    });
  });
  afterAll(async () => {
    await cozum?.close();
    await api.close();
    temp.remove();
  });

  const conversationOf = async (chatId: number) => (await cozum.db.conversation.findFirstOrThrow({ where: { channel: 'telegram', contact: { platformUserId: String(chatId) } } })).id;

  it('keeps a photo, a PNG, a voice note and a PDF, typed from their bytes, the photo without its EXIF', async () => {
    const citizen = new TelegramCitizen(api, 7001);
    const photo = await jpegWithExif();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    api.addFile('tg-photo', photo);
    api.addFile('tg-png', await png());
    api.addFile('tg-voice', oggOpus());
    api.addFile('tg-pdf', pdf());
    await citizen.says({ photo: [{ file_id: 'tg-photo', file_unique_id: 'u1', width: 64, height: 48 }] }, /dosyayı aldım/);
    await citizen.says({ document: { file_id: 'tg-png', file_unique_id: 'u2', file_name: 'kaldirim.png', mime_type: 'image/png' } }, /dosyayı aldım/);
    await citizen.says({ voice: { file_id: 'tg-voice', file_unique_id: 'u3', duration: 1, mime_type: 'audio/ogg' } }, /Sesli mesajınız merkezimize ulaştı/);
    await citizen.says({ document: { file_id: 'tg-pdf', file_unique_id: 'u4', file_name: 'dilekce.pdf', mime_type: 'application/pdf' } }, /dosyayı aldım/);

    const rows = await settledMedia(cozum, { conversationId: await conversationOf(7001) }, 4);
    expect(rows.map((row) => [row.status, row.kind, row.mimeType])).toEqual([
      ['stored', 'image', 'image/jpeg'],
      ['stored', 'image', 'image/png'],
      ['stored', 'audio', 'audio/ogg'],
      ['stored', 'document', 'application/pdf'],
    ]);
    const kept = await cozum.media.content(rows[0]!.id);
    const metadata = await sharp(kept!.bytes).metadata();
    expect([metadata.width, metadata.height, metadata.exif]).toEqual([64, 48, undefined]);
    expect(kept!.bytes.includes(Buffer.from('CozumTestCamera'))).toBe(false);
    expect((await cozum.media.content(rows[2]!.id))!.bytes.equals(oggOpus())).toBe(true);
    expect((await cozum.media.content(rows[3]!.id))!.bytes.equals(pdf())).toBe(true);
    // Kept once per content: the same voice note sent again adds a row, not a second copy.
    await citizen.says({ voice: { file_id: 'tg-voice', file_unique_id: 'u3', duration: 1, mime_type: 'audio/ogg' } }, /Sesli mesajınız merkezimize ulaştı/);
    const again = await settledMedia(cozum, { conversationId: await conversationOf(7001) }, 5);
    expect(again[4]!.contentHash).toBe(rows[2]!.contentHash);
    expect(await cozum.db.mediaContent.count({ where: { hash: rows[2]!.contentHash! } })).toBe(1);
  });

  it('refuses an executable named .jpg, a truncated photo and a 30 MB file, saying why', async () => {
    const citizen = new TelegramCitizen(api, 7002);
    api.addFile('tg-exe', executable());
    api.addFile('tg-cut', await truncatedJpeg());
    api.addFile('tg-huge', hugeJpeg());
    await citizen.says({ document: { file_id: 'tg-exe', file_unique_id: 'u5', file_name: 'foto.jpg', mime_type: 'image/jpeg' } }, /Bu dosyayı açamıyorum; fotoğraf, ses kaydı, video ya da PDF/);
    await citizen.says({ photo: [{ file_id: 'tg-cut', file_unique_id: 'u6', width: 400, height: 300 }] }, /fotoğraf bozuk ya da yarım geldi/);
    // No size announced: the download finds it too large (Telegram's getFile refuses bots files over 20 MB).
    await citizen.says({ document: { file_id: 'tg-huge', file_unique_id: 'u7', file_name: 'buyuk.jpg', mime_type: 'image/jpeg' } }, /dosya çok büyük; en fazla 10 MB/);
    const rows = await settledMedia(cozum, { conversationId: await conversationOf(7002) }, 3);
    expect(rows.map((row) => [row.status, row.reason])).toEqual([
      ['refused', 'wrongType'],
      ['refused', 'unreadable'],
      ['refused', 'tooLarge'],
    ]);
    expect(rows.every((row) => row.contentHash === null)).toBe(true);
    // The messages themselves are kept.
    expect(await cozum.db.message.count({ where: { conversationId: await conversationOf(7002), direction: 'in' } })).toBe(3);
  });

  it('a download that fails twice is tried again and kept; the citizen is answered at once', async () => {
    const citizen = new TelegramCitizen(api, 7003);
    api.addFile('tg-flaky', await png(50, 50), 2);
    await citizen.says({ photo: [{ file_id: 'tg-flaky', file_unique_id: 'u8', width: 50, height: 50 }] }, /dosyayı aldım/);
    const [row] = await settledMedia(cozum, { conversationId: await conversationOf(7003) }, 1);
    expect([row!.status, row!.attempts]).toEqual(['stored', 2]);
    expect((await sharp((await cozum.media.content(row!.id))!.bytes).metadata()).width).toBe(50);
  });
});
