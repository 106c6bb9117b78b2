// Open311 GeoReport v2 against the specification, field by field, in JSON and in XML, over real
// HTTP on a real Çözüm (SQLite, migrations, the console), with keys made through the console.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { useTestCozum } from '../support/cozum.ts';
import { adminWithKey, Open311Client } from './support.ts';

const cozum = useTestCozum({ http: true });
let api: Open311Client;
let key: string;
let admin: ConsoleClient;

interface Choice {
  value: string;
  label: string;
  synonyms: string[];
  department?: string;
  slaHours?: number;
}
const complaint = parse(readFileSync('dialogs/complaint.yaml', 'utf8')) as { title: string; steps: { slot: string; choices?: Choice[] }[] };
const categories = complaint.steps.find((step) => step.slot === 'category')!.choices!;
const aid = parse(readFileSync('dialogs/aid.yaml', 'utf8')) as { steps: { slot: string; choices?: Choice[] }[] };

const REQUEST_FIELDS = [
  'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice',
  'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url',
].sort();

const pothole = (extra: Record<string, string> = {}) => ({
  api_key: key,
  service_code: 'road',
  lat: '38.4692',
  long: '27.2163',
  address_string: 'Erzene Mahallesi, 120/2 Sokak önü',
  description: 'Yolun ortasında derin bir çukur var, iki haftadır duruyor.',
  'attribute[neighbourhood]': 'Erzene',
  ...extra,
});

beforeAll(async () => {
  api = new Open311Client(cozum.url!);
  ({ key, admin } = await adminWithKey(cozum));
});

