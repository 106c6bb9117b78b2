// No personal data in any public Open311 answer: requests filed over Open311 and through the chat
// carry a name, a phone number, a TC kimlik number, an e-mail address and a home address, in their
// own fields and inside their free text and the agents' notes; every field of every public answer,
// JSON and XML, is walked for them. Aid applications are not public at all.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { adminWithKey, Open311Client, type Answer } from './support.ts';

const cozum = useTestCozum({ http: true });
let api: Open311Client;

/** What must never be read in a public answer, however it is written. */
const SECRETS = [
  'Nermin', 'nermin', 'Aksoy', 'aksoy', '765 43 21', '7654321', '10000000146', 'example.com',
  'Ayten', 'Korkmaz', '111 22 33', '1112233', 'ayten@',
  'Selin', 'Kaya', '222 33 44', '2223344', '4. sokak no 2', 'Kirada oturuyorum',
];

/** Every string and number in an answer, with where it was found. */
function leaves(value: unknown, path = ''): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [[path, String(value)]];
  return Object.entries(value).flatMap(([key, item]) => leaves(item, `${path}.${key}`));
}

function expectNothingPersonal(answer: Answer): void {
  expect(answer.status).toBe(200);
  const fields = leaves(answer.body);
  expect(fields.length).toBeGreaterThan(0);
  for (const [where, text] of fields) for (const secret of SECRETS) expect(text, where).not.toContain(secret);
  for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
}

let open311Id: string;
let chatComplaint: string;
let aidNumber: string;

beforeAll(async () => {
  api = new Open311Client(cozum.url!);
  const { key } = await adminWithKey(cozum);
  const filed = await api.post('/open311/v2/requests.json', {
    api_key: key,
    service_code: 'rubbish',
    lat: '38.4650',
    long: '27.2200',
    address_string: "Erzene Mahallesi, Nermin Aksoy'un evinin önü (0532 765 43 21)",
    description: 'Çöpler bir haftadır alınmıyor. Ben Nermin Aksoy, TC 10000000146, telefon 0532 765 43 21, nermin.aksoy@example.com.',
    first_name: 'Nermin',
    last_name: 'Aksoy',
    phone: '0532 765 43 21',
    email: 'nermin.aksoy@example.com',
    media_url: 'https://foto.example.com/nermin.aksoy/cop.jpg',
    'attribute[neighbourhood]': 'Erzene',
  });
  expect(filed.status).toBe(201);
  open311Id = (filed.body as { service_request_id: string }[])[0]!.service_request_id;

  // A complaint through the chat, with the citizen's name, phone and e-mail in what they wrote.
  const ayten = new Citizen(cozum);
  for (const text of ['sokak lambası yanmıyor', 'Erzene', "Ayten Korkmaz'ın kapısının önü, 120/2 Sokak", 'Lamba yanmıyor, bana 0533 111 22 33 ya da ayten@example.com adresinden ulaşın.', 'geç', 'Evet, onaylıyorum', 'Ayten Korkmaz', '0533 111 22 33']) {
    await ayten.say(text);
  }
  const done = await ayten.sayAll('evet');
  chatComplaint = /CZM-\d{4}-\d{6}/.exec(done)![0];

  // An aid application: a TC number, a home address, a household's situation.
  const selin = new Citizen(cozum);
  for (const text of ['gıda yardımı istiyorum', 'evet', '10000000146', 'Selin Kaya', '0532 222 33 44', 'Erzene', 'Erzene mah. 4. sokak no 2', '3', 'Kirada oturuyorum, eşim işsiz.']) await selin.say(text);
  aidNumber = /CZM-\d{4}-\d{6}/.exec(await selin.sayAll('evet'))![0];

  // Agents' status notes quote the citizen's numbers.
  await createAgent(cozum.db, 'temizlik.ali', 'Ali Şen', 'supervisor', null);
  const agent = await ConsoleClient.loggedIn(cozum, 'temizlik.ali');
  for (const number of [open311Id, chatComplaint]) {
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number } });
    const changed = await agent.post(`/console/api/tickets/${ticket.id}/status`, { status: 'in_progress', note: 'Vatandaş 0532 765 43 21 ve 0533 111 22 33 numaralarından arandı, TC 10000000146 doğrulandı. Bilgi için 444 0 153.' });
    expect(changed.status).toBe(200);
  }
});

