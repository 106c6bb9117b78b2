// A local stand-in for the WhatsApp Cloud API's Graph endpoint (/<phone number id>/messages) that
// records what would reach the citizen's phone, and the shapes of the webhook posts Meta sends:
// for tests that run the real channel code against them.
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForEvent } from './wait.ts';

export const ACCESS_TOKEN = 'EAAG-test-access-token-0123456789';
export const PHONE_NUMBER_ID = '109876543210';
export const APP_SECRET = 'app-secret-0123456789abcdef';
export const VERIFY_TOKEN = 'dogrulama-123';
const WAIT_MS = 20_000;

export interface GraphCall {
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

/** Plays the Graph API's /<phone number id>/messages endpoint on 127.0.0.1. */
export class GraphStandIn {
  readonly calls: GraphCall[] = [];
  private readonly events = new EventEmitter();
  private readonly failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  private nextId = 1;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.events.setMaxListeners(100);
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v21.0`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fail(status: number, body: unknown, headers?: Record<string, string>): void {
    this.failures.push({ status, body, headers });
  }

  /** Messages (not read receipts) sent to one citizen. */
  sent(to?: string): GraphCall[] {
    return this.calls.filter((call) => call.body.type !== undefined && (to === undefined || call.body.to === to));
  }

  waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
    return waitForEvent(this.events, 'call', find, {
      what,
      timeoutMs: WAIT_MS,
      describe: () => `Sent:\n${this.sent().map((c) => `${c.body.to}: ${visible(c).slice(0, 80)}`).join('\n')}`,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      void response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (request.method !== 'POST' || request.url !== `/v21.0/${PHONE_NUMBER_ID}/messages`) return json(404, { error: { message: 'Unknown path', code: 100 } });
    const body = JSON.parse(raw) as Record<string, unknown>;
    this.calls.push({ path: request.url, authorization: request.headers.authorization, body });
    this.events.emit('call');
    const failure = this.failures.shift();
    if (failure) return json(failure.status, failure.body, failure.headers);
    if (body.status === 'read') return json(200, { success: true });
    json(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.TEST${this.nextId++}` }] });
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
