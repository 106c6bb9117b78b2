// Every channel stores before it acknowledges. Per channel: `src/main.ts` in a child process
// behind a slow platform stand-in (each send answered after SLOW_MS), a burst from several chats
// through the platform's own webhook wire format, SIGKILL once half of the messages were
// acknowledged, a restart on the same database. Every message the platform got a 2xx for must be
// stored, and every message answered exactly once, in order per chat; what got no 2xx the platform
// delivers again, as WhatsApp, Telegram and Bot Framework do. (The web chat's run is in
// test/messaging/recovery.test.ts.)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { webhookPath } from '../../src/channels/telegram/index.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { ConnectorStandIn } from '../support/bot-connector.ts';
import { expectEachAnsweredOnce, killAll, startChild, type ChildCozum } from '../support/child.ts';
import { SHARED_NLU_CACHE, tempDir } from '../support/cozum.ts';
import { ACCESS_TOKEN, APP_SECRET, GraphStandIn, PHONE_NUMBER_ID, postWebhook, VERIFY_TOKEN, webhookBody } from '../support/graph-api.ts';
import { BotApiStandIn, TOKEN } from '../support/telegram-api.ts';
import { ONE_ANSWER_QUESTIONS } from '../support/questions.ts';

const temp = tempDir('cozum-crash-');
afterAll(() => {
  killAll();
  temp.remove();
});

const QUESTIONS = ONE_ANSWER_QUESTIONS;
const CHATS = 6;
const PER_CHAT = 6;
const TOTAL = CHATS * PER_CHAT;
/** How long the platform takes to answer each send. */
const SLOW_MS = 300;

function question(chat: number, index: number): readonly [string, string] {
  return QUESTIONS[(chat + index) % QUESTIONS.length]!;
}

/** A platform as the burst sees it. */
interface Platform {
  name: string;
  /** The channel's settings in cozum.config.yaml, pointing at the stand-in. */
  settings: Record<string, unknown>;
  /** Delivers message `index` of chat `chat` as the platform does; the HTTP status Çözüm answered. */
  deliver(url: string, chat: number, index: number, text: string): Promise<number>;
  /** The message's id as stored (Message.platformMessageId). */
  storedId(chat: number, index: number): string;
  /** What reached a chat, in order. */
  received(chat: number): string[];
  waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T>;
}

/**
 * The chat's answers with a resend folded into the one before it. A reply the platform took just
 * before the kill, whose delivery the process had not yet recorded, is sent again after the
 * restart (delivery is at least once): right after itself, since a chat's next reply waits until
 * the one before it is recorded. Anything else repeated stays in, and fails the test.
 */
