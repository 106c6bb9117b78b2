// KVKK and media (issue 16): "verilerimi sil" and the retention period remove the photos and
// voice notes themselves, from the database store and from the folder store, not only their rows;
// a photo another citizen also sent stays for that citizen.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { applyRetention } from '../../src/privacy/erasure.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { jpegWithExif, oggOpus, settledMedia } from '../support/media-files.ts';

/** The in-process test channel's "platform": files by id, fetched as a channel's fetcher would. */
function serveFiles(cozum: Cozum, files: Record<string, Buffer>): void {
  cozum.adapter.mediaFetchers.register('test', { fetch: async (media) => files[media.fileId!]! });
}

async function sends(cozum: Cozum, citizen: Citizen, fileId: string, kind: 'image' | 'audio') {
  await citizen.say('', { media: [{ kind, fileId }] });
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  return settledMedia(cozum, { conversationId: conversation.id }, await cozum.db.media.count({ where: { conversationId: conversation.id } }));
}

async function erase(citizen: Citizen) {
  await citizen.say('verilerimi sil');
  expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi');
}

describe('erasure and media, database store', () => {
  const cozum = useTestCozum();

  it('removes the bytes of the citizen’s media, keeping those another citizen also sent', async () => {
    const photo = await jpegWithExif();
    serveFiles(cozum, { photo, voice: oggOpus() });
    const ayse = new Citizen(cozum);
    const ali = new Citizen(cozum);
    await sends(cozum, ayse, 'photo', 'image');
    const [, voice] = await sends(cozum, ayse, 'voice', 'audio');
    const [shared] = await sends(cozum, ali, 'photo', 'image');
    expect(voice!.status).toBe('stored');
    expect(await cozum.db.mediaContent.count()).toBe(2);

    await erase(ayse);
    expect(await cozum.db.media.count({ where: { conversation: { contact: { anonymizedAt: { not: null } } } } })).toBe(0);
    expect(await cozum.db.mediaContent.findUnique({ where: { hash: voice!.contentHash! } })).toBeNull();
    expect(await cozum.media.content(voice!.id)).toBeUndefined();
    // Ali's copy of the same photo is his.
    expect((await cozum.media.content(shared!.id))?.mimeType).toBe('image/jpeg');

    await erase(ali);
    expect(await cozum.db.media.count()).toBe(0);
    expect(await cozum.db.mediaContent.count()).toBe(0);
  });
});

describe('erasure and media, folder store', () => {
  const cozum = useTestCozum({ overrides: { 'media.store': 'folder' } });
  const fileOf = (hash: string) => path.join(cozum.config.dataDir, 'media', hash.slice(0, 2), hash);

  it('keeps the bytes in files, and "verilerimi sil" deletes them', async () => {
    serveFiles(cozum, { voice: oggOpus() });
    const citizen = new Citizen(cozum);
    const [voice] = await sends(cozum, citizen, 'voice', 'audio');
    expect(existsSync(fileOf(voice!.contentHash!))).toBe(true);
    expect((await cozum.db.mediaContent.findUniqueOrThrow({ where: { hash: voice!.contentHash! } })).bytes).toBeNull();
    expect((await cozum.media.content(voice!.id))!.bytes.equals(oggOpus())).toBe(true);
    await erase(citizen);
    expect(existsSync(fileOf(voice!.contentHash!))).toBe(false);
  });

  it('the retention job deletes them too', async () => {
    serveFiles(cozum, { photo: await jpegWithExif(30, 30) });
    const citizen = new Citizen(cozum);
    const [photo] = await sends(cozum, citizen, 'photo', 'image');
    expect(existsSync(fileOf(photo!.contentHash!))).toBe(true);
    const longAgo = new Date(Date.now() - 800 * 86_400_000);
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    await cozum.db.conversation.updateMany({ where: { contactId: contact.id }, data: { lastMessageAt: longAgo } });
    await cozum.db.contact.update({ where: { id: contact.id }, data: { createdAt: longAgo } });
    expect((await applyRetention(cozum.db, 730, new Date(), cozum.media.store)).contacts).toBeGreaterThanOrEqual(1);
    expect(existsSync(fileOf(photo!.contentHash!))).toBe(false);
    expect(await cozum.db.media.count({ where: { conversation: { contactId: contact.id } } })).toBe(0);
  });
});
