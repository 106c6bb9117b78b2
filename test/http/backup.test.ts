// `npm run backup` while the assistant runs and writes: the copy opens as a database holding what
// was there, named by the same configuration the server reads.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.ts';
import { tempDir, useTestCozum } from '../support/cozum.ts';

describe('npm run backup', () => {
  const cozum = useTestCozum({ http: true });
  const temp = tempDir('cozum-backup-');

  it('copies the live database consistently, and says where from and where to', async () => {
    const session = (await (await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
    const say = (id: string, text: string) =>
      fetch(`${cozum.url}/api/chat/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chat-session': session.token }, body: JSON.stringify({ id, text }) });
    expect((await say('b1', 'cenaze aracı nasıl çağırırım')).status).toBe(200);

    const target = path.join(temp.dir, 'copy.db');
    // The citizen keeps writing while the copy is taken.
    const [{ stdout }] = await Promise.all([
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', '--to', target], { env: { ...process.env, DATA_DIR: cozum.config.dataDir, COZUM_CONFIG: '' } }),
      say('b2', 'emlak vergisi borcumu nasıl öğrenirim'),
    ]);
    expect(stdout).toContain(`Backed up ${path.resolve(cozum.config.dataDir, 'cozum.db')} to ${target}`);

    const { db } = await openDatabase(`file:${target}`);
    try {
      const texts = (await db.message.findMany({ where: { direction: 'in' }, orderBy: { createdAt: 'asc' }, select: { text: true } })).map((row) => row.text);
      expect(texts[0]).toBe('cenaze aracı nasıl çağırırım');
      const replies = await db.message.findMany({ where: { direction: 'out' }, select: { text: true, replyToId: true } });
      expect(replies[0]!.text).toContain('000 01 88');
      // A database as it was at one moment: every reply's message is in it too.
      const inbound = new Set((await db.message.findMany({ where: { direction: 'in' }, select: { id: true } })).map((row) => row.id));
      for (const reply of replies) expect(inbound.has(reply.replyToId!)).toBe(true);
    } finally {
      await db.$disconnect();
      temp.remove();
    }
  }, 60_000);
});
