// `npm run bench`: figures, not a test. In one run, on a fresh SQLite database in a temporary folder
// (startCozum without HTTP: its real bot, NLU, dialogs, tickets, state in the database):
//   pipeline: N simulated citizens (greetings, FAQs, complete complaint and aid dialogs, status
//             queries) talking at once through the in-process adapter, each reply delivered through
//             a channel sender by the outbox, as Telegram or WhatsApp replies are. Twice: flat out
//             (each citizen writes again as soon as answered: the most the pipeline takes) and at a
//             fixed offered rate (--rate, default 1000/s: the reply latency a citizen sees then);
//   echo:     the same harness and messages against a bare botbuilder echo bot on the same adapter
//             and database, and the ratio of the two throughputs;
//   nlu:      classifications per second and latency over the intents' own examples.
// Lost messages are counted in the database: every inbound message processed and answered, every
// reply sent; any loss makes the exit code 1.
// Each measured run is repeated (--repeat, default 5), pipeline and echo taking turns so that a slow
// moment of a shared machine does not fall on one side only; the figures shown are of the median
// run (by throughput), with the range of all runs beside them.
// Options: --citizens 200, --rounds 3 (conversations per citizen), --rate 1000 (0: no paced run),
// --repeat 5, --json (JSON only), --only pipeline|echo|nlu, --profile FILE (a .cpuprofile of the
// measured phases, for Chrome DevTools), --database URL (e.g. an empty PostgreSQL database; default a
// fresh SQLite file).
// --instances N (with --database postgresql://…): N server processes (as `npm start` runs them) on that database, as a
// municipality runs them behind a load balancer, and beside them one process on a fresh SQLite
// file: web chat citizens over HTTP, each citizen's messages going to the instances in turn (so
// that conversations move between them), flat out and at --rate (500/s in this mode), throughput,
// latency until the answer is in the HTTP response, and messages lost (counted in the databases);
// with --profile DIR, each instance writes its .cpuprofile into DIR when it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startCozum, type Cozum } from '../src/main.ts';
import { openDatabase } from '../src/storage/database.ts';
import type { DeliveryTarget } from '../src/messaging/delivery.ts';
import type { OutboundMessage } from '../src/messaging/message.ts';
import { npmStartCommand } from './start-command.ts';