describe('discovery', () => {
  it('names the v2 endpoint, its formats and the specification, in JSON and XML', async () => {
    const json = await api.get('/open311/discovery.json');
    expect(json.status).toBe(200);
    const body = json.body as { changeset: string; contact: string; key_service: string; endpoints: Record<string, unknown>[] };
    expect(body.contact).toContain('Yeşilova Belediyesi');
    expect(body.key_service).toContain('@');
    expect(body.endpoints).toEqual([
      { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${cozum.url}/open311/v2`, changeset: body.changeset, type: 'production', formats: ['application/json', 'text/xml'] },
    ]);
    const xml = await api.get('/open311/v2/discovery.xml');
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(xml.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const endpoint = (xml.body as { discovery: { endpoints: { endpoint: Record<string, unknown>[] } } }).discovery.endpoints.endpoint[0]!;
    expect(endpoint).toMatchObject({ url: `${cozum.url}/open311/v2`, type: 'production', formats: { format: ['application/json', 'text/xml'] } });
  });
});

describe('services', () => {
  it('lists every complaint category of dialogs/complaint.yaml with the specification\'s fields', async () => {
    const answer = await api.get('/open311/v2/services.json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const services = answer.body as Record<string, unknown>[];
    expect(services.map((s) => s.service_code)).toEqual(categories.map((c) => c.value));
    for (const [index, service] of services.entries()) {
      const category = categories[index]!;
      expect(Object.keys(service).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
      expect(service).toEqual({
        service_code: category.value,
        service_name: category.label,
        description: `${complaint.title}: ${category.label}`,
        metadata: true,
        type: 'realtime',
        keywords: category.synonyms.join(', '),
        group: category.department ?? 'Çözüm Merkezi',
      });
    }
  });

  it('never offers an aid application', async () => {
    const codes = ((await api.get('/open311/v2/services.json')).body as { service_code: string }[]).map((s) => s.service_code);
    for (const option of aid.steps.find((step) => step.slot === 'aidType')!.choices!) expect(codes).not.toContain(option.value);
  });

  it('says the same in XML', async () => {
    const json = (await api.get('/open311/v2/services.json')).body as Record<string, unknown>[];
    const xml = await api.get('/open311/v2/services.xml');
    expect(xml.status).toBe(200);
    const services = (xml.body as { services: { service: Record<string, string>[] } }).services.service;
    expect(services).toEqual(json.map((service) => Object.fromEntries(Object.entries(service).map(([k, v]) => [k, String(v)]))));
  });

  it('defines the extra fields a category asks: the neighbourhood, from the official list', async () => {
    const answer = await api.get('/open311/v2/services/road.json');
    expect(answer.status).toBe(200);
    const definition = answer.body as { service_code: string; attributes: Record<string, unknown>[] };
    expect(definition.service_code).toBe('road');
    expect(definition.attributes).toHaveLength(1);
    const [neighbourhood] = definition.attributes as { values: { key: string; name: string }[] }[];
    expect(neighbourhood).toMatchObject({ variable: true, code: 'neighbourhood', datatype: 'singlevaluelist', required: true, datatype_description: null, order: 1, description: 'Mahalle' });
    expect(neighbourhood!.values).toContainEqual({ key: 'Erzene Mahallesi', name: 'Erzene Mahallesi' });
    expect(neighbourhood!.values.length).toBeGreaterThan(20);

    const xml = await api.get('/open311/v2/services/road.xml');
    const attribute = (xml.body as { service_definition: { service_code: string; attributes: { attribute: { code: string; required: string; values: { value: { key: string }[] } }[] } } }).service_definition;
    expect(attribute.service_code).toBe('road');
    expect(attribute.attributes.attribute[0]).toMatchObject({ code: 'neighbourhood', datatype: 'singlevaluelist', required: 'true', order: '1' });
    expect(attribute.attributes.attribute[0]!.values.value).toContainEqual({ key: 'Erzene Mahallesi', name: 'Erzene Mahallesi' });
  });

  it('answers 404 with the error list for an unknown service, in both formats', async () => {
    const json = await api.get('/open311/v2/services/food.json');
    expect(json.status).toBe(404);
    expect(json.body).toEqual([{ code: 404, description: expect.stringContaining('food') }]);
    const xml = await api.get('/open311/v2/services/food.xml');
    expect(xml.status).toBe(404);
    expect(xml.body).toEqual({ errors: { error: [{ code: '404', description: expect.stringContaining('food') }] } });
  });
});

describe('filing a request', () => {
  it('refuses a missing, a wrong and a revoked key with 403', async () => {
    const { api_key: _key, ...withoutKey } = pothole();
    expect((await api.post('/open311/v2/requests.json', withoutKey)).body).toEqual([{ code: 403, description: expect.any(String) }]);
    const wrong = await api.post('/open311/v2/requests.json', pothole({ api_key: `czm_${'A'.repeat(43)}` }));
    expect(wrong.status).toBe(403);
    const spare = await admin.post('/console/api/api-keys', { name: 'Eski entegrasyon' });
    expect((await api.post('/open311/v2/requests.json', pothole({ api_key: String(spare.json.key) }))).status).toBe(201);
    expect((await admin.post(`/console/api/api-keys/${String(spare.json.id)}/revoke`)).status).toBe(200);
    const revoked = await api.post('/open311/v2/requests.xml', pothole({ api_key: String(spare.json.key) }));
    expect(revoked.status).toBe(403);
    expect(revoked.body).toEqual({ errors: { error: [{ code: '403', description: expect.any(String) }] } });
  });

  it('refuses a key in the URL', async () => {
    const answer = await api.post(`/open311/v2/requests.json?api_key=${key}`, pothole());
    expect(answer.status).toBe(403);
    expect((answer.body as { description: string }[])[0]!.description).toMatch(/body/);
  });

  it('answers 400 with the error list for a missing service_code, an unknown one, no location, a missing attribute', async () => {
    const { service_code: _code, ...noCode } = pothole();
    const missing = await api.post('/open311/v2/requests.json', noCode);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([{ code: 400, description: expect.stringContaining('service_code') }]);
    const xml = await api.post('/open311/v2/requests.xml', noCode);
    expect(xml.status).toBe(400);
    expect(xml.body).toEqual({ errors: { error: [{ code: '400', description: expect.stringContaining('service_code') }] } });
    expect((await api.post('/open311/v2/requests.json', pothole({ service_code: 'food' }))).status).toBe(400);
    const { lat: _lat, long: _long, address_string: _address, ...nowhere } = pothole();
    expect((await api.post('/open311/v2/requests.json', nowhere)).body).toEqual([{ code: 400, description: expect.stringMatching(/location/) }]);
    const { 'attribute[neighbourhood]': _n, ...noNeighbourhood } = pothole({ address_string: '120/2 Sokak önü' });
    expect((await api.post('/open311/v2/requests.json', noNeighbourhood)).body).toEqual([{ code: 400, description: expect.stringContaining('attribute[neighbourhood]') }]);
    expect((await api.post('/open311/v2/requests.json', pothole({ email: 'not-an-address' }))).body).toEqual([{ code: 400, description: expect.stringContaining('email') }]);
  });

  it('creates a ticket numbered like any other and answers with its id, in JSON and XML', async () => {
    const json = await api.post('/open311/v2/requests.json', pothole());
    expect(json.status).toBe(201);
    expect(json.body).toEqual([{ service_request_id: expect.stringMatching(/^CZM-\d{4}-\d{6}$/), service_notice: null, account_id: null }]);
    const xml = await api.post('/open311/v2/requests.xml', pothole());
    expect(xml.status).toBe(201);
    const [created] = (xml.body as { service_requests: { request: { service_request_id: string }[] } }).service_requests.request;
    expect(created!.service_request_id).toMatch(/^CZM-\d{4}-\d{6}$/);
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number: created!.service_request_id }, include: { contact: true, conversation: true, events: true } });
    expect(ticket).toMatchObject({ type: 'complaint', category: 'road', department: 'Fen İşleri Müdürlüğü', neighbourhood: 'Erzene Mahallesi', summary: 'Yol / çukur · Erzene Mahallesi' });
    expect(ticket.contact.channel).toBe('open311');
    expect(ticket.conversation?.channel).toBe('open311');
    expect(ticket.events[0]!.note).toContain('Belediye mobil uygulaması');
  });

  it('reads a JSON body too, with its attributes as an object; an unreadable body is a 400 in the error list', async () => {
    const { 'attribute[neighbourhood]': _n, ...fields } = pothole();
    const post = (body: string) => fetch(`${cozum.url}/open311/v2/requests.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const json = await post(JSON.stringify({ ...fields, attribute: { neighbourhood: 'Erzene Mahallesi' } }));
    expect(json.status).toBe(201);
    const broken = await post('{"api_key": ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual([{ code: 400, description: expect.any(String) }]);
  });

  it('finds the neighbourhood in the address when the attribute is left out', async () => {
    const { 'attribute[neighbourhood]': _n, ...fields } = pothole({ address_string: 'Kazımdirik Mahallesi 372. Sokak no 4' });
    const answer = await api.post('/open311/v2/requests.json', fields);
    expect(answer.status).toBe(201);
    const id = (answer.body as { service_request_id: string }[])[0]!.service_request_id;
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { number: id } })).neighbourhood).toBe('Kazımdirik Mahallesi');
  });
});

