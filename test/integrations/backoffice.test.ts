// The back-office API over real HTTP on a real Çözüm (SQLite, migrations, the console): a
// department's system changes its tickets with a department key made in the console, the citizen
// reads exactly what an agent's change would have told them, every change is a TicketEvent naming
// the system; e-mails (a department's new ticket, an Open311 requester's updates) reach a local SMTP
// server; and the OpenAPI document covers every route with examples that validate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backofficeRoutes } from '../../src/integrations/backoffice.ts';
import { AssignBody, ReplyBody, StatusChangeBody, WebhookEvent } from '../../src/integrations/payloads.ts';
import type { Cozum } from '../../src/main.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { adminWithKey, Open311Client } from '../open311/support.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { SmtpStandIn } from '../support/smtp.ts';

const FEN = 'Fen İşleri Müdürlüğü';
const temp = tempDir();
const smtp = new SmtpStandIn();
let cozum: Cozum;
let admin: ConsoleClient;
let agent: ConsoleClient;
let fenKey: string;
let openKey: string;

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  cozum = await startTestCozum(temp.dir, {
    http: true,
    overrides: {
      'integrations.smtp': { url: smtpUrl, from: 'cozum@yesilova.bel.tr' },
      'integrations.consoleUrl': 'https://cozum.yesilova.bel.tr',
      'integrations.departments': [{ name: FEN, email: 'fen@yesilova.bel.tr' }],
      'integrations.feedSeconds': 0.2,
    },
  });
  ({ admin, key: openKey } = await adminWithKey(cozum));
  const created = await admin.post('/console/api/api-keys', { name: 'Fen EBYS', department: FEN });
  expect(created.json).toMatchObject({ name: 'Fen EBYS', department: FEN });
  fenKey = String(created.json.key);
  await createAgent(cozum.db, 'fen.ayse', 'Ayşe Demir', 'agent', FEN);
  agent = await ConsoleClient.loggedIn(cozum, 'fen.ayse');
});
afterAll(async () => {
  await cozum?.close();
  await smtp.close();
  temp.remove();
});