interface Options {
  citizens: number;
  rounds: number;
  json: boolean;
  only?: string;
  profile?: string;
  /** Messages per second offered in the paced run. */
  rate: number;
  /** Times each measured run is made. */
  repeat: number;
  /** A database URL instead of a fresh SQLite file (e.g. an empty PostgreSQL database). */
  database?: string;
  /** Several server processes on `database`, compared with one on SQLite (HTTP web chat). */
  instances?: number;
  rateSet?: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { citizens: 200, rounds: 3, json: false, rate: 1000, repeat: 5 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg}: değer eksik`);
      return next;
    };
    if (arg === '--citizens') options.citizens = Math.max(1, Number(value()));
    else if (arg === '--rounds') options.rounds = Math.max(1, Number(value()));
    else if (arg === '--json') options.json = true;
    else if (arg === '--only') options.only = value();
    else if (arg === '--profile') options.profile = value();
    else if (arg === '--rate') {
      options.rate = Math.max(0, Number(value()));
      options.rateSet = true;
    } else if (arg === '--instances') options.instances = Math.max(1, Number(value()));
    else if (arg === '--repeat') options.repeat = Math.max(1, Number(value()));
    else if (arg === '--database') options.database = value();
    else throw new Error(`bilinmeyen seçenek: ${arg}`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// What citizens say: complete conversations taken from test/dialogs and test/bot.

type Script = {
  kind: string;
  messages: string[];
  /**
   * Indices of the answers that are not asked again once the citizen has filed before (consent,
   * name, phone: the bot reuses the earlier application's): left out of later rounds.
   */
  askedOnce?: number[];
};

const SCRIPTS: { weight: number; script: (i: number) => Script }[] = [
  { weight: 3, script: () => ({ kind: 'greeting', messages: ['Merhaba', '12', 'teşekkürler'] }) },
  {
    weight: 4,
    script: (i) => ({
      kind: 'faq',
      messages: [
        ['cenaze aracı nasıl çağırırım', 'emlak vergisi borcumu nasil ogrenirim', 'su kesintisi ne zaman biter', 'yakın kart nasıl alınır'][i % 4]!,
        ['nikah salonu rezervasyonu nasıl yapılır', 'otobüs saatleri nerede', 'belediyenin telefon numarası nedir?'][i % 3]!,
      ],
    }),
  },
  {
    weight: 2,
    script: (i) =>
      [
        { kind: 'complaint', messages: ['yolda çukur var', 'Erzene', '3. sokak', 'Çukur derin, araçlar zarar görüyor.', 'geç', 'evet', 'Burak Tan', '05327778899', 'evet'], askedOnce: [5, 6, 7] },
        { kind: 'complaint', messages: ['sokak lambası yanmıyor', 'Erzene', 'Lale sokak no 2', 'Lamba üç gündür yanmıyor, sokak karanlık.', 'geç', 'evet', 'Oya Er', '05320009988', 'evet'], askedOnce: [5, 6, 7] },
        { kind: 'complaint', messages: ['Erzene Mahallesi 112. sokakta çöpler 5 gündür alınmadı', '112. sokak no 7', 'geç', 'evet', 'ayşe yılmaz', '0532 123 45 67', 'evet'], askedOnce: [3, 4, 5] },
      ][i % 3]!,
  },
  {
    weight: 1,
    script: () => ({
      kind: 'aid',
      messages: ['gıda yardımı istiyorum', 'evet', '10000000146', 'Selin Koç', '05321110000', 'Erzene', 'Erzene mah. 1. sokak no 1', '2', 'Yalnız yaşıyorum, gelirim yok.', 'evet'],
    }),
  },
  { weight: 2, script: () => ({ kind: 'status', messages: ['başvurularım ne durumda', 'CZM-2026-000001 ne durumda'] }) },
];

/** A deterministic mix: citizen i, round r always says the same things. */
function scriptFor(citizen: number, round: number): Script {
  const total = SCRIPTS.reduce((sum, s) => sum + s.weight, 0);
  let pick = (citizen * 7 + round * 3) % total;
  for (const entry of SCRIPTS) {
    if (pick < entry.weight) return entry.script(citizen + round);
    pick -= entry.weight;
  }
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
// The channel the simulated citizens use: a sender that records each delivery, so that a reply's
// latency is measured until the citizen would see it, not until it was queued.

class BenchChannel {
  readonly name: string;
  private readonly delivered = new Map<string, number>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }>();
  deliveries = 0;

  constructor(name: string) {
    this.name = name;
  }

  sender = {
    send: async (target: DeliveryTarget, _message: OutboundMessage): Promise<void> => {
      this.deliveries++;
      const count = (this.delivered.get(target.conversationId) ?? 0) + 1;
      this.delivered.set(target.conversationId, count);
      const waiter = this.waiters.get(target.conversationId);
      if (waiter && count >= waiter.count) {
        this.waiters.delete(target.conversationId);
        waiter.resolve();
      }
    },
  };

  /** Resolves once `count` replies in all have reached the conversation. */
  waitFor(conversationId: string, count: number): Promise<void> {
    if ((this.delivered.get(conversationId) ?? 0) >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(conversationId, { count, resolve }));
  }
}

interface RunFigures {
  citizens: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** From handing a message to the adapter until its last reply reached the channel's sender. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Main-thread and helper-thread CPU time per message. */
  cpuMsPerMessage: number;
  repliesDelivered: number;
  /** Inbound messages not processed or not answered, and replies not sent, counted in the database. */
  lost: number;
  /** The rate the citizens tried to keep (paced runs). */
  offeredPerSecond?: number;
  ticketsCreated?: number;
  /** Of all repeats: the lowest and highest throughput and p99 latency. */
  range?: { messagesPerSecond: [number, number]; p99Ms: [number, number] };
  /** Every repeat's throughput, in the order run. */
  runs?: number[];
}

/** The run of median throughput, with the range of all runs. */
function median(runs: RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.messagesPerSecond - b.messagesPerSecond);
  const p99s = runs.map((run) => run.latencyMs.p99);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)]!,
    lost: runs.reduce((sum, run) => sum + run.lost, 0),
    runs: runs.map((run) => run.messagesPerSecond),
    range: { messagesPerSecond: [sorted[0]!.messagesPerSecond, sorted.at(-1)!.messagesPerSecond], p99Ms: [Math.min(...p99s), Math.max(...p99s)] },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 100) / 100;
}

interface Run {
  latencies: number[];
  messages: number;
  seconds: number;
  cpuMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The messages one simulated citizen says, in order. */
function messagesOf(citizen: number, rounds: number): string[] {
  let filedBefore = false;
  return Array.from({ length: rounds }, (_, round) => {
    const script = scriptFor(citizen, round);
    const messages = filedBefore && script.askedOnce ? script.messages.filter((_, index) => !script.askedOnce!.includes(index)) : script.messages;
    filedBefore ||= script.askedOnce !== undefined || script.kind === 'aid';
    return messages;
  }).flat();
}

/**
 * Sends every citizen's messages, each citizen one at a time: flat out without `rate`, else at `rate`
 * messages a second from `started` (a citizen still waiting for its answer is skipped until it has it).
 */
async function offer<C extends { texts: string[]; next: number }>(citizens: C[], say: (citizen: C, scheduled?: number) => Promise<void>, started: number, rate?: number): Promise<void> {
  if (!rate) {
    await Promise.all(
      citizens.map(async (citizen) => {
        while (citizen.next < citizen.texts.length) await say(citizen);
      }),
    );
  } else {
    const ready = [...citizens];
    const waiting = new Set<Promise<void>>();
    let wake: (() => void) | undefined;
    const total = citizens.reduce((sum, c) => sum + c.texts.length, 0);
    for (let sent = 0; sent < total; ) {
      const due = started + (sent * 1000) / rate;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      if (ready.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const citizen = ready.shift()!;
      sent++;
      const turn: Promise<void> = say(citizen, due).then(() => {
        waiting.delete(turn);
        if (citizen.next < citizen.texts.length) ready.push(citizen);
        wake?.();
        wake = undefined;
      });
      waiting.add(turn);
    }
    while (waiting.size > 0) await Promise.all([...waiting]);
  }
}

/**
 * Every citizen says its conversations' messages one after another, each once the previous one was
 * answered; all citizens at once. Without `rate`, each writes again as soon as answered: the most
 * the pipeline can take. With `rate`, a dispatcher lets one citizen write every 1/rate seconds,
 * taking turns among those not waiting for an answer; if all are waiting, the pipeline is saturated
 * and the rate achieved falls below the rate offered.
 */
async function runCitizens(cozum: Cozum, channel: BenchChannel, options: Options, label: string, rate?: number): Promise<Run> {
  const latencies: number[] = [];
  let messages = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const citizens = Array.from({ length: options.citizens }, (_, i) => ({ userId: `${label}-${i}`, texts: messagesOf(i, options.rounds), next: 0, expected: 0 }));
  /** `scheduled`: when the dispatcher meant the message to go; latency counts from then (a late start is waiting too). */
  const say = async (citizen: (typeof citizens)[number], scheduled?: number): Promise<void> => {
    const text = citizen.texts[citizen.next++]!;
    const t0 = scheduled ?? performance.now();
    const result = await cozum.adapter.receive({ channel: channel.name, userId: citizen.userId, text, platformMessageId: `${citizen.userId}-${citizen.next}`, address: { chat: citizen.userId } });
    citizen.expected += result.replies.length;
    await channel.waitFor(result.conversationId, citizen.expected);
    latencies.push(performance.now() - t0);
    messages++;
  };
  await offer(citizens, say, started, rate);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { latencies: latencies.sort((a, b) => a - b), messages, seconds, cpuMs: (used.user + used.system) / 1000 };
}

/** Every inbound message of the channel processed and answered, every reply sent: counted in the database. */
async function lostMessages(cozum: Cozum, channel: string): Promise<number> {
  const inbound = await cozum.db.message.findMany({ where: { direction: 'in', conversation: { channel } }, select: { id: true, status: true } });
  const outbound = await cozum.db.message.findMany({ where: { direction: 'out', conversation: { channel } }, select: { replyToId: true, status: true } });
  const answered = new Set(outbound.filter((row) => row.status === 'sent').map((row) => row.replyToId));
  return inbound.filter((row) => row.status !== 'processed' || !answered.has(row.id)).length + outbound.filter((row) => row.status !== 'sent').length;
}

async function figures(cozum: Cozum, run: Run, channel: BenchChannel, citizens: number): Promise<RunFigures> {
  return {
    citizens,
    messages: run.messages,
    seconds: Math.round(run.seconds * 1000) / 1000,
    messagesPerSecond: Math.round(run.messages / run.seconds),
    latencyMs: { p50: percentile(run.latencies, 50), p95: percentile(run.latencies, 95), p99: percentile(run.latencies, 99), max: percentile(run.latencies, 100) },
    cpuMsPerMessage: Math.round((run.cpuMs / run.messages) * 1000) / 1000,
    repliesDelivered: channel.deliveries,
    lost: await lostMessages(cozum, channel.name),
  };
}

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(context.activity.text || '…');
      await next();
    });
  }
}

async function benchNlu(cozum: Cozum): Promise<{ classifications: number; perSecond: number; latencyMs: { p50: number; p99: number } }> {
  const texts = cozum.intents.flatMap((intent) => intent.examples);
  for (const text of texts.slice(0, 200)) cozum.nlu.understand(text); // warm-up
  const latencies: number[] = [];
  const started = performance.now();
  for (let pass = 0; pass < 3; pass++) {
    for (const text of texts) {
      const t0 = performance.now();
      cozum.nlu.understand(text);
      latencies.push(performance.now() - t0);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { classifications: latencies.length, perSecond: Math.round(latencies.length / seconds), latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.instances) return benchInstances(options);
  const dir = mkdtempSync(path.join(tmpdir(), 'cozum-bench-'));
  const config = loadConfig({
    env: {},
    file: null,
    overrides: {
      dataDir: dir,
      ...(options.database ? { databaseUrl: options.database } : {}),
      'nlu.cacheDir': path.resolve('node_modules/.cache/cozum-test-nlu'),
      logLevel: 'silent',
      // Simulated citizens answer at machine speed; flood control still runs, with a limit they cannot reach.
      'limits.floodMessages': 1_000_000,
      // Agents always at work, so that the figures do not depend on the hour.
      'handoff.workingHours': { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
    },
  });
  const cozum = await startCozum(config, { logger: createLogger('silent') });
  const log = (line: string) => {
    if (!options.json) console.error(line);
  };
  try {
    const channel = (name: string) => {
      const made = new BenchChannel(`bench-${name}`);
      cozum.adapter.registerChannel(made.name, made.sender);
      return made;
    };
    // Warm-up, as long as a measured run and with the same conversations, so that every path measured
    // has been compiled and optimised (a process serving a municipality runs for days). Not counted.
    log('warming up…');
    await runCitizens(cozum, channel('warm'), options, 'warm');

    const result: Record<string, unknown> = { machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) } };
    let session: Session | undefined;
    if (options.profile) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const pipelineRuns: RunFigures[] = [];
    const pacedRuns: RunFigures[] = [];
    const echoRuns: RunFigures[] = [];
    const echoBot = new EchoBot();
    const echoLogic = (context: TurnContext) => echoBot.run(context);
    for (let round = 1; round <= options.repeat; round++) {
      const of = options.repeat > 1 ? ` (${round}/${options.repeat})` : '';
      if (!options.only || options.only === 'pipeline') {
        log(`pipeline${of}: ${options.citizens} citizens × ${options.rounds} conversations, each message sent as soon as the previous one was answered…`);
        const capacity = channel(`capacity-${round}`);
        const run = await figures(cozum, await runCitizens(cozum, capacity, options, `citizen-${round}`), capacity, options.citizens);
        run.ticketsCreated = await cozum.db.ticket.count({ where: { conversation: { channel: capacity.name } } });
        pipelineRuns.push(run);
        if (options.rate > 0) {
          log(`pipeline${of} at ${options.rate} messages per second offered…`);
          const paced = channel(`paced-${round}`);
          const pacedRun = await figures(cozum, await runCitizens(cozum, paced, options, `paced-${round}`, options.rate), paced, options.citizens);
          pacedRun.offeredPerSecond = options.rate;
          pacedRuns.push(pacedRun);
        }
      }
      if (!options.only || options.only === 'echo') {
        log(`echo bot${of} on the same adapter and database…`);
        const echo = channel(`echo-${round}`);
        const botLogic = cozum.adapter.setLogic(echoLogic);
        try {
          echoRuns.push(await figures(cozum, await runCitizens(cozum, echo, options, `echo-${round}`), echo, options.citizens));
        } finally {
          cozum.adapter.setLogic(botLogic);
        }
      }
    }
    const capacity = pipelineRuns.length > 0 ? median(pipelineRuns) : undefined;
    const echo = echoRuns.length > 0 ? median(echoRuns) : undefined;
    if (capacity) result.pipeline = capacity;
    if (pacedRuns.length > 0) result.pipelineAtRate = median(pacedRuns);
    if (echo) result.echo = echo;
    if (capacity && echo) result.pipelineToEchoRatio = Math.round((capacity.messagesPerSecond / echo.messagesPerSecond) * 100) / 100;
    if (!options.only || options.only === 'nlu') {
      log('NLU…');
      result.nlu = await benchNlu(cozum);
    }
    result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    if (session && options.profile) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(options.profile, JSON.stringify(profile));
      session.disconnect();
      log(`CPU profile written to ${options.profile}`);
    }

    console.log(JSON.stringify(result, null, 2));
    if (!options.json) {
      const rows: string[][] = [['', 'msg/s', '(range)', 'p50 ms', 'p95 ms', 'p99 ms', '(range)', 'CPU ms/msg', 'messages', 'lost']];
      const range = ([low, high]: [number, number]) => `${low}–${high}`;
      const runs: [string, RunFigures | undefined][] = [
        ['pipeline, flat out', capacity],
        [`pipeline, ${options.rate}/s offered`, result.pipelineAtRate as RunFigures | undefined],
        ['echo bot, flat out', echo],
      ];
      for (const [name, run] of runs) {
        if (!run) continue;
        const { messagesPerSecond, latencyMs, cpuMsPerMessage, messages, lost } = run;
        const ranges = run.range ? [range(run.range.messagesPerSecond), range(run.range.p99Ms)] : ['', ''];
        rows.push([name, String(messagesPerSecond), ranges[0]!, String(latencyMs.p50), String(latencyMs.p95), String(latencyMs.p99), ranges[1]!, String(cpuMsPerMessage), String(messages), String(lost)]);
      }
      const nlu = result.nlu as Awaited<ReturnType<typeof benchNlu>> | undefined;
      if (nlu) rows.push(['NLU classify', String(nlu.perSecond), '', String(nlu.latencyMs.p50), '', String(nlu.latencyMs.p99), '', '', String(nlu.classifications), '']);
      const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
      console.error('');
      for (const row of rows) console.error(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
      if (result.pipelineToEchoRatio !== undefined) console.error(`pipeline / echo throughput: ${String(result.pipelineToEchoRatio)}`);
      console.error(`peak RSS: ${String(result.peakRssMb)} MB; load average at start: ${(result.machine as { loadAverage: number[] }).loadAverage.join(' ')}`);
    }
    const lost = [capacity, result.pipelineAtRate as RunFigures | undefined, echo].reduce((sum, run) => sum + (run?.lost ?? 0), 0);
    if (lost > 0) {
      console.error(`${lost} messages lost`);
      process.exitCode = 1;
    }
  } finally {
    await cozum.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// --instances: processes behind HTTP, as in production.

interface Instance {
  url: string;
  process: ChildProcess;
}

/** `profileDir`: each instance writes a .cpuprofile there when it stops (node --cpu-prof). */
async function startInstance(env: Record<string, string>, profileDir?: string): Promise<Instance> {
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const start = npmStartCommand(profiling);
  const child = spawn(process.execPath, start.args, {
    env: { ...process.env, ...start.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', DOTENV_CONFIG_QUIET: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url && entry.msg?.startsWith('web chat ready')) resolve(entry.url);
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  return { url, process: child };
}

async function httpCitizens(urls: string[], options: Options, label: string, rate?: number): Promise<Run & { failed: number }> {
  const latencies: number[] = [];
  let messages = 0;
  let failed = 0;
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 512, timeout: 60_000 });
  const post = (url: string, pathname: string, body: unknown, token?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = JSON.stringify(body);
      const request = httpRequest(`${url}${pathname}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(token ? { 'x-chat-session': token } : {}) } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.end(data);
    });
  const citizens = await Promise.all(
    Array.from({ length: options.citizens }, async (_, i) => {
      const { body } = await post(urls[i % urls.length]!, '/api/chat/session', {});
      return { index: i, token: (JSON.parse(body) as { token: string }).token, texts: messagesOf(i, options.rounds), next: 0 };
    }),
  );
  const started = performance.now();
  const say = async (citizen: (typeof citizens)[number], scheduled?: number): Promise<void> => {
    const k = citizen.next++;
    const text = citizen.texts[k]!;
    const t0 = scheduled ?? performance.now();
    // Each message to the next instance: a conversation moves between them at every message.
    // A connection the server closed as we reused it is tried again (the same id: stored once).
    let status = 0;
    for (let attempt = 0; attempt < 3 && status !== 200; attempt++) {
      status = await post(urls[(citizen.index + k) % urls.length]!, '/api/chat/messages', { text, id: `${label}-${citizen.index}-${k}` }, citizen.token).then(
        (response) => response.status,
        () => 0,
      );
    }
    if (status !== 200) failed++;
    latencies.push(performance.now() - t0);
    messages++;
  };
  await offer(citizens, say, started, rate);
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), messages, seconds: (performance.now() - started) / 1000, cpuMs: 0, failed };
}

