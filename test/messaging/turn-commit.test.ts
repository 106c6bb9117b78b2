// A turn's commit: its replies, its message's processed mark (with the NLU's intent) and its
// conversation state, written together for the turns that end at about the same moment. On
// PostgreSQL (several instances) each turn's writes are fenced by its message being still
// unanswered, in one statement per batch (src/messaging/store/fenced-turns.ts): a turn whose message
// another instance answered first stores nothing, the others in the same batch are stored.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InboundMessageSchema } from '../../src/messaging/message.ts';
import type { OutboundRow } from '../../src/messaging/store/rows.ts';
import { nextStamp } from '../../src/storage/ids.ts';
import { tempDir } from '../support/cozum.ts';
import { testDialect } from '../support/database.ts';
import { CHANNEL, startStack, type Stack } from './support.ts';

const temp = tempDir('cozum-turn-commit-');
afterAll(() => temp.remove());

async function received(stack: Stack, chat: string, text: string) {
  return stack.store.persistInbound(InboundMessageSchema.parse({ channel: CHANNEL, userId: chat, text, platformMessageId: `${chat}-${text}`, address: { chat } }));
}

function reply(conversationId: string, text: string, replyToId?: string): OutboundRow {
  const stamp = nextStamp();
  return { id: stamp.id, createdAt: stamp.at, conversationId, author: 'bot', replyToId, message: { text, choices: ['evet', 'hayır'] }, status: 'pending' };
}

