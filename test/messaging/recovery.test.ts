// Crash recovery. First the cases one by one (a message stored but never answered; one whose
// replies were stored but that was never marked processed), then the real thing: a burst of
// messages from many chats through a Çözüm child process, killed with SIGKILL in the middle,
// restarted on the same database; every message must be answered exactly once, in order per chat.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { nextStamp } from '../../src/storage/ids.ts';
import { InboundMessageSchema } from '../../src/messaging/message.ts';
import { expectEachAnsweredOnce, killAll, startChild as startProcess, type ChildCozum } from '../support/child.ts';
import { SHARED_NLU_CACHE, tempDir } from '../support/cozum.ts';
import { CHANNEL, startStack, type Stack } from './support.ts';
import { JsonChangeConversationState } from '../../src/storage/conversation-state.ts';
import { PrismaStorage } from '../../src/storage/state-storage.ts';
import { ONE_ANSWER_QUESTIONS } from '../support/questions.ts';

const temp = tempDir('cozum-recovery-');
afterAll(() => {
  killAll();
  temp.remove();
});

function until<T>(check: () => T | Promise<T>, timeout = 20_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}

function inbound(chat: string, text: string, id: string) {
  return InboundMessageSchema.parse({ channel: CHANNEL, userId: chat, text, platformMessageId: id, address: { chat } });
}

