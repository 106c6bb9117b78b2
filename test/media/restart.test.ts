// Nothing lost across a restart (issue 16): a photo whose download was failing when the process
// stopped is still pending in the database, and the next start downloads it. With several instances
// on PostgreSQL (issue 14), a download is claimed by one instance: another leaves it alone while
// that one lives, and takes it over once it is gone.
import { afterAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { DeliveryError } from '../../src/messaging/delivery.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { testDialect } from '../support/database.ts';
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

describe.skipIf(testDialect !== 'postgresql')('media downloads with several instances', () => {
  const temp = tempDir();
  const running: Cozum[] = [];
  afterAll(async () => {
    for (const cozum of running) await cozum.close();
    temp.remove();
  });

  it("leaves a live instance's pending download to it, and takes it over once that instance stopped", async () => {
    // The first instance keeps failing and trying again, a few seconds apart; the second takes the
    // download over at its retry time, once the first stopped.
    // Both instances share this process: the lease outlasts the second's start-up, which blocks the first's heartbeat.
    const overrides = { 'media.retryBaseSeconds': 2, leaseSeconds: 5 };
    const first = await startTestCozum(`${temp.dir}/first`, { overrides });
    running.push(first);
    first.adapter.mediaFetchers.register('test', {
      fetch: async () => {
        throw new DeliveryError('platform answered 503');
      },
    });
    const citizen = new Citizen(first);
    expect(await citizen.sayAll('', { media: [{ kind: 'image', fileId: 'cukur' }] })).toContain('dosyayı aldım');
    const conversationId = (await first.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } })).id;
    const claimed = await first.db.media.findFirstOrThrow({ where: { conversationId } });
    expect([claimed.status, claimed.claimedBy]).toEqual(['pending', expect.any(String)]);

    const second = await startTestCozum(`${temp.dir}/second`, { overrides: { ...overrides, databaseUrl: first.config.databaseUrl } });
    running.push(second);
    let fetched = 0;
    const photo = await png(40, 30);
    second.adapter.mediaFetchers.register('test', {
      fetch: async () => {
        fetched++;
        return photo;
      },
    });
    // Started and swept once: the first instance lives, its claim stands.
    expect((await second.db.media.findFirstOrThrow({ where: { conversationId } })).claimedBy).toBe(claimed.claimedBy);

    await first.close();
    running.shift();
    const [row] = await settledMedia(second, { conversationId }, 1, 40_000);
    expect([row!.status, fetched]).toEqual(['stored', 1]);
    expect(row!.claimedBy).not.toBe(claimed.claimedBy);
  });
});
