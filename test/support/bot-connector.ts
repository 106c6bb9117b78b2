// A local stand-in for a Bot Framework channel's Connector API (the serviceUrl replies are posted
// to), recording what the bot sends to each conversation.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';
import { Latency } from './platform-latency.ts';
import { waitForEvent } from './wait.ts';

export interface Recorded {
  path: string;
  body: Partial<Activity>;
  /** The stand-in answered it to a bot still listening: the activity counts as delivered. */
  completed: boolean;
}

export class ConnectorStandIn {
  readonly posts: Recorded[] = [];
  readonly latency = new Latency();
  private readonly events = new EventEmitter();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.events.setMaxListeners(100);
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.latency.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Messages (not typing indicators) posted to a conversation since index `from`. */
  messages(conversationId: string, from = 0): Recorded[] {
    return this.posts.slice(from).filter((post) => post.body.type === 'message' && post.body.conversation?.id === conversationId);
  }

  /** The texts that reached a conversation, in order. */
  received(conversationId: string): string[] {
    return this.messages(conversationId).filter((post) => post.completed).map((post) => post.body.text ?? '');
  }

  waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    return waitForEvent(this.events, 'post', find, {
      what,
      timeoutMs,
      describe: () => `Posted:\n${this.posts.map((p) => `${p.path}: ${String(p.body.text ?? p.body.type).slice(0, 80)}`).join('\n')}`,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    if (request.method !== 'POST' || !/^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(request.url ?? '')) {
      response.writeHead(404).end();
      return;
    }
    const post: Recorded = { path: decodeURIComponent(request.url!), body: JSON.parse(body) as Partial<Activity>, completed: false };
    this.posts.push(post);
    this.events.emit('post');
    await this.latency.wait();
    // A bot that went away meanwhile (a killed process) never learns the activity arrived.
    if (response.destroyed || request.socket.destroyed || request.socket.readableEnded) return;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `reply-${this.posts.length}` }));
    post.completed = true;
    this.events.emit('post');
  }
}

/** Records every request that reaches it: the target a forged serviceUrl would aim at. */
export class Bystander {
  readonly requests: { method: string; url: string }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.requests.push({ method: request.method ?? '', url: request.url ?? '' });
      request.resume();
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"x"}');
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