async function repliesOf(stack: Stack, conversationId: string) {
  const rows = await stack.db.message.findMany({ where: { conversationId, direction: 'out' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((row) => ({ text: row.text, replyToId: row.replyToId, status: row.status, payload: row.payload, createdAt: row.createdAt.toISOString() }));
}

async function stateOf(stack: Stack, key: string) {
  return (await stack.db.stateEntry.findUnique({ where: { key } }))?.value;
}

describe('committing turns', () => {
  it('stores the replies, the processed mark with the intent, and the state of turns ending together', async () => {
    const stack = await startStack(path.join(temp.dir, 'together.db'));
    try {
      const ali = await received(stack, 'ali', 'çukur var');
      const veli = await received(stack, 'veli', 'merhaba');
      for (const [message, intent] of [[ali, 'complaint.pothole'], [veli, 'greeting']] as const) {
        stack.store.beginTurn(message.id);
        await stack.store.annotate(message.id, { intent, confidence: 0.91 });
      }
      const aliReplies = [reply(ali.conversationId, 'Hangi mahallede?', ali.id), reply(ali.conversationId, 'Sokak adı?', ali.id)];
      const veliReplies = [reply(veli.conversationId, 'Merhaba, size nasıl yardımcı olabilirim?', veli.id)];
      const proactive = [reply(veli.conversationId, 'Başvurunuz alındı.')];
      // In the same pass of the event loop: one batch.
      const kept = await Promise.all([
        stack.store.commitTurn(aliReplies, ali.id, [{ key: 'state/ali', json: '{"step":"neighbourhood"}' }]),
        stack.store.commitTurn(veliReplies, veli.id, [{ key: 'state/veli', json: '{"step":"menu"}' }]),
        stack.store.commitTurn(proactive),
      ]);
      expect(kept).toEqual([true, true, true]);
      expect(await repliesOf(stack, ali.conversationId)).toEqual(
        aliReplies.map((row) => ({ text: row.message.text, replyToId: ali.id, status: 'pending', payload: '{"choices":["evet","hayır"]}', createdAt: row.createdAt.toISOString() })),
      );
      expect((await repliesOf(stack, veli.conversationId)).map((row) => [row.text, row.replyToId])).toEqual([
        ['Merhaba, size nasıl yardımcı olabilirim?', veli.id],
        ['Başvurunuz alındı.', null],
      ]);
      const marks = await stack.db.message.findMany({ where: { id: { in: [ali.id, veli.id] } }, orderBy: { text: 'asc' } });
      expect(marks.map((row) => [row.text, row.status, row.intent, row.confidence])).toEqual([
        ['merhaba', 'processed', 'greeting', 0.91],
        ['çukur var', 'processed', 'complaint.pothole', 0.91],
      ]);
      expect(await stateOf(stack, 'state/ali')).toBe('{"step":"neighbourhood"}');
      expect(await stateOf(stack, 'state/veli')).toBe('{"step":"menu"}');
    } finally {
      await stack.close();
    }
  });

  it('writes a batch too large for one statement whole, and the later of two saves of one state key wins', async () => {
    const stack = await startStack(path.join(temp.dir, 'large.db'));
    try {
      const messages = await Promise.all(Array.from({ length: 120 }, (_, i) => received(stack, `c${i}`, 'uzun soru')));
      for (const message of messages) stack.store.beginTurn(message.id);
      // 120 turns of 30 replies: 36,000 bound values on PostgreSQL, more than one statement takes.
      const kept = await Promise.all([
        ...messages.map((message, i) =>
          stack.store.commitTurn(
            Array.from({ length: 30 }, (_, k) => reply(message.conversationId, `yanıt ${k + 1}`, message.id)),
            message.id,
            [{ key: `state/c${i}`, json: `{"turn":${i}}` }],
          ),
        ),
        stack.store.commitTurn([], undefined, [{ key: 'state/c0', json: '{"turn":"later"}' }]),
      ]);
      expect(kept.every(Boolean)).toBe(true);
      expect(await stack.db.message.count({ where: { direction: 'out' } })).toBe(3600);
      expect(await stack.db.message.count({ where: { direction: 'in', status: 'processed' } })).toBe(120);
      expect((await repliesOf(stack, messages[7]!.conversationId)).map((row) => row.text)).toEqual(Array.from({ length: 30 }, (_, k) => `yanıt ${k + 1}`));
      expect(await stateOf(stack, 'state/c0')).toBe('{"turn":"later"}');
      expect(await stateOf(stack, 'state/c119')).toBe('{"turn":119}');
    } finally {
      await stack.close();
    }
  });

  it.runIf(testDialect === 'postgresql')('stores nothing of a turn whose message another instance answered first, and the rest of its batch', async () => {
    const stack = await startStack(path.join(temp.dir, 'fenced.db'));
    try {
      const late = await received(stack, 'gec', 'su kesintisi');
      const onTime = await received(stack, 'zamaninda', 'nikah');
      await stack.db.stateEntry.create({ data: { key: 'state/gec', value: '{"step":"other instance"}', eTag: 'e1' } });
      // The other instance's answer, committed while this one's turn ran (its lease had lapsed).
      await stack.db.message.update({ where: { id: late.id }, data: { status: 'processed', intent: 'faq.water_outage' } });
      stack.store.beginTurn(late.id);
      stack.store.beginTurn(onTime.id);
      await stack.store.annotate(late.id, { intent: 'greeting', confidence: 0.4 });
      const kept = await Promise.all([
        stack.store.commitTurn([reply(late.conversationId, 'ikinci yanıt', late.id)], late.id, [{ key: 'state/gec', json: '{"step":"this instance"}' }]),
        stack.store.commitTurn([reply(onTime.conversationId, 'Nikah için randevu alabilirsiniz.', onTime.id)], onTime.id, [{ key: 'state/zamaninda', json: '{"step":"done"}' }]),
      ]);
      expect(kept).toEqual([false, true]);
      expect(await repliesOf(stack, late.conversationId)).toEqual([]);
      expect(await stateOf(stack, 'state/gec')).toBe('{"step":"other instance"}');
      expect((await stack.db.message.findUniqueOrThrow({ where: { id: late.id } })).intent).toBe('faq.water_outage');
      expect((await repliesOf(stack, onTime.conversationId)).map((row) => row.text)).toEqual(['Nikah için randevu alabilirsiniz.']);
      expect(await stateOf(stack, 'state/zamaninda')).toBe('{"step":"done"}');
    } finally {
      await stack.close();
    }
  });
});