function collapsed(texts: string[]): { texts: string[]; repeats: number } {
  const out: string[] = [];
  for (const text of texts) if (out.at(-1) !== text) out.push(text);
  return { texts: out, repeats: texts.length - out.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function burstKillRestart(platform: Platform): Promise<void> {
  const dataDir = path.join(temp.dir, platform.name);
  const configFile = path.join(temp.dir, `${platform.name}.config.yaml`);
  // JSON is YAML.
  writeFileSync(configFile, JSON.stringify({ nlu: { cacheDir: SHARED_NLU_CACHE }, limits: { floodMessages: 100_000 }, channels: platform.settings }));

  let child: ChildCozum = await startChild({ dataDir, configFile });
  const acknowledged = new Set<string>();
  const ackMs: number[] = [];
  /** Messages the platform got no 2xx for: it delivers them again. */
  const again: [number, number][] = [];
  const next = Array.from({ length: CHATS }, () => 0);
  let killed = false;
  const killing = vi
    .waitFor(() => expect(acknowledged.size).toBeGreaterThanOrEqual(TOTAL / 2), { timeout: 90_000, interval: 5 })
    .then(async () => {
      killed = true;
      await child.stop('SIGKILL');
    });
  // Every chat writes its messages one after another, all chats at once.
  await Promise.all(
    next.map(async (_, chat) => {
      while (next[chat]! < PER_CHAT && !killed) {
        const index = next[chat]!;
        const started = Date.now();
        const status = await platform.deliver(child.url, chat, index, question(chat, index)[0]).catch((error: unknown) => {
          if (!killed) throw error;
          return 0;
        });
        if (status >= 200 && status < 300) {
          acknowledged.add(platform.storedId(chat, index));
          ackMs.push(Date.now() - started);
        } else if (killed) {
          again.push([chat, index]);
        } else {
          throw new Error(`${platform.name}: message ${chat}/${index} answered ${status}`);
        }
        next[chat]!++;
      }
    }),
  );
  await killing;
  const figures = [`${platform.name}: ${TOTAL} messages, platform answering each send after ${SLOW_MS} ms`, `acknowledged before SIGKILL ${acknowledged.size} (median ${median(ackMs)} ms, slowest ${Math.max(...ackMs)} ms)`];

  child = await startChild({ dataDir, configFile });
  try {
    // Recovery ran before the server listened: everything acknowledged is stored.
    const { db } = await openDatabase(`file:${path.join(dataDir, 'cozum.db')}`);
    try {
      const stored = new Set((await db.message.findMany({ where: { direction: 'in' }, select: { platformMessageId: true } })).map((row) => row.platformMessageId));
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      figures.push(`of those stored after restart ${acknowledged.size - lost.length}, lost ${lost.length}`);
      expect(lost, figures.join('; ')).toEqual([]);
    } finally {
      await db.$disconnect();
    }

    // The platform delivers again what got no 2xx, and the chats write the rest.
    await Promise.all(
      next.map(async (_, chat) => {
        for (const [c, index] of again) if (c === chat) expect(await platform.deliver(child.url, chat, index, question(chat, index)[0])).toBe(200);
        for (; next[chat]! < PER_CHAT; next[chat]!++) expect(await platform.deliver(child.url, chat, next[chat]!, question(chat, next[chat]!)[0])).toBe(200);
      }),
    );

    // What each citizen reads: every question answered, in order.
    const complete = () => next.every((_, chat) => collapsed(platform.received(chat)).texts.length >= PER_CHAT) || undefined;
    await platform.waitFor(complete, 'an answer to every message', 90_000).catch((error: unknown) => {
      const answered = next.reduce((sum, _, chat) => sum + collapsed(platform.received(chat)).texts.length, 0);
      throw new Error(`${figures.join('; ')}; answered after restart ${answered} of ${TOTAL}`, { cause: error });
    });
    let repeats = 0;
    for (let chat = 0; chat < CHATS; chat++) {
      const answers = collapsed(platform.received(chat));
      repeats += answers.repeats;
      expect(answers.texts, `chat ${chat}: ${platform.received(chat).map((text) => text.slice(0, 24)).join(' | ')}`).toHaveLength(PER_CHAT);
      answers.texts.forEach((text, index) => expect(text, `chat ${chat}, message ${index}`).toContain(question(chat, index)[1]));
    }
    figures.push(`answered after restart ${TOTAL} of ${TOTAL}, in order; replies the platform got twice ${repeats}`);
  } finally {
    await child.stop('SIGTERM');
  }

  // And in the database: every message once, processed, answered by exactly one reply that names it.
  await expectEachAnsweredOnce(dataDir, TOTAL);
  console.info(figures.join('\n  '));
}

describe('SIGKILL during a burst, restart on the same database: every acknowledged message stored and answered once, in order', () => {
  it('WhatsApp Cloud API (webhook 200)', async () => {
    const graph = await new GraphStandIn().start();
    graph.latency.slowMs = SLOW_MS;
    const waId = (chat: number) => `90555300${String(chat).padStart(4, '0')}`;
    try {
      await burstKillRestart({
        name: 'whatsapp-cloud',
        settings: { whatsappCloud: { accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, graphApiBase: graph.url } },
        async deliver(url, chat, index, text) {
          const message = { from: waId(chat), id: this.storedId(chat, index), timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } };
          const response = await postWebhook(`${url}/whatsapp/webhook`, webhookBody({ contacts: [{ profile: { name: 'Ayşe' }, wa_id: waId(chat) }], messages: [message] }));
          return response.status;
        },
        storedId: (chat, index) => `wamid.CRASH.${chat}.${index}`,
        received: (chat) => graph.received(waId(chat)),
        waitFor: (find, what, timeoutMs) => graph.waitFor(find, what, timeoutMs),
      });
    } finally {
      await graph.close();
    }
  }, 240_000);

  it('Telegram (webhook 200)', async () => {
    const api = await new BotApiStandIn().start();
    api.latency.slowMs = SLOW_MS;
    const secret = 'crash-test-secret_0123456789';
    const chatId = (chat: number) => 7_100 + chat;
    try {
      await burstKillRestart({
        name: 'telegram',
        settings: { telegram: { token: TOKEN, apiRoot: api.url, webhookUrl: 'https://belediye.example.org', secretToken: secret } },
        async deliver(url, chat, index, text) {
          const from = { id: chatId(chat), is_bot: false, first_name: 'Ayşe' };
          const message = { message_id: index + 1, date: Math.floor(Date.now() / 1000), chat: { id: chatId(chat), type: 'private', first_name: 'Ayşe' }, from, text };
          const response = await fetch(`${url}${webhookPath(TOKEN)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret },
            body: JSON.stringify({ update_id: chat * 100 + index + 1, message }),
          });
          return response.status;
        },
        storedId: (chat, index) => `${chatId(chat)}:${index + 1}`,
        received: (chat) => api.received(chatId(chat)),
        waitFor: (find, what, timeoutMs) => api.waitFor(find, what, timeoutMs),
      });
    } finally {
      await api.close();
    }
  }, 240_000);

  it('Bot Framework (Emulator mode, /api/messages 200)', async () => {
    const connector = await new ConnectorStandIn().start();
    connector.latency.slowMs = SLOW_MS;
    try {
      await burstKillRestart({
        name: 'botframework',
        settings: { botFramework: { emulator: true } },
        async deliver(url, chat, index, text) {
          const activity: Partial<Activity> = {
            type: 'message',
            id: this.storedId(chat, index),
            channelId: 'emulator',
            serviceUrl: connector.url,
            from: { id: `user-${chat}`, name: 'Ayşe' },
            recipient: { id: 'cozum-bot', name: 'Çözüm' },
            conversation: { id: `conv-${chat}` } as Activity['conversation'],
            text,
          };
          const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
          return response.status;
        },
        storedId: (chat, index) => `act-${chat}-${index}`,
        received: (chat) => connector.received(`conv-${chat}`),
        waitFor: (find, what, timeoutMs) => connector.waitFor(find, what, timeoutMs),
      });
    } finally {
      await connector.close();
    }
  }, 240_000);
});
