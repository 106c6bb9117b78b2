// The channel's side of the Bot Connector API on 127.0.0.1: records what the bot posts to a
// conversation, for tests that post activities to /api/messages as a Bot Framework channel would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

export interface Recorded {
  path: string;
  body: Partial<Activity>;
}

/** The channel's side of the Bot Connector API: records what the bot posts to the conversation. */
export class ConnectorStandIn {
  readonly posts: Recorded[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(request.url ?? '')) {
          this.posts.push({ path: decodeURIComponent(request.url!), body: JSON.parse(body) as Partial<Activity> });
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `reply-${this.posts.length}` }));
        } else {
          response.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Messages (not typing indicators) posted to a conversation since index `from`. */
  messages(conversationId: string, from = 0): Recorded[] {
    return this.posts.slice(from).filter((post) => post.body.type === 'message' && post.body.conversation?.id === conversationId);
  }
}
