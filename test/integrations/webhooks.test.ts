// Departments' webhooks on a real Çözüm, received by a local HTTP server that checks each call's
// signature the way docs/integrations.md tells a municipality's IT to: events arrive signed and in
// order, a receiver that is down is retried with backoff (through a restart of Çözüm in between),
// and one that keeps failing is shown as failed in the console and sent again from there.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEvent } from '../../src/integrations/payloads.ts';
import type { Cozum } from '../../src/main.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { adminWithKey, Open311Client } from '../open311/support.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { waitForEvent } from '../support/wait.ts';

const FEN = 'Fen İşleri Müdürlüğü';
const SECRET = 'c0ffee'.repeat(8);

interface Call {
  body: string;
  event: WebhookEvent;
  delivery: string;
  signedOk: boolean;
  answered: number;
}

/** The department's system: verifies the signature and the timestamp, answers what `answer` says. */
class Receiver {
  readonly calls: Call[] = [];
  private readonly events = new EventEmitter();
  private readonly server: http.Server;
  answer: (call: Omit<Call, 'answered'>) => number = () => 200;

  constructor(private readonly secret: string) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(request.headers['x-cozum-timestamp'] ?? '');
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex')}`);
        const given = Buffer.from(String(request.headers['x-cozum-signature'] ?? ''));
        const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
        const signedOk = given.length === expected.length && timingSafeEqual(given, expected) && fresh;
        const call = { body, event: JSON.parse(body) as WebhookEvent, delivery: String(request.headers['x-cozum-delivery']), signedOk };
        const status = signedOk ? this.answer(call) : 401;
        this.calls.push({ ...call, answered: status });
        response.writeHead(status).end();
        this.events.emit('call');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/cozum`;
  }

  /** Resolves once `count` calls matching `match` have been answered. */
  waitFor(count: number, match: (call: Call) => boolean = () => true, timeoutMs = 20_000): Promise<Call[]> {
    return waitForEvent(this.events, 'call', () => { const found = this.calls.filter(match); return found.length >= count ? found : undefined; }, {
      what: `${count} webhook calls`,
      timeoutMs,
      describe: () => `Received: ${JSON.stringify(this.calls.map((c) => [c.event.type, c.event.ticket.number, c.answered]))}`,
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function chatTicket(cozum: Cozum, department = FEN) {
  const citizen = new Citizen(cozum);
  await citizen.say('merhaba');
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  const ticket = await cozum.tickets.create({ contactId: conversation.contactId, conversationId: conversation.id, type: 'complaint', category: 'road', department, slaHours: 72, summary: 'Yol / çukur · Erzene · 0532 111 22 33', data: {} });
  return { ticket, conversationId: conversation.id };
}

describe('a department webhook', () => {
  const temp = tempDir();
  const receiver = new Receiver(SECRET);
  let overrides: Record<string, unknown>;
  let cozum: Cozum | undefined;
  beforeAll(async () => {
    const url = await receiver.start();
    overrides = { 'integrations.departments': [{ name: FEN, webhook: { url, secret: SECRET } }], 'integrations.feedSeconds': 0.2, 'integrations.retryBaseSeconds': 1, 'integrations.maxAttempts': 10 };
  });
  afterAll(async () => {
    await cozum?.close();
    await receiver.close();
    temp.remove();
  });

  it('gets signed events in order; a receiver down across a restart of Çözüm gets them once it is back', async () => {
    cozum = await startTestCozum(temp.dir, { http: true, overrides });
    // Down until Çözüm has restarted: at least two failures, then success.
    let restarted = false;
    receiver.answer = () => (restarted ? 200 : 503);
    const { ticket } = await chatTicket(cozum);
    const failures = await receiver.waitFor(2);
    expect(failures.map((c) => [c.event.type, c.event.ticket.number, c.answered])).toEqual([['ticket.created', ticket.number, 503], ['ticket.created', ticket.number, 503]]);
    await cozum.close();
    const row = await (async () => {
      const again = await startTestCozum(temp.dir, { http: false });
      try {
        return await again.db.integrationDelivery.findFirstOrThrow({ where: { ticketNumber: ticket.number } });
      } finally {
        await again.close();
      }
    })();
    // Stored across the restart, with its failures and the time of its next attempt.
    expect(row).toMatchObject({ status: 'pending', kind: 'ticket.created', lastError: 'DeliveryError: webhook answered 503' });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(row.nextAttemptAt).not.toBeNull();

    restarted = true;
    cozum = await startTestCozum(temp.dir, { http: true, overrides });
    const [delivered] = await receiver.waitFor(1, (c) => c.answered === 200);
    expect(delivered!.event.type).toBe('ticket.created');
    expect(delivered!.delivery).toBe(failures[0]!.delivery);

    // Worked in the console after the restart: each change follows, in the order it was made.
    const agent = await createAgent(cozum.db, 'fen.ayse', 'Ayşe Demir', 'agent', FEN);
    const client = await ConsoleClient.loggedIn(cozum, 'fen.ayse');
    expect((await client.post(`/console/api/tickets/${ticket.id}/status`, { status: 'in_progress', note: 'Ekip yolda.' })).status).toBe(200);
    expect((await client.post(`/console/api/tickets/${ticket.id}/status`, { status: 'resolved', note: 'Çukur kapatıldı.' })).status).toBe(200);
    await cozum.handoff.rate(ticket.id, 5);
    const ok = await receiver.waitFor(4, (c) => c.answered === 200);
    expect(ok.map((c) => [c.event.type, c.event.status ?? null, c.event.actor])).toEqual([
      ['ticket.created', null, 'bot'],
      ['ticket.status_changed', 'in_progress', agent.username],
      ['ticket.status_changed', 'resolved', agent.username],
      ['ticket.rated', null, 'citizen'],
    ]);
    expect(ok[3]!.event).toMatchObject({ rating: 5, ticket: { number: ticket.number, status: 'resolved', department: FEN } });
    for (const call of receiver.calls) {
      expect(call.signedOk).toBe(true);
      expect(WebhookEvent.parse(call.event)).toEqual(call.event);
      // Nothing of the citizen's: not the summary, its phone number, nor any note.
      expect(call.body).not.toMatch(/0532|111 22 33|Erzene|Ekip yolda|Çukur kapatıldı|summary|note/);
    }
  });
});

describe('a request filed over Open311', () => {
  const temp = tempDir();
  const receiver = new Receiver(SECRET);
  let cozum: Cozum;
  beforeAll(async () => {
    const url = await receiver.start();
    cozum = await startTestCozum(temp.dir, { http: true, overrides: { 'integrations.departments': [{ name: FEN, webhook: { url, secret: SECRET } }], 'integrations.feedSeconds': 0.2 } });
  });
  afterAll(async () => {
    await cozum.close();
    await receiver.close();
    temp.remove();
  });

  it('is taken and resolved by an agent in the console; Open311 shows it closed and the department gets each step, signed, in order', async () => {
    const { key } = await adminWithKey(cozum);
    const api = new Open311Client(cozum.url!);
    const filed = await api.post('/open311/v2/requests.json', { api_key: key, service_code: 'road', lat: '38.4692', long: '27.2163', description: 'Okul önünde derin çukur var.', 'attribute[neighbourhood]': 'Erzene' });
    expect(filed.status).toBe(201);
    const number = (filed.body as { service_request_id: string }[])[0]!.service_request_id;

    // In the agent's queue like any other case, with its channel.
    const agent = await createAgent(cozum.db, 'fen.ayse', 'Ayşe Demir', 'agent', FEN);
    const client = await ConsoleClient.loggedIn(cozum, 'fen.ayse');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket.department).toBe(FEN);
    expect((await client.post(`/console/api/tickets/${ticket.id}/status`, { status: 'in_progress', note: 'Ekip yönlendirildi.' })).status).toBe(200);
    expect((await client.post(`/console/api/tickets/${ticket.id}/status`, { status: 'resolved', note: 'Çukur kapatıldı.' })).status).toBe(200);

    const [shown] = (await api.get(`/open311/v2/requests/${number}.json`)).body as Record<string, string>[];
    expect(shown).toMatchObject({ service_request_id: number, status: 'closed', status_notes: 'Çukur kapatıldı.', agency_responsible: FEN });

    const calls = await receiver.waitFor(3);
    expect(calls.map((c) => [c.event.type, c.event.status ?? null, c.event.actor, c.event.ticket.number])).toEqual([
      ['ticket.created', null, 'bot', number],
      ['ticket.status_changed', 'in_progress', agent.username, number],
      ['ticket.status_changed', 'resolved', agent.username, number],
    ]);
    for (const call of calls) {
      expect(call.signedOk).toBe(true);
      expect(call.body).not.toMatch(/Okul önünde|Erzene|Ekip yönlendirildi|Çukur kapatıldı/);
    }
  });
});

describe('a webhook that keeps failing', () => {
  const temp = tempDir();
  const receiver = new Receiver(SECRET);
  let cozum: Cozum;
  beforeAll(async () => {
    const url = await receiver.start();
    cozum = await startTestCozum(temp.dir, {
      http: true,
      overrides: {
        'integrations.departments': [{ name: FEN, webhook: { url, secret: SECRET } }, { name: 'Zabıta Müdürlüğü', webhook: { url: `${url}/zabita`, secret: 'z'.repeat(40) } }],
        'integrations.feedSeconds': 0.2,
        'integrations.retryBaseSeconds': 0.2,
        'integrations.maxAttempts': 3,
      },
    });
  });
  afterAll(async () => {
    await cozum.close();
    await receiver.close();
    temp.remove();
  });

  it('is tried maxAttempts times, shown as failed to supervisors, and sent again from the console', async () => {
    receiver.answer = () => 500;
    const { ticket } = await chatTicket(cozum);
    await receiver.waitFor(3);
    await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    await createAgent(cozum.db, 'fen.ayse', 'Ayşe Demir', 'agent', FEN);
    const supervisor = await ConsoleClient.loggedIn(cozum, 'sef');
    const failed = async () => ((await supervisor.get('/console/api/integrations/deliveries?status=failed')).json.deliveries as Record<string, unknown>[]);
    await expect.poll(failed, { timeout: 20_000 }).toEqual([
      expect.objectContaining({ channel: 'webhook', department: FEN, kind: 'ticket.created', ticketNumber: ticket.number, status: 'failed', attempts: 3, lastError: 'DeliveryError: webhook answered 500' }),
    ]);
    // A receiver signing with the wrong secret (the Zabıta one answers 401 to everything) is refused for good at once.
    const zabita = await chatTicket(cozum, 'Zabıta Müdürlüğü');
    await expect.poll(async () => (await failed()).find((d) => d.ticketNumber === zabita.ticket.number), { timeout: 20_000 }).toMatchObject({ attempts: 1, lastError: 'DeliveryError: webhook answered 401' });

    const agent = await ConsoleClient.loggedIn(cozum, 'fen.ayse');
    expect((await agent.get('/console/api/integrations/deliveries')).status).toBe(403);
    const first = (await failed()).find((d) => d.ticketNumber === ticket.number);
    expect((await supervisor.post(`/console/api/integrations/deliveries/${String(first!.id)}/retry`, {}, { csrf: null })).status).toBe(403);

    receiver.answer = () => 200;
    expect((await supervisor.post(`/console/api/integrations/deliveries/${String(first!.id)}/retry`)).status).toBe(200);
    const [sent] = await receiver.waitFor(1, (c) => c.answered === 200);
    expect(sent!.event).toMatchObject({ type: 'ticket.created', ticket: { number: ticket.number } });
    await expect.poll(async () => (await cozum.db.integrationDelivery.findUniqueOrThrow({ where: { id: String(first!.id) } })).status, { timeout: 20_000 }).toBe('sent');
    // Sent: nothing left to send again.
    expect((await supervisor.post(`/console/api/integrations/deliveries/${String(first!.id)}/retry`)).status).toBe(409);
  });

  it('follows a burst of more tickets than one look reads, each once and in order', { timeout: 120_000 }, async () => {
    receiver.answer = () => 200;
    const contact = await cozum.db.contact.create({ data: { channel: 'test', platformUserId: 'burst' } });
    const tickets = await Promise.all(Array.from({ length: 700 }, () => cozum.tickets.create({ contactId: contact.id, type: 'complaint', category: 'road', department: FEN, slaHours: 72, summary: 'Yol / çukur', data: {} })));
    const numbers = new Set(tickets.map((t) => t.number));
    // Well within the minute after which an event leaves the overlap a look starts from (feed.ts).
    const calls = await receiver.waitFor(700, (c) => numbers.has(c.event.ticket.number), 45_000);
    const sorted = tickets.map((t) => t.number).sort();
    expect(calls.map((c) => c.event.ticket.number)).toEqual(sorted);
    expect(calls.every((c) => c.answered === 200 && c.event.type === 'ticket.created')).toBe(true);
  });
});

describe('signatures and their replay window', () => {
  it('accept the signed body within five minutes of its timestamp, and nothing else', async () => {
    const { signWebhook, verifyWebhook } = await import('../../src/integrations/webhook.ts');
    const body = '{"id":"e1","type":"ticket.created"}';
    const at = new Date('2026-12-07T10:00:00Z');
    const timestamp = String(at.getTime() / 1000);
    const signature = signWebhook(SECRET, timestamp, body);
    expect(signature).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
    expect(verifyWebhook({ secret: SECRET, body, timestamp, signature, now: at })).toBe(true);
    expect(verifyWebhook({ secret: SECRET, body, timestamp, signature, now: new Date(at.getTime() + 300_000) })).toBe(true);
    // Replayed six minutes later, or with its timestamp moved to look fresh: refused.
    expect(verifyWebhook({ secret: SECRET, body, timestamp, signature, now: new Date(at.getTime() + 360_000) })).toBe(false);
    expect(verifyWebhook({ secret: SECRET, body, timestamp: String(Number(timestamp) + 360), signature, now: new Date(at.getTime() + 360_000) })).toBe(false);
    expect(verifyWebhook({ secret: SECRET, body: body.replace('e1', 'e2'), timestamp, signature, now: at })).toBe(false);
    expect(verifyWebhook({ secret: 'x'.repeat(48), body, timestamp, signature, now: at })).toBe(false);
    expect(verifyWebhook({ secret: SECRET, body, timestamp: undefined, signature, now: at })).toBe(false);
  });

  it('go only to https, or to http on this machine: anything else stops start-up with the setting named', async () => {
    const temp = tempDir();
    try {
      const plain = startTestCozum(temp.dir, { http: true, overrides: { 'integrations.departments': [{ name: FEN, webhook: { url: 'http://ebys.yesilova.bel.tr/hook', secret: SECRET } }] } });
      await expect(plain).rejects.toThrow('integrations.departments.0.webhook.url: must be https (http only for a receiver on this machine)');
      const short = startTestCozum(temp.dir, { http: true, overrides: { 'integrations.departments': [{ name: FEN, webhook: { url: 'https://ebys.yesilova.bel.tr/hook', secret: 'kisa' } }] } });
      await expect(short).rejects.toThrow('at least 32 characters');
    } finally {
      temp.remove();
    }
  });
});
