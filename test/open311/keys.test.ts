// API keys are secrets: never logged (the logger is captured through a whole key's life), never
// stored (only a hash, and the rate-limit counters name the key's id), and limited per key.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { startCozum, type Cozum } from '../../src/main.ts';
import { tempDir, testConfig } from '../support/cozum.ts';
import { adminWithKey, Open311Client } from './support.ts';

const lines: string[] = [];
const temp = tempDir();
let cozum: Cozum;
let api: Open311Client;

beforeAll(async () => {
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  cozum = await startCozum(testConfig(temp.dir, { logLevel: 'trace', 'open311.requestsPerKeyPerMinute': 3, 'integrations.callsPerKeyPerMinute': 4 }), { http: true, logger: createLogger('trace', stream) });
  api = new Open311Client(cozum.url!);
});
afterAll(async () => {
  await cozum?.close();
  temp.remove();
});

const report = (key: string) => ({ api_key: key, service_code: 'park', address_string: 'Erzene Mahallesi, Gençlik Parkı girişi', description: 'Parktaki salıncağın zinciri kopmuş.' });

describe('an API key', () => {
  it('is limited per key: beyond its requests a minute, 429 with Retry-After in the error list', async () => {
    const { key } = await adminWithKey(cozum);
    const other = await adminWithKey(cozum);
    for (let i = 0; i < 3; i += 1) expect((await api.post('/open311/v2/requests.json', report(key))).status).toBe(201);
    const refused = await api.post('/open311/v2/requests.json', report(key));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toEqual([{ code: 429, description: expect.stringContaining('too many') }]);
    // Another key is counted on its own.
    expect((await api.post('/open311/v2/requests.json', report(other.key))).status).toBe(201);
    // Reading needs no key and is not counted against one.
    expect((await api.get('/open311/v2/requests.json')).status).toBe(200);
  });

  it('never reaches the logs or the database, through creation, use, misuse and revocation', async () => {
    const { admin, key, keyId } = await adminWithKey(cozum, 'ikinci.yonetici');
    await api.post('/open311/v2/requests.json', report(key));
    await api.post(`/open311/v2/requests.json?api_key=${key}`, report(key));
    await api.post('/open311/v2/requests.json', report(`${key.slice(0, -1)}x`));
    await admin.post(`/console/api/api-keys/${keyId}/revoke`);
    await api.post('/open311/v2/requests.json', report(key));

    const logged = lines.join('');
    expect(logged).toContain('Open311 API key created');
    expect(logged).toContain('Open311 request filed');
    expect(logged).toContain('Open311 API key revoked');
    const secret = key.slice('czm_'.length);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(secret.slice(0, 20));

    const rows = JSON.stringify([await cozum.db.apiKey.findMany(), await cozum.db.rateLimit.findMany(), await cozum.db.ticket.findMany(), await cozum.db.ticketEvent.findMany()]);
    expect(rows).not.toContain(secret.slice(0, 20));
    expect(rows).toContain(`open311:key:${keyId}`);
  });

  it("as a department's back-office key: limited per key, and never in the logs through use, misuse and revocation", async () => {
    const { admin } = await adminWithKey(cozum, 'ucuncu.yonetici');
    const created = await admin.post('/console/api/api-keys', { name: 'Fen EBYS', department: 'Fen İşleri Müdürlüğü' });
    const key = String(created.json.key);
    const filed = await api.post('/open311/v2/requests.json', report((await adminWithKey(cozum, 'dorduncu.yonetici')).key));
    const number = (filed.body as { service_request_id: string }[])[0]!.service_request_id;
    const call = (path: string, body: unknown, given = key) =>
      fetch(`${cozum.url}/api/backoffice/v1${path}`, { method: 'POST', headers: { Authorization: `Bearer ${given}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    // Park ve Bahçeler's ticket: unknown to Fen's key; a bad body; a change; then the limit.
    expect((await call(`/tickets/${number}/status`, { status: 'in_progress' })).status).toBe(404);
    await cozum.db.ticket.update({ where: { number }, data: { department: 'Fen İşleri Müdürlüğü' } });
    expect((await call(`/tickets/${number}/status`, { status: 'bitti' })).status).toBe(400);
    expect((await call(`/tickets/${number}/status`, { status: 'in_progress', note: 'Ekip yolda.' })).status).toBe(200);
    expect((await call(`/tickets/${number}/replies`, { text: 'Merhaba' })).status).toBe(409);
    const limited = await call(`/tickets/${number}/status`, { status: 'in_progress' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await call(`/tickets/${number}/status`, { status: 'in_progress' }, `${key.slice(0, -1)}x`);
    await admin.post(`/console/api/api-keys/${String(created.json.id)}/revoke`);
    expect((await call(`/tickets/${number}/status`, { status: 'in_progress' })).status).toBe(401);

    const logged = lines.join('');
    expect(logged).toContain('back-office change');
    const secret = key.slice('czm_'.length);
    expect(logged).not.toContain(secret.slice(0, 20));
    const events = await cozum.db.ticketEvent.findMany({ where: { ticket: { number } } });
    expect(events.map((e) => e.actor)).toContain('integration:Fen EBYS');
    expect(JSON.stringify(events)).not.toContain(secret.slice(0, 20));
  });
});
