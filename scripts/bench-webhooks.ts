// How fast departments' webhooks follow a burst of new tickets: a real Çözüm (SQLite), one
// department with a webhook to a receiver on this machine that answers 200, N tickets created at
// once; prints how long until the receiver had every one, and the feed's own time per look.
//   npm run bench:webhooks -- 2000
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startCozum } from '../src/main.ts';

const count = Number(process.argv[2] ?? 1000);
const FEN = 'Fen İşleri Müdürlüğü';
const dir = mkdtempSync(path.join(tmpdir(), 'cozum-bench-webhooks-'));
let received = 0;
let done: () => void = () => {};
const all = new Promise<void>((resolve) => (done = resolve));
const receiver = http.createServer((request, response) => {
  request.resume().on('end', () => {
    response.writeHead(200).end();
    if (++received === count) done();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
const config = loadConfig({
  env: {},
  file: null,
  overrides: { dataDir: dir, port: 0, logLevel: 'silent', 'nlu.cacheDir': path.resolve('node_modules/.cache/cozum-test-nlu'), 'integrations.departments': [{ name: FEN, webhook: { url, secret: 'b'.repeat(40) } }], 'integrations.feedSeconds': 1 },
});
const cozum = await startCozum(config, { http: true, logger: createLogger('silent') });
try {
  const contact = await cozum.db.contact.create({ data: { channel: 'bench', platformUserId: 'bench' } });
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, () => cozum.tickets.create({ contactId: contact.id, type: 'complaint', category: 'road', department: FEN, slaHours: 72, summary: 'Yol / çukur', data: {} })));
  const created = performance.now() - started;
  await all;
  const total = performance.now() - started;
  console.log(`${count} tickets created in ${Math.round(created)} ms; all ${received} webhook calls received ${Math.round(total)} ms after the first (${Math.round((count / total) * 1000)} calls/s)`);
} finally {
  await cozum.close();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