describe('reading requests', () => {
  let id: string;
  let filedAt: number;
  beforeAll(async () => {
    filedAt = Date.now();
    const answer = await api.post('/open311/v2/requests.json', pothole({ service_code: 'street_light', address_string: 'Erzene Mahallesi, Ankara Caddesi 40 önü', description: 'Sokak lambası üç gündür yanmıyor.' }));
    id = (answer.body as { service_request_id: string }[])[0]!.service_request_id;
  });

  it('gives every field of the specification for one request', async () => {
    const answer = await api.get(`/open311/v2/requests/${id}.json`);
    expect(answer.status).toBe(200);
    const [request] = answer.body as Record<string, unknown>[];
    expect(Object.keys(request!).sort()).toEqual(REQUEST_FIELDS);
    expect(request).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: null,
      service_name: 'Sokak lambası',
      service_code: 'street_light',
      description: 'Sokak lambası · Erzene Mahallesi',
      agency_responsible: 'Fen İşleri Müdürlüğü (Aydınlatma)',
      service_notice: null,
      address: 'Erzene Mahallesi, Ankara Caddesi 40 önü',
      address_id: null,
      zipcode: null,
      lat: 38.4692,
      long: 27.2163,
      media_url: null,
    });
    const requested = Date.parse(String(request!.requested_datetime));
    expect(requested).toBeGreaterThanOrEqual(Math.floor(filedAt / 1000) * 1000);
    expect(Date.parse(String(request!.expected_datetime)) - requested).toBe(48 * 3_600_000);
    expect(String(request!.updated_datetime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('gives the same request in XML', async () => {
    const json = ((await api.get(`/open311/v2/requests/${id}.json`)).body as Record<string, unknown>[])[0]!;
    const xml = await api.get(`/open311/v2/requests/${id}.xml`);
    const [request] = (xml.body as { service_requests: { request: Record<string, string>[] } }).service_requests.request;
    expect(request).toEqual(Object.fromEntries(Object.entries(json).map(([k, v]) => [k, v === null ? '' : String(v)])));
  });

  it('answers 404 for an unknown request', async () => {
    const json = await api.get('/open311/v2/requests/CZM-1999-000001.json');
    expect(json.status).toBe(404);
    expect(json.body).toEqual([{ code: 404, description: expect.stringContaining('CZM-1999-000001') }]);
    expect((await api.get('/open311/v2/requests/CZM-1999-000001.xml')).body).toEqual({ errors: { error: [{ code: '404', description: expect.any(String) }] } });
  });

  it('filters by id, service, status and dates, and pages', async () => {
    const list = async (query: string) => ((await api.get(`/open311/v2/requests.json?${query}`)).body as { service_request_id: string; service_code: string; status: string }[]);
    const all = await list('');
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.map((r) => r.service_request_id)).toEqual([...all.map((r) => r.service_request_id)].sort().reverse());
    expect((await list(`service_request_id=${id},CZM-1999-000001`)).map((r) => r.service_request_id)).toEqual([id]);
    const lights = await list('service_code=street_light');
    expect(lights.map((r) => r.service_request_id)).toEqual([id]);
    expect(await list('service_code=street_light&status=closed')).toEqual([]);
    expect((await list('status=open')).length).toBe(all.length);
    const now = new Date();
    expect(await list(`start_date=${new Date(now.getTime() + 3_600_000).toISOString()}`)).toEqual([]);
    expect((await list(`start_date=${new Date(now.getTime() - 3_600_000).toISOString()}&end_date=${new Date(now.getTime() + 3_600_000).toISOString()}`)).length).toBe(all.length);
    const first = await list('page_size=2');
    const second = await list('page_size=2&page=2');
    expect(first.map((r) => r.service_request_id)).toEqual(all.slice(0, 2).map((r) => r.service_request_id));
    expect(second.map((r) => r.service_request_id)).toEqual(all.slice(2, 4).map((r) => r.service_request_id));
  });

  it('refuses what the specification does not allow: more than 90 days, more than 1000 at once, a status it does not know', async () => {
    const long = await api.get('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z');
    expect(long.status).toBe(400);
    expect(long.body).toEqual([{ code: 400, description: expect.stringContaining('90 days') }]);
    expect((await api.get('/open311/v2/requests.json?page_size=1001')).status).toBe(400);
    expect((await api.get('/open311/v2/requests.xml?status=pending')).body).toEqual({ errors: { error: [{ code: '400', description: expect.stringContaining('status') }] } });
  });

  it('answers 404 for another jurisdiction', async () => {
    expect((await api.get('/open311/v2/services.json?jurisdiction_id=baska.bel.tr')).status).toBe(404);
    expect((await api.get('/open311/v2/services.json?jurisdiction_id=www.yesilova.bel.tr')).status).toBe(200);
  });
});

describe('a request filed over Open311, worked in the console', () => {
  it('is claimed and resolved by an agent, and the Open311 answer shows it', async () => {
    const filed = await api.post('/open311/v2/requests.json', pothole({ description: 'Kaldırımın yanında büyük bir çukur var, akşamları görünmüyor.' }));
    const id = (filed.body as { service_request_id: string }[])[0]!.service_request_id;
    const before = ((await api.get(`/open311/v2/requests/${id}.json`)).body as Record<string, string>[])[0]!;
    expect(before.status).toBe('open');

    await createAgent(cozum.db, 'fen.ayse', 'Ayşe Demir', 'agent', 'Fen İşleri Müdürlüğü');
    const agent = await ConsoleClient.loggedIn(cozum, 'fen.ayse');
    const queue = await agent.get('/console/api/queue?scope=department');
    const item = (queue.json.items as { number: string; ticketId: string; conversationId: string; channelName: string; summary: string }[]).find((i) => i.number === id)!;
    expect(item).toMatchObject({ channelName: 'Open311', summary: 'Yol / çukur · Erzene Mahallesi' });
    const view = await agent.get(`/console/api/conversations/${item.conversationId}?ticket=${item.ticketId}`);
    const fields = (view.json.ticket as { fields: { label: string; value: string }[] }).fields;
    expect(fields).toContainEqual({ label: 'Açıklama', value: 'Kaldırımın yanında büyük bir çukur var, akşamları görünmüyor.' });
    expect(fields).toContainEqual({ label: 'Başvuran sistem', value: 'Belediye mobil uygulaması' });

    expect((await agent.post(`/console/api/conversations/${item.conversationId}/claim`)).status).toBe(200);
    // A requester who gave no e-mail address is reached only by the public answer: a reply is refused, not lost.
    const reply = await agent.post(`/console/api/conversations/${item.conversationId}/reply`, { text: 'Merhaba, ekibimiz yolda.' });
    expect(reply.status).toBe(409);
    expect(String(reply.json.error)).toContain('Open311');
    expect((await agent.post(`/console/api/tickets/${item.ticketId}/status`, { status: 'in_progress', note: 'Ekip yönlendirildi.' })).status).toBe(200);
    const working = ((await api.get(`/open311/v2/requests/${id}.json`)).body as Record<string, string>[])[0]!;
    expect(working).toMatchObject({ status: 'open', status_notes: 'Ekip yönlendirildi.' });

    expect((await agent.post(`/console/api/tickets/${item.ticketId}/status`, { status: 'resolved', note: 'Çukur asfaltla kapatıldı.' })).status).toBe(200);
    const after = ((await api.get(`/open311/v2/requests/${id}.json`)).body as Record<string, string>[])[0]!;
    expect(after).toMatchObject({ status: 'closed', status_notes: 'Çukur asfaltla kapatıldı.', agency_responsible: 'Fen İşleri Müdürlüğü' });
    expect(Date.parse(after.updated_datetime!)).toBeGreaterThanOrEqual(Date.parse(before.updated_datetime!));
    const closed = (await api.get('/open311/v2/requests.json?status=closed')).body as { service_request_id: string }[];
    expect(closed.map((r) => r.service_request_id)).toContain(id);
  });
});

describe('keys in the console', () => {
  it('are created, listed and revoked by admins only; the list never shows a key', async () => {
    await createAgent(cozum.db, 'super.can', 'Can Yılmaz', 'supervisor', null);
    const supervisor = await ConsoleClient.loggedIn(cozum, 'super.can');
    expect((await supervisor.get('/console/api/api-keys')).status).toBe(403);
    expect((await supervisor.post('/console/api/api-keys', { name: 'Deneme' })).status).toBe(403);
    expect((await admin.post('/console/api/api-keys', { name: 'Web sitesi' }, { csrf: null })).status).toBe(403);
    expect((await admin.post('/console/api/api-keys', { name: '' })).status).toBe(400);

    const created = await admin.post('/console/api/api-keys', { name: 'Web sitesi' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const fresh = String(created.json.key);
    expect(fresh).toMatch(/^czm_[A-Za-z0-9_-]{43}$/);
    const listed = await admin.get('/console/api/api-keys');
    expect(listed.text).not.toContain(fresh.slice(8));
    const row = (listed.json.keys as Record<string, unknown>[]).find((k) => k.id === created.json.id)!;
    expect(row).toMatchObject({ name: 'Web sitesi', hint: `${fresh.slice(0, 8)}…`, createdBy: 'yonetici', active: true, revokedAt: null });
    const stored = JSON.stringify(await cozum.db.apiKey.findMany());
    expect(stored).not.toContain(fresh.slice(8));

    expect((await admin.post(`/console/api/api-keys/${String(created.json.id)}/revoke`)).json).toMatchObject({ active: false });
    expect((await admin.post(`/console/api/api-keys/${String(created.json.id)}/revoke`)).status).toBe(404);
  });
});
