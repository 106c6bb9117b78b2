// Nothing lost across a restart (issue 16): a photo whose download was failing when the process
// stopped is still pending in the database, and the next start downloads it.
import { afterAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { DeliveryError } from '../../src/messaging/delivery.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { png, settledMedia } from '../support/media-files.ts';

describe('media downloads across a restart', () => {
  const temp = tempDir();
  let cozum: Cozum | undefined;
  afterAll(async () => {
    await cozum?.close();
    temp.remove();
  });

  it('downloads after the next start what was still failing when the process stopped', async () => {
    const overrides = { 'media.retryBaseSeconds': 0.2 };
    cozum = await startTestCozum(temp.dir, { overrides });
    let tries = 0;
    cozum.adapter.mediaFetchers.register('test', {
      fetch: async () => {
        tries++;
        throw new DeliveryError('platform answered 503');
      },
    });
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('', { media: [{ kind: 'image', fileId: 'lamba' }] })).toContain('dosyayı aldım');
    const conversationId = (await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } })).id;
    const waiting = await cozum.db.media.findFirstOrThrow({ where: { conversationId } });
    expect([waiting.status, waiting.lastError]).toEqual(['pending', 'DeliveryError: platform answered 503']);
    expect(tries).toBeGreaterThanOrEqual(1);
    await cozum.close();

    cozum = await startTestCozum(temp.dir, { overrides });
    const photo = await png(33, 22);
    cozum.adapter.mediaFetchers.register('test', { fetch: async () => photo });
    const [row] = await settledMedia(cozum, { conversationId }, 1);
    expect(row!.status).toBe('stored');
    expect((await cozum.media.content(row!.id))?.mimeType).toBe('image/png');
  });
});