describe('public Open311 answers', () => {
  it('hold the filed requests, with their place, and no aid application', async () => {
    const list = (await api.get('/open311/v2/requests.json')).body as { service_request_id: string; address: string | null; status_notes: string | null }[];
    const ids = list.map((r) => r.service_request_id);
    expect(ids).toEqual(expect.arrayContaining([open311Id, chatComplaint]));
    expect(ids).not.toContain(aidNumber);
    const filed = list.find((r) => r.service_request_id === open311Id)!;
    expect(filed.address).toMatch(/^Erzene Mahallesi, •••/);
    // The municipality's own number stays readable; the citizen's are masked.
    expect(filed.status_notes).toContain('444 0 153');
    expect(filed.status_notes).toContain('0532 ••• •• 21');
  });

  it('carry no name, phone, TC number, e-mail or home address in any field, in JSON or XML', async () => {
    expectNothingPersonal(await api.get('/open311/v2/requests.json'));
    expectNothingPersonal(await api.get('/open311/v2/requests.xml'));
    for (const id of [open311Id, chatComplaint]) {
      expectNothingPersonal(await api.get(`/open311/v2/requests/${id}.json`));
      expectNothingPersonal(await api.get(`/open311/v2/requests/${id}.xml`));
    }
    expectNothingPersonal(await api.get(`/open311/v2/requests.json?service_request_id=${open311Id},${chatComplaint},${aidNumber}`));
    expectNothingPersonal(await api.get('/open311/v2/requests.json?status=open&service_code=rubbish,street_light'));
  });

  it("mask the requester's name where a word starts with it, not inside another word (Kara, Ankara)", async () => {
    const { key } = await adminWithKey(cozum, 'kara');
    const filed = await api.post('/open311/v2/requests.json', {
      api_key: key,
      service_code: 'street_light',
      address_string: 'Erzene Mahallesi, Ankara Caddesi 40, Karaların evinin önü',
      description: 'Sokak lambası yanmıyor.',
      first_name: 'Deniz',
      last_name: 'Kara',
      'attribute[neighbourhood]': 'Erzene',
    });
    expect(filed.status).toBe(201);
    const id = (filed.body as { service_request_id: string }[])[0]!.service_request_id;
    const [request] = (await api.get(`/open311/v2/requests/${id}.json`)).body as { address: string }[];
    expect(request!.address).toBe('Erzene Mahallesi, Ankara Caddesi 40, •••ların evinin önü');
  });

  it('do not know an aid application exists', async () => {
    const json = await api.get(`/open311/v2/requests/${aidNumber}.json`);
    expect(json.status).toBe(404);
    expect((await api.get(`/open311/v2/requests.json?service_request_id=${aidNumber}`)).body).toEqual([]);
  });

  it('while the agents still read everything the citizen gave', async () => {
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number: open311Id }, include: { contact: true, conversation: true } });
    const data = JSON.parse(ticket.data) as Record<string, unknown>;
    expect(data).toMatchObject({ fullName: 'Nermin Aksoy', phone: '+905327654321', email: 'nermin.aksoy@example.com' });
    expect(ticket.contact.displayName).toBe('Nermin Aksoy');
    expect(JSON.parse(ticket.conversation!.address)).toEqual({ email: 'nermin.aksoy@example.com' });
  });

  it('lose the place of a request whose requester had their data erased; the request stays for the figures', async () => {
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { number: open311Id } });
    await cozum.handoff.citizenErased(ticket.contactId);
    const [request] = (await api.get(`/open311/v2/requests/${open311Id}.json`)).body as Record<string, unknown>[];
    expect(request).toMatchObject({ service_request_id: open311Id, service_code: 'rubbish', address: null, lat: null, long: null, media_url: null, description: 'Çöp toplama · Erzene Mahallesi' });
    const stored = JSON.stringify(await cozum.db.ticket.findUniqueOrThrow({ where: { number: open311Id }, include: { contact: true, conversation: true } }));
    for (const secret of ['Nermin', 'Aksoy', 'nermin.aksoy', '5327654321', '38.465']) expect(stored).not.toContain(secret);
  });
});
