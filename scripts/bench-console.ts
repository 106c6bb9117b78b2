// `npm run bench:console -- --db data/seed-100000.db`: figures, not a test. Starts Çözüm as a child
// process (the compiled build, the way `npm start` runs it) on a database made by `npm run seed`, logs in
// as the seeded supervisor and an agent, and times each console request (median and p95 of
// --runs, default 5), the server's RSS (peak while each request ran, read from /proc), and a
// citizen's web chat turn ("merhaba" and a FAQ, POST /api/chat/messages answers with the bot's
// replies) alone and while the heaviest console requests (the year's figures and the year's CSV)
// run. When the server exports its event-loop delay on /metrics (prom-client's
// `nodejs_eventloop_lag_*`), its p99 and max during the heavy phase are printed too.
// Options: --db FILE or --database postgresql://… (one of them required; work on a copy if it must
// stay as seeded: start-up applies pending migrations), --runs 5, --chat 40 (citizen turns per
// phase), --json. Also printed: the server's RSS at rest once the daily figures are complete, and
// the machine's load average at the start and the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { postgresConnection } from '../src/storage/postgres-url.ts';
import { SEED_PASSWORD } from './seed.ts';
import { npmStartCommand } from './start-command.ts';

interface Options {
  db: string;
  runs: number;
  chat: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Partial<Options> = { runs: 5, chat: 40, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? (() => { throw new Error(`${arg}: value missing`); })();
    if (arg === '--db') options.db = path.resolve(value());
    else if (arg === '--database') options.db = value();
    else if (arg === '--runs') options.runs = Math.max(1, Number(value()));
    else if (arg === '--chat') options.chat = Math.max(1, Number(value()));
    else if (arg === '--json') options.json = true;
    else throw new Error(`unknown option: ${arg}`);
  }
  if (!options.db) throw new Error('--db FILE or --database postgresql://… is required (make one with `npm run seed`)');
  return options as Options;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

class Session {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async login(username: string, password: string): Promise<void> {
    const response = await fetch(`${this.base}/console/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: this.base }, body: JSON.stringify({ username, password }) });
    if (!response.ok) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
    this.cookie = /cozum_console=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1]!;
    this.csrf = ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  async get(route: string): Promise<{ status: number; bytes: number; body: string }> {
    const response = await fetch(`${this.base}${route}`, { headers: { Cookie: `cozum_console=${this.cookie}`, Accept: 'application/json' } });
    if (response.ok && response.headers.get('content-type')?.startsWith('text/csv')) {
      // Counted as it arrives, as a browser saves a download: building the 75 MB text here stalled
      // this process (and the chat turns it times) for seconds.
      let bytes = 0;
      const reader = response.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.byteLength;
      return { status: response.status, bytes, body: '' };
    }
    const body = await response.text();
    return { status: response.status, bytes: Buffer.byteLength(body), body };
  }
}

async function chatTurn(base: string, token: string, text: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/api/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token }, body: JSON.stringify({ text }) });
  const body = (await response.json()) as { replies?: unknown[] };
  if (!response.ok || !body.replies?.length) throw new Error(`chat turn: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  return performance.now() - started;
}

async function loopDelay(base: string): Promise<{ p99: number; max: number } | undefined> {
  const response = await fetch(`${base}/metrics`).catch(() => undefined);
  if (!response?.ok) return undefined;
  const text = await response.text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  const p99 = read('nodejs_eventloop_lag_p99_seconds');
  const max = read('nodejs_eventloop_lag_max_seconds');
  return Number.isNaN(p99) ? undefined : { p99, max };
}

/** What the server's memory holds, from its /metrics (prom-client's heap figures): V8's heap by space, and memory outside it. */
async function memoryOf(base: string): Promise<string | undefined> {
  const response = await fetch(`${base}/metrics`).catch(() => undefined);
  if (!response?.ok) return undefined;
  const text = await response.text();
  const mb = (pattern: RegExp) => Math.round(Number(pattern.exec(text)?.[1] ?? NaN) / 1048576);
  const spaces = [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\d+)/gm)].map(([, space, bytes]) => `${space} ${Math.round(Number(bytes) / 1048576)}`);
  return `V8 heap total ${mb(/^nodejs_heap_size_total_bytes (\d+)/m)} MB (used ${mb(/^nodejs_heap_size_used_bytes (\d+)/m)}; by space, MB: ${spaces.join(', ')}), external ${mb(/^nodejs_external_memory_bytes (\d+)/m)} MB`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const postgresql = /^postgres(ql)?:/.test(options.db);
  const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  const temp = mkdtempSync(path.join(tmpdir(), 'cozum-bench-console-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configFile = path.join(temp, 'cozum.config.yaml');
  writeFileSync(
    configFile,
    [
      `dataDir: ${JSON.stringify(temp)}`,
      `databaseUrl: ${JSON.stringify(postgresql ? options.db : `file:${options.db}`)}`,
      `port: ${port}`,
      'host: 127.0.0.1',
      'logLevel: warn',
      `nlu: { cacheDir: ${JSON.stringify(path.resolve('node_modules/.cache/cozum-test-nlu'))} }`,
      'limits: { floodMessages: 100000, http: { chatSessions: 100000, chatMessages: 100000, chatMessagesPerSession: 100000, chatReads: 100000, login: 100000, webhooks: 100000 } }',
      'handoff: { acknowledgeEverySeconds: 0, workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" } }',
    ].join('\n'),
  );
  const start = npmStartCommand();
  const startedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, start.args, {
    env: { ...process.env, ...start.env, COZUM_CONFIG: configFile, DOTENV_CONFIG_QUIET: 'true' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = () => child.kill('SIGTERM');
  process.on('exit', stop);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      const ok = await fetch(`${base}/`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const startupMs = performance.now() - startedAt;
    // The daily figures of a seeded database are counted after start-up (main.ts); until then the
    // figures are counted from the tickets. Measured: how long that takes, then the figures as a
    // running municipality has them.
    const state = postgresql ? new pg.Client({ connectionString: postgresConnection(options.db).connectionString }) : new BetterSqlite3(options.db, { readonly: true });
    if (state instanceof pg.Client) await state.connect();
    const statement = 'SELECT "complete" FROM "TicketFigureState" WHERE "id" = 1';
    const complete = async () =>
      Number((state instanceof pg.Client ? (await state.query<{ complete: boolean }>(statement)).rows[0] : (state.prepare(statement).get() as { complete: number } | undefined))?.complete) === 1;
    while (!(await complete())) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (state instanceof pg.Client) await state.end();
    else state.close();
    const dailyFiguresMs = performance.now() - startedAt;
    // At rest: the rebuild's garbage collected, nothing asked yet.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const restRssMb = rssMb(child.pid!);
    const rest = await memoryOf(base);
    if (!options.json && rest) console.error(`  at rest: RSS ${Math.round(restRssMb)} MB; ${rest}`);
    if (!options.json) console.error(`  start-up ${Math.round(startupMs)} ms; daily figures complete ${Math.round(dailyFiguresMs)} ms after starting`);
    const pid = child.pid!;

    const supervisor = new Session(base);
    await supervisor.login('sef', SEED_PASSWORD);
    const agent = new Session(base);
    await agent.login('gorevli0-1', SEED_PASSWORD);
    const queue = JSON.parse((await agent.get('/console/api/queue')).body) as { items: { conversationId: string | null }[] };
    const conversationId = queue.items.find((i) => i.conversationId)?.conversationId;

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
    const requests: [string, Session, string][] = [
      ['GET /console/api/me (supervisor)', supervisor, '/console/api/me'],
      ['GET /console/api/me (agent)', agent, '/console/api/me'],
      ['the queue (supervisor, all)', supervisor, '/console/api/queue?scope=all'],
      ['the queue (agent, department)', agent, '/console/api/queue'],
      ['the queue (agent, mine)', agent, '/console/api/queue?scope=mine'],
      ...(conversationId ? [['an agent opening a conversation', agent, `/console/api/conversations/${conversationId}`] as [string, Session, string]] : []),
      ['supervisor figures, last 30 days', supervisor, '/console/api/stats?days=30'],
      ['supervisor figures, last 365 days', supervisor, '/console/api/stats?days=365'],
      ['CSV export, 365 days', supervisor, '/console/api/export.csv?days=365'],
    ];
    const rows: { request: string; median: number; p95: number; bytes: number; rssPeakMb: number }[] = [];
    for (const [name, session, route] of requests) {
      const times: number[] = [];
      let bytes = 0;
      peak = rssMb(pid);
      for (let run = 0; run < options.runs; run++) {
        const started = performance.now();
        const reply = await session.get(route);
        times.push(performance.now() - started);
        if (reply.status !== 200) throw new Error(`${route}: ${reply.status} ${reply.body.slice(0, 200)}`);
        bytes = reply.bytes;
      }
      rows.push({ request: name, median: percentile(times, 50), p95: percentile(times, 95), bytes, rssPeakMb: peak });
      const r = rows[rows.length - 1]!;
      if (!options.json) console.error(`  ${name}: median ${Math.round(r.median)} ms, p95 ${Math.round(r.p95)} ms, ${bytes} bytes, RSS peak ${Math.round(peak)} MB`);
    }

    // A citizen on the web chat: alone, then while a supervisor loads the year's figures and exports its CSV.
    const { token } = (await (await fetch(`${base}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
    const texts = ['merhaba', 'emlak vergisi borcumu nasıl öğrenirim', 'teşekkürler'];
    await chatTurn(base, token, 'merhaba');
    const alone: number[] = [];
    for (let i = 0; i < options.chat; i++) alone.push(await chatTurn(base, token, texts[i % texts.length]!));
    const loaded: number[] = [];
    const failures: string[] = [];
    let heavyDone = false;
    peak = rssMb(pid);
    // Scraping resets the server's event-loop delay histogram: the next scrape covers this phase only.
    await loopDelay(base);
    // This process's own delay too: a chat turn timed here also waits for this event loop.
    const ownDelay = monitorEventLoopDelay({ resolution: 10 });
    ownDelay.enable();
    const heavy = (async () => {
      const started = performance.now();
      for (let i = 0; i < Math.max(2, Math.ceil(options.runs / 2)); i++) {
        await Promise.all(
          ['/console/api/stats?days=365', '/console/api/export.csv?days=365'].map((route) =>
            supervisor.get(route).catch((error: Error) => void failures.push(`${route}: ${(error.cause as Error | undefined)?.message ?? error.message}`)),
          ),
        );
      }
      heavyDone = true;
      return performance.now() - started;
    })();
    while (!heavyDone || loaded.length < options.chat) {
      const started = performance.now();
      try {
        loaded.push(await chatTurn(base, token, texts[loaded.length % texts.length]!));
      } catch (error) {
        // A reset connection is what a citizen would see too: counted, and its time kept.
        failures.push(`chat: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
        loaded.push(performance.now() - started);
      }
      if (heavyDone && loaded.length >= options.chat) break;
    }
    const heavyMs = await heavy;
    ownDelay.disable();
    const heavyRss = peak;
    clearInterval(sampler);
    const delay = await loopDelay(base);

    const result = {
      db: options.db,
      tickets: undefined as number | undefined,
      machine: { cpus: cpus().length, loadavgAtStart: loadAtStart, loadavg: loadavg().map((l) => Number(l.toFixed(2))) },
      restRssMb: Math.round(restRssMb),
      startupMs: Math.round(startupMs),
      dailyFiguresMs: Math.round(dailyFiguresMs),
      requests: rows.map((r) => ({ ...r, median: Math.round(r.median), p95: Math.round(r.p95), rssPeakMb: Math.round(r.rssPeakMb) })),
      chat: {
        alone: { turns: alone.length, p50: Math.round(percentile(alone, 50)), p99: Math.round(percentile(alone, 99)), max: Math.round(Math.max(...alone)) },
        whileHeavy: { turns: loaded.length, p50: Math.round(percentile(loaded, 50)), p99: Math.round(percentile(loaded, 99)), max: Math.round(Math.max(...loaded)), heavyMs: Math.round(heavyMs), rssPeakMb: Math.round(heavyRss) },
      },
      eventLoopDelayMs: delay ? { p99: Math.round(delay.p99), max: Math.round(delay.max) } : null,
      benchEventLoopDelayMs: { p99: Math.round(ownDelay.percentile(99) / 1e6), max: Math.round(ownDelay.max / 1e6) },
      failures,
    };
    if (options.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(
        `database ${options.db}; ${result.machine.cpus} cores, load average ${result.machine.loadavgAtStart.join(' ')} at the start, ${result.machine.loadavg.join(' ')} at the end; start-up ${result.startupMs} ms; daily figures complete after ${result.dailyFiguresMs} ms; RSS at rest ${result.restRssMb} MB`,
      );
      console.log(`${'request'.padEnd(40)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'bytes'.padStart(10)} ${'RSS peak'.padStart(9)}`);
      for (const r of result.requests) console.log(`${r.request.padEnd(40)} ${`${r.median} ms`.padStart(8)} ${`${r.p95} ms`.padStart(8)} ${String(r.bytes).padStart(10)} ${`${r.rssPeakMb} MB`.padStart(9)}`);
      const c = result.chat;
      console.log(`citizen's chat turn alone:            p50 ${c.alone.p50} ms, p99 ${c.alone.p99} ms, max ${c.alone.max} ms (${c.alone.turns} turns)`);
      console.log(`while the year's figures + CSV run:   p50 ${c.whileHeavy.p50} ms, p99 ${c.whileHeavy.p99} ms, max ${c.whileHeavy.max} ms (${c.whileHeavy.turns} turns; heavy requests took ${c.whileHeavy.heavyMs} ms; RSS peak ${c.whileHeavy.rssPeakMb} MB)`);
      if (failures.length > 0) console.log(`failed requests while the heavy ones ran: ${failures.length} (${[...new Set(failures)].join('; ')})`);
      console.log(result.eventLoopDelayMs ? `server event-loop delay while the heavy requests ran (its /metrics): p99 ${result.eventLoopDelayMs.p99} ms, max ${result.eventLoopDelayMs.max} ms` : 'event-loop delay: not exported by this server');
      console.log(`this benchmark's own event-loop delay meanwhile: p99 ${result.benchEventLoopDelayMs.p99} ms, max ${result.benchEventLoopDelayMs.max} ms`);
    }
  } finally {
    stop();
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
