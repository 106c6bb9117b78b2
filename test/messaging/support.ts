// A small messaging stack on a real SQLite file (or PostgreSQL database, see support/database.ts), without the bot: the adapter, its store and outbox,
// a bot that answers "yanıt: <text>", and a fake platform whose sender fails the way we script it.
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { ChatAdapter, type ChatAdapterOptions } from '../../src/messaging/adapter.ts';
import { createLogger } from '../../src/log.ts';
import { ConversationStore } from '../../src/messaging/conversation-store.ts';
import type { ChannelSender, DeliveryTarget } from '../../src/messaging/delivery.ts';
import type { OutboundMessage } from '../../src/messaging/message.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { testDatabaseUrl } from '../support/database.ts';

export const CHANNEL = 'fake';

export interface Attempt {
  chat: string;
  text: string;
  at: number;
  ok: boolean;
}

/** Decides how one attempt goes: throw to fail it, return (or resolve) to deliver it. */
export type Script = (attempt: { chat: string; text: string; number: number }) => void | Promise<void>;

export class FakePlatform {
  readonly attempts: Attempt[] = [];
  private readonly counts = new Map<string, number>();
  script: Script = () => undefined;

  readonly sender: ChannelSender = {
    send: async (target: DeliveryTarget, message: OutboundMessage) => {
      const chat = String(target.address.chat);
      const key = `${chat}\u0000${message.text}`;
      const number = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, number);
      const entry: Attempt = { chat, text: message.text, at: Date.now(), ok: false };
      this.attempts.push(entry);
      await this.script({ chat, text: message.text, number });
      entry.ok = true;
    },
  };

  /** What reached a chat, in order. */
  delivered(chat: string): string[] {
    return this.attempts.filter((a) => a.chat === chat && a.ok).map((a) => a.text);
  }

  attemptsOf(text: string): Attempt[] {
    return this.attempts.filter((a) => a.text === text);
  }
}

export interface Stack {
  db: Database;
  store: ConversationStore;
  adapter: ChatAdapter;
  platform: FakePlatform;
  /** A citizen's message on the fake channel; resolves when its replies had their first delivery attempt. */
  say(chat: string, text: string, id?: string): ReturnType<ChatAdapter['receive']>;
  close(): Promise<void>;
}

/** Answers "yanıt: <text>"; "iki: <text>" gets two replies, to check their order. */
export async function echoLogic(context: TurnContext): Promise<void> {
  if (context.activity.type !== ActivityTypes.Message) return;
  const text = context.activity.text ?? '';
  if (text.startsWith('iki:')) {
    await context.sendActivity(`birinci: ${text}`);
    await context.sendActivity(`ikinci: ${text}`);
    return;
  }
  await context.sendActivity(`yanıt: ${text}`);
}

let counter = 0;

export async function startStack(file: string, options: ChatAdapterOptions = {}, platform = new FakePlatform()): Promise<Stack> {
  const { db } = await openDatabase(await testDatabaseUrl(file));
  const store = new ConversationStore(db);
  const adapter = new ChatAdapter(store, createLogger('silent'), options);
  adapter.setLogic(echoLogic);
  adapter.registerChannel(CHANNEL, platform.sender);
  return {
    db,
    store,
    adapter,
    platform,
    say: (chat, text, id) => adapter.receive({ channel: CHANNEL, userId: chat, text, platformMessageId: id ?? `p${++counter}`, address: { chat } }),
    async close() {
      await adapter.close();
      await db.$disconnect();
    },
  };
}

/** Small, fast backoff for tests. */
export const FAST = { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5, jitter: 0.5 };
