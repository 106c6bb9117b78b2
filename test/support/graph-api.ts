// A local stand-in for WhatsApp's Graph API (`POST /<phone number id>/messages`) that records
// what would reach citizens' phones, and helpers that speak the webhook's wire format.
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyOf, StandIn, stillListening } from './stand-in.ts';

export const PHONE_NUMBER_ID = '109876543210';
export const APP_SECRET = 'app-secret-0123456789abcdef';
export const ACCESS_TOKEN = 'EAAG-test-access-token-0123456789';
export const VERIFY_TOKEN = 'dogrulama-123';

export interface GraphCall {
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
  /** The stand-in answered it 200 to a sender still listening: the message counts as sent. */
  completed: boolean;
}

/** Plays the Graph API's /<phone number id>/messages endpoint on 127.0.0.1. */
export class GraphStandIn extends StandIn {
  readonly calls: GraphCall[] = [];
  private readonly failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  private nextId = 1;
  /** Media citizens sent, by media id: GET /<media id> answers its URL, GET of the URL its bytes (both with the token). */
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string; failures: number }>();
  /** Successful media downloads, by media id. */
  readonly downloads: string[] = [];

  constructor() {
    super('call', '/v21.0');
  }

  /** Media the citizen sends; its downloads fail `failures` times first (500). */
  addMedia(id: string, bytes: Buffer, mimeType: string, failures = 0): void {
    this.media.set(id, { bytes, mimeType, failures });
  }

  private serveMedia(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '';
    const lookup = /^\/v21\.0\/([\w.-]+)$/.exec(url);
    const download = /^\/media-download\/([\w.-]+)$/.exec(url);
    if (request.method !== 'GET' || (!lookup && !download)) return false;
    if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Invalid OAuth access token', code: 190 } }));
      return true;
    }
    const id = decodeURIComponent((lookup ?? download)![1]!);
    const item = this.media.get(id);
    if (!item) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Unsupported get request', code: 100 } }));
      return true;
    }
    if (lookup) {
      const base = this.url.replace(/\/v21\.0$/, '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ messaging_product: 'whatsapp', url: `${base}/media-download/${encodeURIComponent(id)}`, mime_type: item.mimeType, file_size: item.bytes.length, id }),
      );
      return true;
    }
    if (item.failures > 0) {
      item.failures--;
      response.writeHead(500).end();
      return true;
    }
    this.downloads.push(id);
    this.recorded();
    response.writeHead(200, { 'content-type': item.mimeType, 'content-length': item.bytes.length }).end(item.bytes);
    return true;
  }

  fail(status: number, body: unknown, headers?: Record<string, string>): void {
    this.failures.push({ status, body, headers });
  }

  /** Messages (not read receipts) sent to one citizen. */
  sent(to?: string): GraphCall[] {
    return this.calls.filter((call) => call.body.type !== undefined && (to === undefined || call.body.to === to));
  }

  /** What reached one citizen's phone, in order: sends the stand-in answered 200. */
  received(to: string): string[] {
    return this.sent(to).filter((call) => call.completed).map(visible);
  }

  protected describe(): string {
    return `Sent:\n${this.sent().map((c) => `${c.body.to}: ${visible(c).slice(0, 80)}`).join('\n')}`;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.serveMedia(request, response)) return;
    const raw = await bodyOf(request);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      void response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (request.method !== 'POST' || request.url !== `/v21.0/${PHONE_NUMBER_ID}/messages`) return json(404, { error: { message: 'Unknown path', code: 100 } });
    const body = JSON.parse(raw) as Record<string, unknown>;
    const call: GraphCall = { path: request.url, authorization: request.headers.authorization, body, completed: false };
    this.calls.push(call);
    this.recorded();
    await this.latency.wait();
    if (!stillListening(request, response)) return;
    const failure = this.failures.shift();
    if (failure) return json(failure.status, failure.body, failure.headers);
    if (body.status === 'read') json(200, { success: true });
    else json(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.TEST${this.nextId++}` }] });
    call.completed = true;
    this.recorded();
  }
}

/** What the citizen reads on the phone: the text, or the interactive body and its options, or the template's text. */
export function visible(call: GraphCall): string {
  const body = call.body as {
    type: string;
    text?: { body: string };
    interactive?: { body: { text: string }; action: { buttons?: { reply: { title: string } }[]; sections?: { rows: { title: string }[] }[] } };
    template?: { components: { parameters: { text: string }[] }[] };
  };
  if (body.type === 'text') return body.text!.body;
  if (body.type === 'template') return body.template!.components[0]!.parameters[0]!.text;
  const action = body.interactive!.action;
  const options = action.buttons?.map((b) => b.reply.title) ?? action.sections!.flatMap((s) => s.rows.map((r) => r.title));
  return `${body.interactive!.body.text}\n[${options.join(' | ')}]`;
}

export function optionsOf(call: GraphCall): { id: string; title: string }[] {
  const interactive = call.body.interactive as { action: { buttons?: { reply: { id: string; title: string } }[]; sections?: { rows: { id: string; title: string }[] }[] } };
  return interactive.action.buttons?.map((b) => b.reply) ?? interactive.action.sections!.flatMap((s) => s.rows);
}

export function sign(raw: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** A webhook call's body as Meta sends it, for our phone number. */
export function webhookBody(value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200000000000001',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '905320000153', phone_number_id: PHONE_NUMBER_ID }, ...value } }],
      },
    ],
  };
}

/** Posts a signed webhook call (or one signed as `signature` says; null: unsigned). */
export function postWebhook(webhookUrl: string, payload: unknown, signature?: string | null): Promise<Response> {
  const raw = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature ?? sign(raw);
  return fetch(webhookUrl, { method: 'POST', headers, body: raw });
}

/** The settings that point Çözüm's WhatsApp Cloud channel at a stand-in. */
export function whatsAppCloudSettings(graph: GraphStandIn): Record<string, string> {
  return {
    'channels.whatsappCloud.accessToken': ACCESS_TOKEN,
    'channels.whatsappCloud.phoneNumberId': PHONE_NUMBER_ID,
    'channels.whatsappCloud.appSecret': APP_SECRET,
    'channels.whatsappCloud.verifyToken': VERIFY_TOKEN,
    'channels.whatsappCloud.graphApiBase': graph.url,
  };
}