/**
 * CPU time (ms, all threads) the instances and the machine's PostgreSQL server processes have used
 * so far, from /proc: per message, a figure that depends little on what else the machine runs.
 */
function cpuMsNow(pids: number[]): { instances: number; postgres: number } {
  const ticks = (pid: string | number) => {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0; // Gone meanwhile.
    }
  };
  const isPostgres = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      return false;
    }
  };
  const msPerTick = 10; // USER_HZ is 100 on Linux.
  const postgres = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && isPostgres(name));
  return { instances: pids.reduce((sum, pid) => sum + ticks(pid), 0) * msPerTick, postgres: postgres.reduce((sum, pid) => sum + ticks(pid), 0) * msPerTick };
}

/** Web chat messages not processed, or without a reply, in a database. */
async function lostIn(url: string): Promise<number> {
  const { db } = await openDatabase(url);
  try {
    const inbound = await db.message.findMany({ where: { direction: 'in' }, select: { id: true, status: true } });
    const replies = await db.message.findMany({ where: { direction: 'out', replyToId: { not: null } }, select: { replyToId: true } });
    const answered = new Set(replies.map((row) => row.replyToId));
    return inbound.filter((row) => row.status !== 'processed' || !answered.has(row.id)).length;
  } finally {
    await db.$disconnect();
  }
}

