// A local stand-in for a Bot Framework channel's Connector API (the serviceUrl replies are posted
// to), recording what the bot sends to each conversation; and Çözüm taking activities from it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { lateBound, startTestCozum, tempDir } from './cozum.ts';
import { bodyOf, StandIn, stillListening } from './stand-in.ts';

/** Bot Framework without Microsoft credentials: for the Emulator on this machine, when asked for. */
export const EMULATOR = { 'channels.botFramework.emulator': true };

/**
 * For a test file: a Connector stand-in, and a Çözüm over HTTP that takes activities as from the
 * Emulator (its replies go to the activity's serviceUrl: the stand-in). `cozum` stands for the
 * running instance; `restart` stops it and starts another on the same data folder.
 */
export function useEmulatorCozum(): { connector: ConnectorStandIn; cozum: Cozum; dataDir: string; restart(): Promise<void> } {
  const connector = new ConnectorStandIn();
  const temp = tempDir();
  let cozum: Cozum | undefined;
  const start = async () => {
    cozum = await startTestCozum(temp.dir, { http: true, overrides: EMULATOR });
  };
  beforeAll(async () => {
    await connector.start();
    await start();
  });
  afterAll(async () => {
    await cozum?.close();
    await connector.close();
    temp.remove();
  });
  const restart = async () => {
    await cozum?.close();
    cozum = undefined;
    await start();
  };
  return { connector, cozum: lateBound(() => cozum, 'Çözüm'), dataDir: temp.dir, restart };
}

export interface Recorded {
  path: string;
  body: Partial<Activity>;
  /** The stand-in answered it to a bot still listening: the activity counts as delivered. */
  completed: boolean;
}

export class ConnectorStandIn extends StandIn {
  readonly posts: Recorded[] = [];
  /** Attachments citizens sent, served at /v3/attachments/<id>/views/original as the connector does. */
  private readonly files = new Map<string, { bytes: Buffer; contentType: string }>();

  /** An attachment's contentUrl, serving `bytes`. */
  addAttachment(id: string, bytes: Buffer, contentType: string): string {
    this.files.set(id, { bytes, contentType });
    return `${this.url}/v3/attachments/${encodeURIComponent(id)}/views/original`;
  }

  constructor() {
    super('post');
  }

  /** Messages (not typing indicators) posted to a conversation since index `from`. */
  messages(conversationId: string, from = 0): Recorded[] {
    return this.posts.slice(from).filter((post) => post.body.type === 'message' && post.body.conversation?.id === conversationId);
  }

  /** The texts that reached a conversation, in order. */
  received(conversationId: string): string[] {
    return this.messages(conversationId).filter((post) => post.completed).map((post) => post.body.text ?? '');
  }

  protected describe(): string {
    return `Posted:\n${this.posts.map((p) => `${p.path}: ${String(p.body.text ?? p.body.type).slice(0, 80)}`).join('\n')}`;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const attachment = /^\/v3\/attachments\/([^/]+)\/views\/original$/.exec(request.url ?? '');
    if (request.method === 'GET' && attachment) {
      const file = this.files.get(decodeURIComponent(attachment[1]!));
      if (!file) return void response.writeHead(404).end();
      return void response.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.bytes.length }).end(file.bytes);
    }
    const body = await bodyOf(request);
    if (request.method !== 'POST' || !/^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(request.url ?? '')) {
      response.writeHead(404).end();
      return;
    }
    const post: Recorded = { path: decodeURIComponent(request.url!), body: JSON.parse(body) as Partial<Activity>, completed: false };
    this.posts.push(post);
    this.recorded();
    await this.latency.wait();
    if (!stillListening(request, response)) return;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `reply-${this.posts.length}` }));
    post.completed = true;
    this.recorded();
  }
}

/** Records every request that reaches it: the target a forged serviceUrl would aim at. */
export class Bystander extends StandIn {
  readonly requests: { method: string; url: string }[] = [];

  constructor() {
    super('request');
  }

  protected describe(): string {
    return this.requests.map((r) => `${r.method} ${r.url}`).join('\n');
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests.push({ method: request.method ?? '', url: request.url ?? '' });
    this.recorded();
    await bodyOf(request);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"x"}');
  }
}
