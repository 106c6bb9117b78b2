// A local stand-in for the Telegram Bot API (getUpdates with offsets, sendMessage…) that records
// every call, as telegraf talks to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyOf, StandIn, stillListening } from './stand-in.ts';

export const TOKEN = '123456789:AAFakeTokenForTheLocalStandIn_abcdef';

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  /** The stand-in answered it to a caller still listening: a sendMessage counts as delivered. */
  completed: boolean;
  /** Which client called, when its API root names one (`<url>/client/<name>/`): one per Çözüm instance. */
  client?: string;
}

interface Failure {
  status: number;
  body: Record<string, unknown>;
  /** Only when the call's body matches (e.g. only HTML messages). */
  when?: (body: Record<string, unknown>) => boolean;
}

/** Plays the Telegram Bot API on 127.0.0.1: long polling with offsets, records every call. */
export class BotApiStandIn extends StandIn {
  readonly calls: ApiCall[] = [];
  private readonly pending: { update_id: number }[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private readonly failures = new Map<string, Failure[]>();
  /** Files citizens sent, by file_id: getFile names them, /file/bot<token>/<path> serves them. */
  private readonly files = new Map<string, Buffer>();
  /** Downloads of a file answered 500 before one succeeds. */
  private readonly failingDownloads = new Map<string, number>();
  /** Successful file downloads, by file_id. */
  readonly downloads: string[] = [];
  /** Long polls in progress: Telegram lets one getUpdates run at a time per bot. */
  private readonly polls = new Set<{ client?: string; request: IncomingMessage; response: ServerResponse }>();
  /** Clients refused with 409 because another client was polling. */
  readonly conflicts: string[] = [];

  constructor() {
    // sendMessage and sendChatAction wait for `latency`; getUpdates, getMe and setWebhook do not.
    super('call');
  }

  async close(): Promise<void> {
    // Ends a long poll in progress.
    this.events.emit('update');
    await super.close();
  }

  /** Queues updates for getUpdates; several pushed at once arrive in one batch. */
  push(...updates: Record<string, unknown>[]): number[] {
    const ids = updates.map((update) => {
      const id = this.nextUpdateId++;
      this.pending.push({ update_id: id, ...update });
      return id;
    });
    this.events.emit('update');
    return ids;
  }

  /** A file the citizen sends (its file_id); its downloads fail `failures` times first. */
  addFile(fileId: string, bytes: Buffer, failures = 0): void {
    this.files.set(fileId, bytes);
    if (failures > 0) this.failingDownloads.set(fileId, failures);
  }

  /** The next calls of `method` fail with this answer. */
  fail(method: string, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  /** The clients that called getUpdates, from the call `from` on. */
  pollers(from = 0): Set<string | undefined> {
    return new Set(this.calls.slice(from).filter((call) => call.method === 'getUpdates').map((call) => call.client));
  }

  sent(chatId?: number): ApiCall[] {
    return this.calls.filter((call) => call.method === 'sendMessage' && (chatId === undefined || call.body.chat_id === chatId));
  }

  /** What reached one chat, in order: sendMessage calls the stand-in answered. */
  received(chatId: number): string[] {
    return this.sent(chatId).filter((call) => call.completed).map(visible);
  }

  private serveFile(token: string, fileId: string, response: ServerResponse): void {
    const bytes = this.files.get(fileId);
    if (token !== TOKEN || !bytes) return void response.writeHead(404).end();
    const failures = this.failingDownloads.get(fileId) ?? 0;
    if (failures > 0) {
      this.failingDownloads.set(fileId, failures - 1);
      return void response.writeHead(500).end();
    }
    this.downloads.push(fileId);
    this.recorded();
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
  }

  protected describe(): string {
    return `sendMessage calls:\n${this.sent().map((call) => `${call.body.chat_id}: ${String(call.body.text).slice(0, 80)}`).join('\n')}`;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const file = /^\/file\/bot([^/]+)\/files\/(.+)$/.exec(request.url ?? '');
    if (file) return this.serveFile(file[1]!, decodeURIComponent(file[2]!), response);
    const match = /^(?:\/client\/([\w-]+))?\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    const raw = await bodyOf(request);
    const reply = (status: number, body: unknown) => {
      if (!response.writableEnded && !response.destroyed) response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!match || match[2] !== TOKEN) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = match[3]!;
    const client = match[1];
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const call: ApiCall = { method, body, completed: false, ...(client && { client }) };
    if (method !== 'getUpdates') {
      this.calls.push(call);
      this.recorded();
    }
    if (method === 'sendMessage' || method === 'sendChatAction') {
      await this.latency.wait();
      if (!stillListening(request, response)) return;
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
        this.calls.push(call);
        this.recorded();
        // A second bot instance polling while another does: Telegram refuses it (told apart here by their API roots).
        if (client && [...this.polls].some((poll) => poll.client !== client && stillListening(poll.request, poll.response))) {
          this.conflicts.push(client);
          return reply(409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
        }
        const poll = { client, request, response };
        this.polls.add(poll);
        response.once('close', () => this.polls.delete(poll));
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
        reply(200, { ok: true, result: { message_id: this.nextMessageId++, date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text } });
        call.completed = true;
        this.recorded();
        return;
      case 'getFile': {
        const fileId = String(body.file_id);
        const bytes = this.files.get(fileId);
        if (!bytes) return reply(400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        if (bytes.length > 20 * 1024 * 1024) return reply(400, { ok: false, error_code: 400, description: 'Bad Request: file is too big' });
        return reply(200, { ok: true, result: { file_id: fileId, file_unique_id: `u-${fileId}`, file_size: bytes.length, file_path: `files/${encodeURIComponent(fileId)}` } });
      }
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