async function call(method: string, path: string, key: string | undefined, body?: unknown) {
  const response = await fetch(`${cozum.url}/api/backoffice/v1${path}`, {
    method,
    headers: { ...(key && { Authorization: `Bearer ${key}` }), ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A citizen's complaint for `department`, filed from a chat. */
async function chatTicket(department = FEN) {
  const citizen = new Citizen(cozum);
  await citizen.say('merhaba');
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  const ticket = await cozum.tickets.create({ contactId: conversation.contactId, conversationId: conversation.id, type: 'complaint', category: 'road', department, slaHours: 72, summary: 'Yol / çukur · Erzene', data: {} });
  return { conversationId: conversation.id, ticket };
}

const citizenSees = async (conversationId: string) =>
  (await cozum.db.message.findMany({ where: { conversationId, direction: 'out' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((m) => ({ text: m.text, author: m.author, authorName: m.authorName }));

describe('authentication and scope', () => {
  it('refuses no key, a revoked key, a filing key without a department, and another department\'s tickets', async () => {
    const { ticket } = await chatTicket();
    const other = await chatTicket('Zabıta Müdürlüğü');
    expect(await call('GET', `/tickets/${ticket.number}`, undefined)).toMatchObject({ status: 401, json: { error: expect.stringContaining('API key') } });
    expect((await call('GET', `/tickets/${ticket.number}`, 'czm_' + 'x'.repeat(43))).status).toBe(401);
    expect(await call('GET', `/tickets/${ticket.number}`, openKey)).toMatchObject({ status: 403, json: { error: expect.stringContaining('department') } });
    // Another department's ticket reads as a number that does not exist.
    const foreign = await call('POST', `/tickets/${other.ticket.number}/status`, fenKey, { status: 'in_progress' });
    expect(foreign).toEqual({ status: 404, json: { error: 'ticket not found' } });
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: other.ticket.id } })).status).toBe('new');
    expect((await call('GET', '/tickets/YSL-1900-000001', fenKey)).status).toBe(404);

    const read = await call('GET', `/tickets/${ticket.number}`, fenKey);
    expect(read).toMatchObject({ status: 200, json: { number: ticket.number, department: FEN, status: 'new', type: 'complaint', category: 'road', channel: 'test', assignedAgent: null } });

    const revoking = await admin.post('/console/api/api-keys', { name: 'Eski EBYS', department: FEN });
    await admin.post(`/console/api/api-keys/${String(revoking.json.id)}/revoke`);
    expect((await call('GET', `/tickets/${ticket.number}`, String(revoking.json.key))).status).toBe(401);
  });

  it('validates bodies with the schemas: unknown fields, a wrong status, an empty reply, broken JSON', async () => {
    const { ticket } = await chatTicket();
    expect(await call('POST', `/tickets/${ticket.number}/status`, fenKey, { status: 'done' })).toMatchObject({ status: 400, json: { error: expect.stringContaining('status') } });
    expect((await call('POST', `/tickets/${ticket.number}/status`, fenKey, { status: 'resolved', extra: 1 })).status).toBe(400);
    expect((await call('POST', `/tickets/${ticket.number}/replies`, fenKey, { text: '   ' })).status).toBe(400);
    expect((await call('POST', `/tickets/${ticket.number}/assign`, fenKey, { note: 'kime?' })).status).toBe(400);
    expect(await call('POST', `/tickets/${ticket.number}/status`, fenKey, '{"status":')).toEqual({ status: 400, json: { error: 'request body is not valid JSON' } });
    // Rejecting needs the reason the citizen reads, as in the console.
    expect((await call('POST', `/tickets/${ticket.number}/status`, fenKey, { status: 'rejected' })).status).toBe(409);
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('new');
  });
});

describe('changes from a department system', () => {
  it('tell the citizen exactly what the same change by an agent tells them, and name the system on the ticket', async () => {
    const byAgent = await chatTicket();
    const bySystem = await chatTicket();
    const note = 'Ekibimiz yarın sabah yerinde olacak. Bilgi: 0532 111 22 33';
    expect((await agent.post(`/console/api/tickets/${byAgent.ticket.id}/status`, { status: 'in_progress', note })).status).toBe(200);
    const changed = await call('POST', `/tickets/${bySystem.ticket.number}/status`, fenKey, { status: 'in_progress', note });
    expect(changed).toMatchObject({ status: 200, json: { number: bySystem.ticket.number, status: 'in_progress', statusNote: note } });

    const agentTold = (await citizenSees(byAgent.conversationId)).at(-1)!;
    const systemTold = (await citizenSees(bySystem.conversationId)).at(-1)!;
    expect(systemTold.text).toBe(agentTold.text.replace(byAgent.ticket.number, bySystem.ticket.number));
    expect(systemTold.text).toContain('İşlemde');
    expect(systemTold.text).not.toContain('111 22 33');

    // Resolved: the citizen is asked to rate, as after an agent's resolution.
    await call('POST', `/tickets/${bySystem.ticket.number}/status`, fenKey, { status: 'resolved', note: 'Çukur kapatıldı.' });
    const resolved = await cozum.db.message.findFirstOrThrow({ where: { conversationId: bySystem.conversationId, direction: 'out' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(resolved.text).toContain('Çözüldü');
    expect(await cozum.handoff.pendingRating(bySystem.conversationId)).toMatchObject({ number: bySystem.ticket.number });

    const events = await cozum.db.ticketEvent.findMany({ where: { ticketId: bySystem.ticket.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(events.map((e) => [e.kind, e.status, e.actor])).toEqual([
      ['status', 'new', 'bot'],
      ['status', 'in_progress', 'integration:Fen EBYS'],
      ['status', 'resolved', 'integration:Fen EBYS'],
      ['rating_request', null, 'bot'],
    ]);
  });

  it('assigns to an agent of the department, and moves a ticket to another department out of its reach', async () => {
    const { ticket, conversationId } = await chatTicket();
    expect((await call('POST', `/tickets/${ticket.number}/assign`, fenKey, { agent: 'kimse.yok' })).status).toBe(409);
    const assigned = await call('POST', `/tickets/${ticket.number}/assign`, fenKey, { agent: 'fen.ayse', note: 'Saha ekibi 3' });
    expect(assigned).toMatchObject({ status: 200, json: { assignedAgent: 'fen.ayse', status: 'assigned', department: FEN } });
    expect((await citizenSees(conversationId)).at(-1)!.text).toContain(`*${ticket.number}* numaralı talebiniz ${FEN} birimine aktarıldı.`);
    const queue = await agent.get('/console/api/queue?scope=mine');
    expect((queue.json.items as { number: string }[]).map((i) => i.number)).toContain(ticket.number);

    const moved = await call('POST', `/tickets/${ticket.number}/assign`, fenKey, { department: 'Park ve Bahçeler Müdürlüğü', note: 'Ağaç kökü' });
    expect(moved).toMatchObject({ status: 200, json: { department: 'Park ve Bahçeler Müdürlüğü', assignedAgent: null } });
    expect((await call('GET', `/tickets/${ticket.number}`, fenKey)).status).toBe(404);
    const last = await cozum.db.ticketEvent.findFirstOrThrow({ where: { ticketId: ticket.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(last).toMatchObject({ kind: 'transfer', status: 'assigned', actor: 'integration:Fen EBYS', note: 'Park ve Bahçeler Müdürlüğü birimine aktarıldı. Ağaç kökü' });
  });

  it("sends a public reply under the system's name without taking the conversation from the queue", async () => {
    const { ticket, conversationId } = await chatTicket();
    const replied = await call('POST', `/tickets/${ticket.number}/replies`, fenKey, { text: 'Merhaba, çukur bu hafta kapatılacak.' });
    expect(replied.status).toBe(200);
    expect((await citizenSees(conversationId)).at(-1)).toEqual({ text: 'Merhaba, çukur bu hafta kapatılacak.', author: 'agent', authorName: 'Fen EBYS' });
    expect(await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({ agentId: null });
    const row = await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { events: { where: { kind: 'reply' } } } });
    expect(row.firstResponseAt).not.toBeNull();
    // The words are in the transcript (erased with the citizen); the ticket's history says only that a reply went.
    expect(row.events.map((e) => [e.actor, e.note])).toEqual([['integration:Fen EBYS', 'Vatandaşa yanıt gönderildi.']]);
  });
});

describe('e-mail', () => {
  it("tells the department of a new ticket with its number and link, and nothing of the citizen's", async () => {
    const api = new Open311Client(cozum.url!);
    const filed = await api.post('/open311/v2/requests.json', {
      api_key: openKey,
      service_code: 'road',
      lat: '38.4692',
      long: '27.2163',
      address_string: 'Erzene Mahallesi, 120/2 Sokak önü',
      description: 'Kaldırımın yanında derin bir çukur var, Ayşe Hanım düştü.',
      email: 'ayse.yilmaz@example.com',
      first_name: 'Ayşe',
      last_name: 'Yılmaz',
      phone: '05321112233',
      'attribute[neighbourhood]': 'Erzene',
    });
    expect(filed.status).toBe(201);
    const number = (filed.body as { service_request_id: string }[])[0]!.service_request_id;
    const mail = await smtp.waitFor('fen@yesilova.bel.tr', (m) => m.subject.includes(number));
    expect(mail.subject).toBe(`Yeni başvuru: ${number}`);
    expect(mail.from).toBe('cozum@yesilova.bel.tr');
    expect(mail.text).toContain(`${FEN} birimine yeni bir başvuru geldi.`);
    expect(mail.text).toContain('Konu: Yol / çukur');
    expect(mail.text).toContain('https://cozum.yesilova.bel.tr/console');
    for (const personal of ['Ayşe', 'Yılmaz', 'ayse.yilmaz', '0532', '111 22 33', '1112233', 'Erzene', '120/2', 'çukur var']) expect(mail.text).not.toContain(personal);
    // Once per ticket: the status changes that follow are not e-mailed to the department.
    const rows = async () => (await cozum.db.integrationDelivery.findMany({ where: { ticketNumber: number } })).map((r) => [r.channel, r.kind, r.status]);
    // Recorded as sent just after the server took it.
    await expect.poll(rows, { timeout: 20_000 }).toEqual([['email', 'ticket.created', 'sent']]);
  });

  it('reaches an Open311 requester who gave an address: status changes and replies, from the console and from a department system', async () => {
    const api = new Open311Client(cozum.url!);
    const fields = { api_key: openKey, service_code: 'road', lat: '38.4692', long: '27.2163', description: 'Yolda çukur var.', 'attribute[neighbourhood]': 'Erzene' };
    const withEmail = ((await api.post('/open311/v2/requests.json', { ...fields, email: 'mehmet@example.com' })).body as { service_request_id: string }[])[0]!.service_request_id;
    const withoutEmail = ((await api.post('/open311/v2/requests.json', fields)).body as { service_request_id: string }[])[0]!.service_request_id;

    const status = await call('POST', `/tickets/${withEmail}/status`, fenKey, { status: 'in_progress', note: 'Ekip yönlendirildi.' });
    expect(status.status).toBe(200);
    const told = await smtp.waitFor('mehmet@example.com', (m) => m.text.includes('İşlemde'));
    expect(told.subject).toBe('Yeşilova Belediyesi: başvurunuz hakkında');
    expect(told.text).toContain(`${withEmail} numaralı başvurunuzun durumu: İşlemde.`);
    expect(told.text).toContain('Açıklama: Ekip yönlendirildi.');
    expect(told.text).not.toContain('*');

    // An agent's reply in the console, refused before there was e-mail, now reaches them.
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number: withEmail } });
    expect((await agent.post(`/console/api/conversations/${ticket.conversationId}/reply`, { text: 'Merhaba, ekibimiz yolda.' })).status).toBe(200);
    const reply = await smtp.waitFor('mehmet@example.com', (m) => m.text.includes('ekibimiz yolda'));
    expect(reply.text).toContain('444 0 153');
    expect((await call('POST', `/tickets/${withEmail}/replies`, fenKey, { text: 'Çukur yarın kapatılacak.' })).status).toBe(200);
    await smtp.waitFor('mehmet@example.com', (m) => m.text.includes('Çukur yarın kapatılacak.'));
    // Resolved: told so, without a request to rate that an e-mail cannot answer.
    expect((await call('POST', `/tickets/${withEmail}/status`, fenKey, { status: 'resolved', note: 'Çukur kapatıldı.' })).status).toBe(200);
    const done = await smtp.waitFor('mehmet@example.com', (m) => m.text.includes('Çözüldü'));
    expect(done.text).toContain('Açıklama: Çukur kapatıldı.');
    expect(done.text).not.toContain('puan');

    // Without an address they follow the public Open311 answer: a status change is published there
    // (its message counts as delivered, not failed), a reply is refused, as before.
    const silent = await cozum.db.ticket.findUniqueOrThrow({ where: { number: withoutEmail } });
    expect((await call('POST', `/tickets/${withoutEmail}/status`, fenKey, { status: 'in_progress', note: 'Ekip yönlendirildi.' })).status).toBe(200);
    expect(((await api.get(`/open311/v2/requests/${withoutEmail}.json`)).body as Record<string, string>[])[0]).toMatchObject({ status: 'open', status_notes: 'Ekip yönlendirildi.' });
    await expect.poll(async () => (await cozum.db.message.findMany({ where: { conversationId: silent.conversationId! } })).map((m) => m.status), { timeout: 20_000 }).toEqual(['sent']);
    expect((await agent.post(`/console/api/conversations/${silent.conversationId}/reply`, { text: 'Merhaba' })).status).toBe(409);
    expect((await call('POST', `/tickets/${withoutEmail}/replies`, fenKey, { text: 'Merhaba' })).status).toBe(409);
  });
});

describe('the OpenAPI document', () => {
  it('is served at /api/openapi.json and lists every route of the back-office API with its method', async () => {
    const response = await fetch(`${cozum.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string }; examples: Record<string, { value: unknown }> }> } }>>; webhooks: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: `${cozum.url}/api/backoffice/v1` }]);

    // The routes the server actually answers, read from the running router's own table.
    const mounted = backofficeRoutes(cozum.handoff, cozum.db).map((route) => `${route.method} ${route.path}`).sort();
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`)).sort();
    expect(documented).toEqual(mounted);
    for (const route of mounted) {
      const [method, path] = route.split(' ') as [string, string];
      const probe = await fetch(`${cozum.url}/api/backoffice/v1${path.replace('{number}', 'YSL-1900-000001')}`, { method: method.toUpperCase(), headers: { Authorization: `Bearer ${fenKey}`, 'Content-Type': 'application/json' }, body: method === 'post' ? '{}' : undefined });
      expect(probe.status, route).not.toBe(401);
      expect((await probe.json()) as unknown, route).toEqual({ error: 'ticket not found' });
    }
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Assign', 'Error', 'Reply', 'StatusChange', 'Ticket', 'WebhookEvent']);
    expect(document.webhooks.ticketEvent).toBeDefined();
  });

  it("has examples that the server's own schemas accept, and that the server accepts", async () => {
    const document = (await (await fetch(`${cozum.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: { $ref: string }; examples: Record<string, { value: unknown }> } } } }>>; webhooks: { ticketEvent: { post: { requestBody: { content: { 'application/json': { examples: Record<string, { value: unknown }> } } } } } } };
    const schemas = { StatusChange: StatusChangeBody, Assign: AssignBody, Reply: ReplyBody };
    let checked = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        const content = operation.requestBody?.content['application/json'];
        if (!content) continue;
        const name = content.schema.$ref.split('/').at(-1) as keyof typeof schemas;
        const examples = Object.values(content.examples);
        expect(examples.length, path).toBeGreaterThan(0);
        for (const { value } of examples) {
          expect(schemas[name].safeParse(value).success, `${path}: ${JSON.stringify(value)}`).toBe(true);
          const { ticket } = await chatTicket();
          const sent = await call('POST', path.replace('{number}', ticket.number), fenKey, value);
          expect(sent.status, `${path}: ${JSON.stringify(sent.json)}`).toBe(200);
          checked++;
        }
      }
    }
    expect(checked).toBe(3);
    for (const { value } of Object.values(document.webhooks.ticketEvent.post.requestBody.content['application/json'].examples)) expect(WebhookEvent.safeParse(value).success).toBe(true);
  });
});
