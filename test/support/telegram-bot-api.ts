// A local stand-in for the Telegram Bot API (getUpdates with offsets, sendMessage…) that records
// every call, and a Telegram user who writes to the bot and waits for its replies: for tests that
// run the real telegraf code path against it.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForEvent } from './wait.ts';

export const TOKEN = '123456789:AAFakeTokenForTheLocalStandIn_abcdef';
const WAIT_MS = 20_000;

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
}

interface Failure {
  status: number;
  body: Record<string, unknown>;
  /** Only when the call's body matches (e.g. only HTML messages). */
  when?: (body: Record<string, unknown>) => boolean;
}

/** Plays the Telegram Bot API on 127.0.0.1: long polling with offsets, records every call. */
export class BotApiStandIn {
  readonly calls: ApiCall[] = [];
  private readonly events = new EventEmitter();
  private readonly pending: { update_id: number }[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private readonly failures = new Map<string, Failure[]>();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.events.setMaxListeners(100);
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.events.emit('update');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues updates for getUpdates; several pushed at once arrive in one batch. */
  push(...updates: Record<string, unknown>[]): void {
    for (const update of updates) this.pending.push({ update_id: this.nextUpdateId++, ...update });
    this.events.emit('update');
  }

  /** The next calls of `method` fail with this answer. */
  fail(method: string, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  sent(chatId?: number): ApiCall[] {
    return this.calls.filter((call) => call.method === 'sendMessage' && (chatId === undefined || call.body.chat_id === chatId));
  }

  /** Resolves once `find` returns something; rejects after a generous bound with what was recorded. */
  waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
    return waitForEvent(this.events, 'call', find, {
      what,
      timeoutMs: WAIT_MS,
      describe: () => `sendMessage calls:\n${this.sent().map((call) => `${call.body.chat_id}: ${String(call.body.text).slice(0, 80)}`).join('\n')}`,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const reply = (status: number, body: unknown) => {
      if (!response.writableEnded && !response.destroyed) response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!match || match[1] !== TOKEN) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = match[2]!;
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    if (method !== 'getUpdates') {
      this.calls.push({ method, body });
      this.events.emit('call');
    }
    const failures = this.failures.get(method) ?? [];
    const failure = failures.findIndex((f) => !f.when || f.when(body));
    if (failure >= 0) {
      const [chosen] = failures.splice(failure, 1);
      return reply(chosen!.status, chosen!.body);
    }
    switch (method) {
      case 'getMe':
        return reply(200, { ok: true, result: { id: 999, is_bot: true, first_name: 'Yeşilova Belediyesi', username: 'yesilova_bot' } });
      case 'getUpdates': {
        this.calls.push({ method, body });
        // Updates below the offset are confirmed: Telegram forgets them.
        const offset = Number(body.offset ?? 0);
        while (this.pending.length > 0 && this.pending[0]!.update_id < offset) this.pending.shift();
        if (this.pending.length === 0 && !body.limit) {
          // Long poll, briefly: until an update is pushed or a second has passed.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, 1000);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            this.events.once('update', done);
          });
        }
        return reply(200, { ok: true, result: this.pending.slice(0, Number(body.limit ?? 100)) });
      }
      case 'sendMessage':
        return reply(200, { ok: true, result: { message_id: this.nextMessageId++, date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text } });
      case 'sendChatAction':
      case 'setWebhook':
      case 'deleteWebhook':
        return reply(200, { ok: true, result: true });
      default:
        return reply(404, { ok: false, error_code: 404, description: `Not Found: method ${method}` });
    }
  }
}

/** The text a citizen reads: Telegram renders the HTML, so tags vanish and entities are decoded. */
export function visible(call: ApiCall): string {
  return String(call.body.text).replace(/<\/?b>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function keyboardOf(call: ApiCall): string[] | undefined {
  const markup = call.body.reply_markup as { keyboard?: { text: string }[][] } | undefined;
  return markup?.keyboard?.map((row) => row.map((button) => button.text).join('|'));
}

/** A Telegram user in a private chat with the bot. */
export class TelegramCitizen {
  private messageId = 0;
  /** Replies already matched: the next expectation looks after them. */
  private seen = 0;
  constructor(
    private readonly api: BotApiStandIn,
    readonly chatId: number,
    readonly firstName = 'Ayşe',
    readonly lastName = 'Yılmaz',
  ) {}

  message(content: Record<string, unknown>): Record<string, unknown> {
    const from = { id: this.chatId, is_bot: false, first_name: this.firstName, last_name: this.lastName, language_code: 'tr' };
    return { message_id: ++this.messageId, date: Math.floor(Date.now() / 1000), chat: { id: this.chatId, type: 'private', first_name: this.firstName }, from, ...content };
  }

  /** Sends `content` (text, photo, location…) and waits for the bot's reply matching `pattern`. */
  async says(content: string | Record<string, unknown>, pattern: RegExp): Promise<ApiCall> {
    this.api.push({ message: this.message(typeof content === 'string' ? { text: content } : content) });
    return this.reply(pattern);
  }

  async reply(pattern: RegExp): Promise<ApiCall> {
    const { call, index } = await this.api.waitFor(() => {
      const sent = this.api.sent(this.chatId);
      for (let index = this.seen; index < sent.length; index++) if (pattern.test(visible(sent[index]!))) return { call: sent[index]!, index };
      return undefined;
    }, `a reply to chat ${this.chatId} matching ${pattern}`);
    this.seen = index + 1;
    return call;
  }
}
