// Storing citizens' messages before anything acts on them, batched across chats: first contacts
// and known chats in one batch, a second delivery recognised, and a chat whose contact was erased
// (KVKK) starting afresh as a new contact. On both databases.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InboundMessageSchema } from '../../src/messaging/message.ts';
import { tempDir } from '../support/cozum.ts';
import { CHANNEL, startStack, type Stack } from './support.ts';

const temp = tempDir('cozum-inbound-store-');
afterAll(() => temp.remove());

function store(stack: Stack, chat: string, text: string, platformMessageId: string) {
  return stack.store.persistInbound(InboundMessageSchema.parse({ channel: CHANNEL, userId: chat, text, platformMessageId, address: { chat } }));
}

describe('storing citizens\' messages', () => {
  it('stores new and known chats\' messages of one moment, each once, and touches their conversations', async () => {
    const stack = await startStack(path.join(temp.dir, 'batch.db'));
    try {
      const first = await Promise.all(Array.from({ length: 30 }, (_, i) => store(stack, `c${i}`, 'merhaba', `c${i}-1`)));
      expect(first.every((row) => !row.duplicate && row.id !== '')).toBe(true);
      const before = await stack.db.conversation.findUniqueOrThrow({ where: { id: first[3]!.conversationId } });
      // Known chats (from the cache) and a platform delivering c3's first message again, in one batch.
      const second = await Promise.all([...Array.from({ length: 30 }, (_, i) => store(stack, `c${i}`, 'su kesintisi var mı', `c${i}-2`)), store(stack, 'c3', 'merhaba', 'c3-1')]);
      expect(second.slice(0, 30).map((row) => row.conversationId)).toEqual(first.map((row) => row.conversationId));
      expect(second.slice(0, 30).every((row) => !row.duplicate)).toBe(true);
      expect(second[30]).toMatchObject({ duplicate: true, id: '' });
      const stored = await stack.db.message.findMany({ where: { conversationId: first[3]!.conversationId }, orderBy: { createdAt: 'asc' } });
      expect(stored.map((row) => [row.text, row.status, row.direction, row.author])).toEqual([
        ['merhaba', 'received', 'in', 'citizen'],
        ['su kesintisi var mı', 'received', 'in', 'citizen'],
      ]);
      expect(stored[1]!.createdAt.getTime()).toBe(second[3]!.createdAt.getTime());
      const after = await stack.db.conversation.findUniqueOrThrow({ where: { id: first[3]!.conversationId } });
      expect(after.lastMessageAt!.getTime()).toBeGreaterThanOrEqual(before.lastMessageAt!.getTime());
      expect(await stack.db.message.count()).toBe(60);
    } finally {
      await stack.close();
    }
  });

  it('starts afresh, as a new contact, when the chat\'s contact was erased meanwhile', async () => {
    const stack = await startStack(path.join(temp.dir, 'erased.db'));
    try {
      const first = await store(stack, 'ayten', 'gıda yardımı', 'a-1');
      // Erased as privacy/erasure.ts does: the contact no longer names the chat.
      await stack.db.contact.update({ where: { id: first.contactId }, data: { anonymizedAt: new Date(), platformUserId: 'silindi-1', displayName: null } });
      const again = await store(stack, 'ayten', 'merhaba', 'a-2');
      expect(again.duplicate).toBe(false);
      expect(again.contactId).not.toBe(first.contactId);
      expect(again.conversationId).not.toBe(first.conversationId);
      expect((await stack.db.message.findMany({ where: { conversationId: first.conversationId } })).map((row) => row.text)).toEqual(['gıda yardımı']);
      expect((await stack.db.message.findMany({ where: { conversationId: again.conversationId } })).map((row) => row.text)).toEqual(['merhaba']);
    } finally {
      await stack.close();
    }
  });
});
