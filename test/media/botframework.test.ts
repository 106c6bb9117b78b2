// Media on Bot Framework (issue 16): attachments posted to /api/messages name their contentUrl on
// the channel's connector (the stand-in serves them); the bot downloads, checks and keeps them.
import type { Activity } from 'botbuilder';
import { describe, expect, it, vi } from 'vitest';
import { useEmulatorCozum } from '../support/bot-connector.ts';
import { FOUR_FILES_KEPT, jpegWithExif, oggOpus, outcomeOf, pdf, png, settledMedia, truncatedJpeg } from '../support/media-files.ts';

const { connector, cozum } = useEmulatorCozum();
let counter = 0;

/** Posts a message with attachments as the Emulator would, and returns the texts of the bot's replies to it. */
async function send(conversationId: string, attachments: Activity['attachments']): Promise<string[]> {
  const id = `act-media-${++counter}`;
  const activity = {
    type: 'message', id, channelId: 'emulator', serviceUrl: connector.url,
    from: { id: `user-${conversationId}`, name: 'Ayşe' }, recipient: { id: 'cozum-bot', name: 'Çözüm' },
    conversation: { id: conversationId }, text: '', attachments, timestamp: new Date().toISOString(),
  };
  const response = await fetch(`${cozum.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
  expect(response.status).toBe(200);
  await vi.waitFor(async () => {
    const inbound = await cozum.db.message.findFirst({ where: { direction: 'in', platformMessageId: id } });
    expect(inbound?.status).toBe('processed');
    const replies = await cozum.db.message.findMany({ where: { replyToId: inbound!.id } });
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.filter((reply) => reply.status === 'pending')).toEqual([]);
  }, { timeout: 20_000, interval: 20 });
  return connector.posts.filter((post) => post.body.type === 'message' && post.body.replyToId === id).map((post) => post.body.text ?? '');
}

describe('Bot Framework media', () => {
  it('downloads a photo, a PNG, a voice note and a PDF from their contentUrl; a broken photo is refused with a clear answer', async () => {
    const attach = async (name: string, bytes: Buffer, contentType: string) => ({ contentType, contentUrl: connector.addAttachment(name, bytes, contentType), name });
    expect(await send('bf-media', [await attach('p.jpg', await jpegWithExif(), 'image/jpeg')])).toEqual([expect.stringContaining('dosyayı aldım')]);
    expect(await send('bf-media', [await attach('p.png', await png(), 'image/png')])).toEqual([expect.stringContaining('dosyayı aldım')]);
    expect(await send('bf-media', [await attach('v.ogg', oggOpus(), 'audio/ogg')])).toEqual(['Sesli mesajınız merkezimize ulaştı.']);
    expect(await send('bf-media', [await attach('d.pdf', pdf(), 'application/pdf')])).toEqual([expect.stringContaining('dosyayı aldım')]);
    expect(await send('bf-media', [await attach('cut.jpg', await truncatedJpeg(), 'image/jpeg')])).toEqual([expect.stringMatching(/fotoğraf bozuk ya da yarım geldi/)]);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: 'user-bf-media' } } });
    const rows = await settledMedia(cozum, { conversationId: conversation.id }, 5);
    expect(rows.map(outcomeOf)).toEqual([...FOUR_FILES_KEPT, ['refused', 'unreadable']]);
  });

  it("downloads a file sent in Teams from its download info's URL, not from its SharePoint address", async () => {
    const teamsFile = async (name: string, bytes: Buffer, contentType: string, fileType: string) => ({
      contentType: 'application/vnd.microsoft.teams.file.download.info',
      contentUrl: `https://belediye.sharepoint.com/personal/ayse/Documents/${name}`,
      name,
      content: { downloadUrl: connector.addAttachment(name, bytes, contentType), uniqueId: `file-${name}`, fileType },
    });
    expect(await send('bf-teams', [await teamsFile('cukur.png', await png(), 'image/png', 'png')])).toEqual([expect.stringContaining('dosyayı aldım')]);
    expect(await send('bf-teams', [await teamsFile('dilekce.pdf', pdf(), 'application/pdf', 'pdf')])).toEqual([expect.stringContaining('dosyayı aldım')]);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: 'user-bf-teams' } } });
    const rows = await settledMedia(cozum, { conversationId: conversation.id }, 2);
    expect(rows.map((row) => [row.kind, row.status, row.mimeType])).toEqual([['image', 'stored', 'image/png'], ['document', 'stored', 'application/pdf']]);
  });

  it('never fetches an attachment URL off this machine in Emulator mode: the download is marked failed, not dropped', async () => {
    expect(await send('bf-far', [{ contentType: 'image/png', contentUrl: 'http://203.0.113.9/x.png', name: 'x.png' }])).toEqual([expect.stringContaining('dosyayı aldım')]);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: 'user-bf-far' } } });
    const [row] = await settledMedia(cozum, { conversationId: conversation.id }, 1);
    expect([row!.status, row!.lastError]).toEqual(['failed', 'DeliveryError: Bot Framework attachment URL refused (not on this machine)']);
  });
});
