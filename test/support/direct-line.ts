// A local stand-in for Azure's Direct Line service, the relay between Microsoft's Web Chat in a
// browser and a bot: Direct Line 3.0 for the client (start a conversation, post an activity, poll
// for activities with a watermark), and the Connector API (the serviceUrl) for the bot's replies.
// It also serves a page with Microsoft's own Web Chat bundle (botframework-webchat's UMD build),
// so a browser test sees the bot exactly as a citizen on a municipality's web site would.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { bodyOf, StandIn } from './stand-in.ts';

const require = createRequire(import.meta.url);
// The package exports no subpaths: its UMD bundle is found beside its main entry (lib/index.js).
const WEBCHAT_BUNDLE = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');

interface Conversation {
  activities: Partial<Activity>[];
}

export class DirectLineStandIn extends StandIn {
  private readonly conversations = new Map<string, Conversation>();
  private next = 0;
  private bundle: string | undefined;

  constructor(
    /** The bot's messaging endpoint (…/api/messages). */
    private readonly botEndpoint: () => string,
  ) {
    super('activity');
  }

  /** Every activity of a conversation, as the Web Chat client reads them. */
  activities(conversationId: string): Partial<Activity>[] {
    return this.conversations.get(conversationId)?.activities ?? [];
  }

  /** Every activity of every conversation. */
  all(): Partial<Activity>[] {
    return [...this.conversations.values()].flatMap((c) => c.activities);
  }

  /** The bot's activities (what the bot posted to the Connector API). */
  fromBot(): Partial<Activity>[] {
    return this.all().filter((a) => a.from?.role === 'bot');
  }

  protected describe(): string {
    return [...this.conversations.entries()].map(([id, c]) => `${id}: ${c.activities.map((a) => `${a.from?.role}: ${String(a.text ?? a.type).slice(0, 60)}`).join(' | ')}`).join('\n');
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  private add(conversationId: string, activity: Partial<Activity>): Partial<Activity> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId}`);
    const stored = { ...activity, id: `${conversationId}|${String(conversation.activities.length).padStart(7, '0')}`, timestamp: new Date() } as Partial<Activity>;
    conversation.activities.push(stored);
    this.recorded();
    return stored;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const body = await bodyOf(request);

    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/webchat.js') {
      this.bundle ??= readFileSync(WEBCHAT_BUNDLE, 'utf8');
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(this.bundle);
      return;
    }

    // Direct Line 3.0, as botframework-directlinejs calls it with webSocket: false.
    if (request.method === 'POST' && url.pathname === '/v3/directline/conversations') {
      const conversationId = `dl-${++this.next}`;
      this.conversations.set(conversationId, { activities: [] });
      this.json(response, 201, { conversationId, token: `token-${conversationId}`, expires_in: 1800 });
      return;
    }
    const client = /^\/v3\/directline\/conversations\/([^/]+)\/activities$/.exec(url.pathname);
    if (client) {
      const conversationId = decodeURIComponent(client[1]!);
      if (!this.conversations.has(conversationId)) return this.json(response, 404, { error: { code: 'BadArgument', message: 'Conversation not found' } });
      if (request.method === 'GET') {
        const watermark = Number(url.searchParams.get('watermark') ?? 0) || 0;
        const all = this.activities(conversationId);
        this.json(response, 200, { activities: all.slice(watermark), watermark: String(all.length) });
        return;
      }
      if (request.method === 'POST') {
        const activity = JSON.parse(body) as Partial<Activity>;
        const stored = this.add(conversationId, { ...activity, from: { ...activity.from, id: activity.from?.id ?? 'citizen', role: 'user' } as Activity['from'], channelId: 'directline' });
        // Relayed to the bot as Azure does: with this relay as the serviceUrl for its replies.
        const relayed: Partial<Activity> = {
          ...stored,
          serviceUrl: this.url,
          channelId: 'directline',
          conversation: { id: conversationId } as Activity['conversation'],
          recipient: { id: 'cozum-bot', name: 'Çözüm', role: 'bot' } as Activity['recipient'],
        };
        const answer = await fetch(this.botEndpoint(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(relayed) });
        if (!answer.ok) return this.json(response, 502, { error: { code: 'BotError', message: `bot answered ${answer.status}` } });
        this.json(response, 200, { id: stored.id });
        return;
      }
    }

    // Connector API: the bot's replies and proactive messages.
    const bot = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
    if (request.method === 'POST' && bot) {
      const conversationId = decodeURIComponent(bot[1]!);
      if (!this.conversations.has(conversationId)) return this.json(response, 404, { error: { code: 'BadArgument', message: 'Conversation not found' } });
      const activity = JSON.parse(body) as Partial<Activity>;
      await this.latency.wait();
      const stored = this.add(conversationId, { ...activity, from: { id: 'cozum-bot', name: 'Çözüm', role: 'bot' } as Activity['from'] });
      this.json(response, 200, { id: stored.id });
      return;
    }
    response.writeHead(404).end();
  }
}

/** Web Chat as a municipality embeds it: Direct Line polling this relay. */
const PAGE = `<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><title>Web Chat</title>
<style>html, body, #webchat { height: 100%; margin: 0 } body { width: 560px }</style></head>
<body><div id="webchat" role="main"></div>
<script src="/webchat.js"></script>
<script>
  const directLine = window.WebChat.createDirectLine({ domain: location.origin + '/v3/directline', token: 'unused', webSocket: false, pollingInterval: 200 });
  window.WebChat.renderWebChat({ directLine, userID: 'vatandas-1', username: 'Ayşe', locale: 'tr-TR' }, document.getElementById('webchat'));
</script></body></html>`;
