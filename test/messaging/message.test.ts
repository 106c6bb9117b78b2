// What a channel hands to the adapter, read as the adapter stores it: what the schema refuses in
// part is kept as unreadable (so the citizen can be told), and only a message naming no chat is refused.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInbound, UnreadableInboundError } from '../../src/messaging/message.ts';
import { tempDir } from '../support/cozum.ts';
import { startStack } from './support.ts';

const chat = { channel: 'whatsapp-cloud', userId: '905551112233', address: { waId: '905551112233' } };

describe('readInbound', () => {
  it('passes a well-formed message through unchanged', () => {
    expect(readInbound({ ...chat, text: 'merhaba', platformMessageId: 'wamid.1', location: { latitude: 38.46, longitude: 27.22 } })).toEqual({
      ...chat,
      text: 'merhaba',
      platformMessageId: 'wamid.1',
      media: [],
      location: { latitude: 38.46, longitude: 27.22 },
    });
  });

  it('keeps a message with a location off the globe, without the location, marked unreadable', () => {
    const read = readInbound({ ...chat, text: '', platformMessageId: 'wamid.2', location: { latitude: 1000, longitude: 27.22 } });
    expect(read).toMatchObject({ ...chat, platformMessageId: 'wamid.2', unreadable: ['location'] });
    expect(read.location).toBeUndefined();
  });

  it('keeps a message whose id is too long under a digest of the id, so a second delivery is still recognised', () => {
    const id = `wamid.${'x'.repeat(244)}`;
    const first = readInbound({ ...chat, text: 'merhaba', platformMessageId: id });
    expect(first).toMatchObject({ text: 'merhaba', unreadable: ['platformMessageId'] });
    expect(first.platformMessageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readInbound({ ...chat, text: 'merhaba', platformMessageId: id }).platformMessageId).toBe(first.platformMessageId);
  });

  it('drops only a name it cannot keep', () => {
    expect(readInbound({ ...chat, userName: 'A'.repeat(300), text: 'merhaba' })).toEqual({ ...chat, text: 'merhaba', media: [] });
  });

  it('refuses a message that names no chat it could answer, saying which fields and never their values', () => {
    for (const input of [null, 'merhaba', { ...chat, userId: '' }, { ...chat, userId: 'a\uD800b' }, { ...chat, address: 'x' }, { userId: 'u' }]) {
      const error = (() => {
        try {
          readInbound(input);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(input)).toBeInstanceOf(UnreadableInboundError);
      expect((error as Error).message).not.toContain('\uD800');
    }
  });
});

describe('an unreadable message after a restart', () => {
  const temp = tempDir('cozum-message-');
  afterAll(() => temp.remove());

  it('is still unreadable when recovery picks it up', async () => {
    const file = path.join(temp.dir, 'unreadable.db');
    const before = await startStack(file);
    await before.store.persistInbound(readInbound({ ...chat, channel: 'fake', platformMessageId: 'w-1', location: { latitude: 1000, longitude: 0 } }));
    await before.close();
    const after = await startStack(file);
    try {
      const [left] = await after.store.unprocessedInbound();
      expect(left?.message).toMatchObject({ userId: chat.userId, unreadable: ['location'] });
    } finally {
      await after.close();
    }
  });
});