async function benchInstances(options: Options): Promise<void> {
  if (!options.database || !/^postgres(ql)?:\/\//.test(options.database)) throw new Error('--instances needs --database postgresql://… (an empty database or schema)');
  const rate = options.rateSet ? options.rate : 500;
  const dir = mkdtempSync(path.join(tmpdir(), 'cozum-bench-'));
  const configFile = path.join(dir, 'bench.config.yaml');
  // Simulated citizens answer at machine speed from one address: flood control and the per-address limits off.
  writeFileSync(configFile, JSON.stringify({
    nlu: { cacheDir: path.resolve('node_modules/.cache/cozum-test-nlu') },
    limits: { floodMessages: 1_000_000, http: { chatSessions: 0, chatMessages: 0, chatMessagesPerSession: 0, chatReads: 0 } },
    handoff: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' } },
  }));
  const log = (line: string) => {
    if (!options.json) console.error(line);
  };
  const result: Record<string, unknown> = { machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) } };
  const setups: { name: string; database: string; count: number }[] = [
    { name: `PostgreSQL, ${options.instances} instances`, database: options.database, count: options.instances! },
    { name: 'SQLite, 1 instance', database: `file:${path.join(dir, 'cozum.db')}`, count: 1 },
  ];
  const rows: string[][] = [['', 'msg/s', 'p50 ms', 'p99 ms', 'CPU ms/msg: app', 'PostgreSQL', 'load generator', `at ${rate}/s: msg/s`, 'p50 ms', 'p99 ms', 'messages', 'failed', 'lost']];
  try {
    for (const setup of setups) {
      log(`${setup.name}: starting…`);
      const instances: Instance[] = [];
      try {
        for (let i = 0; i < setup.count; i++) instances.push(await startInstance({ DATABASE_URL: setup.database, DATA_DIR: path.join(dir, `data-${i}`), COZUM_CONFIG: configFile }, options.profile));
        const urls = instances.map((instance) => instance.url);
        log(`${setup.name}: warming up…`);
        await httpCitizens(urls, options, `warm-${setup.count}`);
        log(`${setup.name}: ${options.citizens} citizens flat out…`);
        const pids = instances.map((instance) => instance.process.pid!);
        const cpuBefore = cpuMsNow(pids);
        const clientBefore = process.cpuUsage();
        const flat = await httpCitizens(urls, options, `flat-${setup.count}`);
        const client = process.cpuUsage(clientBefore);
        const cpuAfter = cpuMsNow(pids);
        const perMessage = (ms: number) => Math.round((ms / flat.messages) * 100) / 100;
        // The load generator (this process: the citizens' HTTP clients) runs on the same cores: what
        // is left of the machine's 2,000 ms of CPU a second for the instances and PostgreSQL.
        const cpuPerMessage = {
          instances: perMessage(cpuAfter.instances - cpuBefore.instances),
          postgres: perMessage(cpuAfter.postgres - cpuBefore.postgres),
          loadGenerator: perMessage((client.user + client.system) / 1000),
        };
        log(`${setup.name}: ${rate} messages per second offered…`);
        const paced = await httpCitizens(urls, options, `paced-${setup.count}`, rate);
        await Promise.all(instances.map((instance) => new Promise<void>((resolve) => {
          instance.process.once('exit', () => resolve());
          instance.process.kill('SIGTERM');
        })));
        instances.length = 0;
        const lost = await lostIn(setup.database);
        const figuresOf = (run: Run) => ({ messages: run.messages, messagesPerSecond: Math.round(run.messages / run.seconds), latencyMs: { p50: percentile(run.latencies, 50), p99: percentile(run.latencies, 99) } });
        result[setup.name] = { flatOut: { ...figuresOf(flat), cpuMsPerMessage: cpuPerMessage }, atRate: { offeredPerSecond: rate, ...figuresOf(paced) }, failed: flat.failed + paced.failed, lost };
        const f = figuresOf(flat);
        const p = figuresOf(paced);
        rows.push([setup.name, String(f.messagesPerSecond), String(f.latencyMs.p50), String(f.latencyMs.p99), String(cpuPerMessage.instances), String(cpuPerMessage.postgres), String(cpuPerMessage.loadGenerator), String(p.messagesPerSecond), String(p.latencyMs.p50), String(p.latencyMs.p99), String(f.messages + p.messages), String(flat.failed + paced.failed), String(lost)]);
        if (lost > 0 || flat.failed + paced.failed > 0) process.exitCode = 1;
      } finally {
        for (const instance of instances) instance.process.kill('SIGKILL');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
  if (!options.json) {
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    console.error('');
    for (const row of rows) console.error(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
    console.error(`load average at start: ${(result.machine as { loadAverage: number[] }).loadAverage.join(' ')}; now: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  }
}

await main();