describe('recovery at start-up, case by case', () => {
  it('answers a message that was stored but never answered, once, and in order per chat', async () => {
    const file = path.join(temp.dir, 'cases-1.db');
    const before = await startStack(file);
    // Stored as the adapter stores it, then the process "dies" before the bot ran.
    for (const [chat, text] of [['ali', 'bir'], ['veli', 'x'], ['ali', 'iki'], ['ali', 'üç'], ['veli', 'y']] as const) {
      await before.store.persistInbound(inbound(chat, text, `${chat}-${text}`));
    }
    await before.close();

    const after = await startStack(file);
    try {
      const report = await after.adapter.recover();
      expect(report).toMatchObject({ replayed: 5, alreadyAnswered: 0, failed: 0 });
      await until(() => expect(after.platform.delivered('ali')).toHaveLength(3));
      expect(after.platform.delivered('ali')).toEqual(['yanıt: bir', 'yanıt: iki', 'yanıt: üç']);
      await until(() => expect(after.platform.delivered('veli')).toEqual(['yanıt: x', 'yanıt: y']));
      const rows = await after.db.message.findMany({ where: { direction: 'in' } });
      expect(rows.every((row) => row.status === 'processed')).toBe(true);
      for (const row of rows) expect(await after.db.message.count({ where: { replyToId: row.id } })).toBe(1);
      // Once: a second call finds nothing left, and a platform redelivering the message is ignored.
      expect(await after.adapter.recover()).toMatchObject({ replayed: 0, alreadyAnswered: 0 });
      expect(await after.say('ali', 'bir', 'ali-bir')).toMatchObject({ duplicate: true });
      expect(after.platform.delivered('ali')).toEqual(['yanıt: bir', 'yanıt: iki', 'yanıt: üç']);
    } finally {
      await after.close();
    }
  });

  it('only marks a message processed when its replies were already stored (they are in the outbox)', async () => {
    const file = path.join(temp.dir, 'cases-2.db');
    const before = await startStack(file);
    const stored = await before.store.persistInbound(inbound('ayse', 'soru', 'ayse-1'));
    const stamp = nextStamp();
    // The reply was stored, then the process died before the message was marked processed.
    await before.store.commitTurn([
      { id: stamp.id, createdAt: stamp.at, conversationId: stored.conversationId, author: 'bot', replyToId: stored.id, message: { text: 'yanıt: soru', choices: [] }, status: 'pending' },
    ]);
    await before.close();

    const after = await startStack(file);
    try {
      expect(await after.adapter.recover()).toMatchObject({ replayed: 0, alreadyAnswered: 1, pendingDeliveries: 1 });
      await until(() => expect(after.platform.delivered('ayse')).toEqual(['yanıt: soru']));
      expect(await after.db.message.count({ where: { replyToId: stored.id } })).toBe(1);
      expect((await after.db.message.findUniqueOrThrow({ where: { id: stored.id } })).status).toBe('processed');
    } finally {
      await after.close();
    }
  });

  it('replays a message against the conversation state from before it: the state is stored with the replies', async () => {
    const file = path.join(temp.dir, 'cases-3.db');
    // A bot that counts the chat's turns in its conversation state and says the count.
    const counting = async (stack: Stack) => {
      const state = new JsonChangeConversationState(new PrismaStorage(stack.db));
      const count = state.createProperty<number>('count');
      stack.adapter.setLogic(async (context) => {
        const n = (await count.get(context, 0)) + 1;
        await count.set(context, n);
        await context.sendActivity(`sayı: ${n}`);
        await state.saveChanges(context);
      });
      return stack;
    };
    const before = await counting(await startStack(file));
    await before.say('ali', 'bir', 'ali-1');
    expect(before.platform.delivered('ali')).toEqual(['sayı: 1']);
    // The process dies as the second turn is being stored: its replies never reach the database.
    vi.spyOn(before.store, 'commitTurn').mockRejectedValueOnce(new Error('killed'));
    await expect(before.say('ali', 'iki', 'ali-2')).rejects.toThrow('killed');
    await before.close();

    const after = await counting(await startStack(file));
    try {
      expect(await after.adapter.recover()).toMatchObject({ replayed: 1 });
      // Counted from the state the first turn left, not from the one the lost turn computed.
      await until(() => expect(after.platform.delivered('ali')).toEqual(['sayı: 2']));
      await after.say('ali', 'üç', 'ali-3');
      expect(after.platform.delivered('ali')).toEqual(['sayı: 2', 'sayı: 3']);
    } finally {
      await after.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The real thing: `src/main.ts` in a child process, the web chat's HTTP API, SIGKILL.

const QUESTIONS = ONE_ANSWER_QUESTIONS;
const CHATS = 16;
const PER_CHAT = 8;

type Child = ChildCozum;

function startChild(dataDir: string, configFile: string): Promise<Child> {
  return startProcess({ dataDir, configFile });
}

function stop(child: Child, signal: NodeJS.Signals): Promise<void> {
  return child.stop(signal);
}

interface ChatState {
  token: string;
  /** Index of the next message to send. */
  next: number;
  /** Message ids whose HTTP answer never arrived. */
  unanswered: string[];
}

function messageOf(chat: number, index: number): { id: string; text: string; expect: string } {
  const [text, expect] = QUESTIONS[(chat + index) % QUESTIONS.length]!;
  return { id: `c${chat}-m${index}`, text, expect };
}

async function send(url: string, token: string, id: string, text: string): Promise<{ duplicate: boolean; replies: { text: string }[] }> {
  const response = await fetch(`${url}/api/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-chat-session': token },
    body: JSON.stringify({ id, text }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as { duplicate: boolean; replies: { text: string }[] };
}

describe('a burst of messages, the process killed (SIGKILL) in the middle, restarted on the same database', () => {
  it('answers every message exactly once, in order per chat, and loses none', async () => {
    const dataDir = path.join(temp.dir, 'child');
    const configFile = path.join(temp.dir, 'child.config.yaml');
    // All chats come from 127.0.0.1 at machine speed: no flood control, no per-address limits.
    writeFileSync(configFile, `nlu:\n  cacheDir: ${JSON.stringify(SHARED_NLU_CACHE)}\nlimits:\n  floodMessages: 100000\n  http: { chatSessions: 0, chatMessages: 0, chatMessagesPerSession: 0, chatReads: 0 }\n`);

    let child = await startChild(dataDir, configFile);
    const chats: ChatState[] = [];
    for (let i = 0; i < CHATS; i++) {
      const response = await fetch(`${child.url}/api/chat/session`, { method: 'POST' });
      chats.push({ token: ((await response.json()) as { token: string }).token, next: 0, unanswered: [] });
    }

    // Every chat writes its messages one after another, all chats at once; the process is killed
    // once about a third of all messages were answered.
    let answered = 0;
    let killed = false;
    const total = CHATS * PER_CHAT;
    const killing = until(() => expect(answered).toBeGreaterThanOrEqual(Math.floor(total / 3)), 60_000).then(async () => {
      killed = true;
      await stop(child, 'SIGKILL');
    });
    await Promise.all(
      chats.map(async (chat, c) => {
        while (chat.next < PER_CHAT && !killed) {
          const message = messageOf(c, chat.next);
          try {
            const result = await send(child.url, chat.token, message.id, message.text);
            expect(result.replies.map((r) => r.text).join('\n')).toContain(message.expect);
            answered++;
          } catch (error) {
            if (!killed) throw error;
            chat.unanswered.push(message.id);
          }
          chat.next++;
        }
      }),
    );
    await killing;
    expect(answered).toBeLessThan(total);

    // Restart on the same database: start-up answers what was stored but not answered.
    child = await startChild(dataDir, configFile);
    try {
      // The client sends again what it never got an answer for (same ids), then the rest.
      await Promise.all(
        chats.map(async (chat, c) => {
          for (const id of chat.unanswered) {
            const index = Number(id.split('-m')[1]);
            const message = messageOf(c, index);
            const result = await send(child.url, chat.token, message.id, message.text);
            // Either it had been stored before the kill (then it is a duplicate, answered by
            // recovery) or it never arrived, and is answered now.
            if (!result.duplicate) expect(result.replies.map((r) => r.text).join('\n')).toContain(message.expect);
          }
          while (chat.next < PER_CHAT) {
            const message = messageOf(c, chat.next);
            const result = await send(child.url, chat.token, message.id, message.text);
            expect(result.duplicate).toBe(false);
            expect(result.replies.map((r) => r.text).join('\n')).toContain(message.expect);
            chat.next++;
          }
        }),
      );

      // What each citizen reads in the web chat: every question once, each followed by its one answer.
      for (const [c, chat] of chats.entries()) {
        const response = await fetch(`${child.url}/api/chat/messages`, { headers: { 'x-chat-session': chat.token } });
        const { messages } = (await response.json()) as { messages: { from: string; text: string }[] };
        const expected = Array.from({ length: PER_CHAT }, (_, i) => messageOf(c, i));
        expect(messages.map((m) => m.from), `chat ${c}`).toEqual(expected.flatMap(() => ['citizen', 'bot']));
        expected.forEach((message, i) => {
          expect(messages[2 * i]!.text).toBe(message.text);
          expect(messages[2 * i + 1]!.text, `chat ${c}, message ${i}`).toContain(message.expect);
        });
      }
    } finally {
      await stop(child, 'SIGTERM');
    }

    // And in the database: every inbound message processed, answered by exactly one reply that names it.
    await expectEachAnsweredOnce(dataDir, total);
  }, 120_000);
});
