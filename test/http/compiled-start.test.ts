// `npm start` runs src/ compiled into dist/ by scripts/build.mjs, without tsx (the tests run the
// TypeScript). What only the compiled build can get wrong: a module or file missing beside the
// compiled ones (web pages, the report worker's entry), an import left pointing at a `.ts` file.
import { execFile } from 'node:child_process';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPILED, killAll, startChild } from '../support/child.ts';
import { SHARED_NLU_CACHE, tempDir } from '../support/cozum.ts';

const temp = tempDir('compiled-start-');
afterAll(() => {
  killAll();
  temp.remove();
});
const build = (...args: string[]) => promisify(execFile)(process.execPath, ['scripts/build.mjs', ...args]);

describe('npm start: the compiled build', () => {
  it('compiles src/ into dist/, and does nothing while dist/ is up to date', async () => {
    await build('--force');
    for (const file of ['dist/main.js', 'dist/console/report-worker.js', 'dist/console/report-worker-boot.mjs', 'dist/console/static/queue.html', 'dist/channels/web/static/index.html']) expect(existsSync(file), file).toBe(true);
    const built = statSync('dist/.built').mtimeMs;
    const { stderr } = await build();
    expect(stderr).toBe('');
    expect(statSync('dist/.built').mtimeMs).toBe(built);
    // A changed source file is compiled again.
    const later = new Date(built + 2000);
    utimesSync('src/log.ts', later, later);
    expect((await build()).stderr).toMatch(/compiled src\/ into dist\//);
  }, 120_000);

  it('answers on the web chat, serves the pages, and computes figures in its report worker without tsx', async () => {
    const dataDir = path.join(temp.dir, 'compiled');
    const configFile = path.join(temp.dir, 'compiled.config.yaml');
    writeFileSync(configFile, JSON.stringify({ nlu: { cacheDir: SHARED_NLU_CACHE } }));
    const child = await startChild({ dataDir, configFile, args: COMPILED });
    try {
      expect(child.process.spawnargs).not.toContain('tsx');
      const { token } = (await (await fetch(`${child.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
      const reply = await fetch(`${child.url}/api/chat/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chat-session': token }, body: JSON.stringify({ text: 'yakın kart nedir' }) });
      expect(reply.status).toBe(200);
      expect(JSON.stringify(await reply.json())).toMatch(/Yakın Kart/);
      expect((await fetch(`${child.url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      expect(await (await fetch(`${child.url}/console/login`)).text()).toMatch(/<form/);

      // The report worker from dist/, as the console starts it: its entry is the compiled module.
      const { ReportWorker } = (await import(path.resolve('dist/console/reports.js'))) as typeof import('../../src/console/reports.ts');
      const { loadConfig } = (await import(path.resolve('dist/config.js'))) as typeof import('../../src/config.ts');
      const reports = new ReportWorker(`file:${path.join(dataDir, 'cozum.db')}`, loadConfig({ file: configFile, env: { DATA_DIR: dataDir } }));
      try {
        const figures = await reports.figures({ since: null, now: new Date(), openStatuses: ['open'] });
        expect(figures).toMatchObject({ source: 'daily', counts: [], sla: { openOverdue: 0, resolvedLate: 0, resolvedOnTime: 0 } });
      } finally {
        await reports.close();
      }
    } finally {
      await child.stop('SIGTERM');
    }
  }, 120_000);
});
