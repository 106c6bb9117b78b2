// What one machine can pour into the database through the public web chat: 500 new sessions, each
// sending one 19,000-character message at once, against a fresh instance with the default limits.
// Prints how many messages were stored and how much the database grew.
//   node --import tsx scripts/webchat-flood.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startCozum } from '../src/main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cozum-flood-'));
const config = loadConfig({ env: {}, file: null, overrides: { dataDir: dir, port: 0, logLevel: 'silent' } });
const cozum = await startCozum(config, { http: true, logger: createLogger('silent') });
const file = path.join(dir, 'cozum.db');
const size = () => ['', '-wal'].reduce((total, suffix) => total + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);

await cozum.db.$executeRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
const before = size();
const started = performance.now();
const statuses = await Promise.all(
  Array.from({ length: 500 }, async () => {
    const session = await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' });
    if (!session.ok) return `session ${session.status}`;
    const { token } = (await session.json()) as { token: string };
    const sent = await fetch(`${cozum.url}/api/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token }, body: JSON.stringify({ text: 'x'.repeat(19_000) }) });
    await sent.arrayBuffer();
    return `message ${sent.status}`;
  }),
);
const seconds = (performance.now() - started) / 1000;
await cozum.db.$executeRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
const stored = await cozum.db.message.count({ where: { direction: 'in' } });
const answers = Object.entries(statuses.reduce<Record<string, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {}));
console.log(`answers: ${answers.map(([status, count]) => `${count}× ${status}`).join(', ')}`);
console.log(`stored: ${stored} messages; database grew by ${((size() - before) / 1_048_576).toFixed(2)} MB in ${seconds.toFixed(1)} s`);
await cozum.close();
rmSync(dir, { recursive: true, force: true });
