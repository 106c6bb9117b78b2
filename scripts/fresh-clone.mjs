#!/usr/bin/env node
// What a newcomer waits for: clones the repository into an empty temporary folder (nothing beside
// it: no ../shared, no data, no caches of ours), runs `npm ci`, then `npm start`, and prints the
// seconds from `npm start` to the first web chat message answered over HTTP (POST /api/chat/session,
// then POST /api/chat/messages), as a browser would ask for them: polling the port until it answers.
//
//   node scripts/fresh-clone.mjs [--starts N] [--repo PATH_OR_URL] [--branch NAME] [--keep]
//
// --starts N  starts (and stops) `npm start` N times in the same clone: the first start creates the
//             database; later ones are what every restart costs. Default 1.
// --repo      what to clone; default the repository this script belongs to (its committed HEAD:
//             uncommitted changes are not measured).
// --keep      leaves the temporary folder (its path is printed).
//
// The clone gets its own TMPDIR, so tsx compiles the TypeScript from cold as on a new machine; npm's
// package cache (~/.npm) is shared, as it would be on a machine that has installed anything before.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    starts: { type: 'string', default: '1' },
    repo: { type: 'string' },
    branch: { type: 'string' },
    keep: { type: 'boolean', default: false },
    message: { type: 'string', default: 'merhaba' },
  },
});
const starts = Number(values.starts);
if (!Number.isInteger(starts) || starts < 1) throw new Error('--starts must be a whole number of 1 or more');
const repo = values.repo ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const seconds = (ms) => (ms / 1000).toFixed(1);
const say = (line) => console.log(line);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`))));
  });
}

/** One `npm start`: seconds until the web chat answered a first message, and what the log said. */
async function measureStart(dir, env) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // Its own process group, so that stopping it stops npm and the server under it.
  const child = spawn('npm', ['start'], { cwd: dir, env: { ...env, PORT: String(port), LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  let exited = false;
  const exit = new Promise((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
  try {
    let token;
    while (!token) {
      if (exited) throw new Error(`npm start exited before answering:\n${log.slice(-4000)}`);
      if (performance.now() - started > 600_000) throw new Error(`no answer after 10 minutes:\n${log.slice(-4000)}`);
      try {
        const response = await fetch(`${base}/api/chat/session`, { method: 'POST' });
        if (response.ok) token = (await response.json()).token;
      } catch {
        // Not listening yet: a person would press reload.
      }
      if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const reply = await fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token },
      body: JSON.stringify({ text: values.message, id: 'fresh-clone-1' }),
    });
    const body = await reply.json();
    if (!reply.ok || !body.replies?.length) throw new Error(`the first message was not answered (${reply.status}): ${JSON.stringify(body)}`);
    const answered = performance.now() - started;
    const lines = log.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
    const ready = lines.find((line) => line.msg?.startsWith('web chat ready'));
    const model = lines.find((line) => line.msg?.startsWith('NLU model'));
    return { answered, ready, model, reply: body.replies[0].text };
  } finally {
    if (!exited) process.kill(-child.pid, 'SIGTERM');
    await exit;
  }
}

const root = mkdtempSync(path.join(os.tmpdir(), 'cozum-fresh-'));
const dir = path.join(root, 'cozum');
const tmp = path.join(root, 'tmp');
mkdirSync(tmp);
const env = { ...process.env, TMPDIR: tmp, DOTENV_CONFIG_QUIET: 'true' };
for (const name of ['DATA_DIR', 'DATABASE_URL', 'COZUM_CONFIG', 'PORT', 'NODE_OPTIONS']) delete env[name];
try {
  say(`Machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}`);
  const cloneArgs = ['clone', '--quiet', ...(values.branch ? ['--branch', values.branch] : []), repo, dir];
  execFileSync('git', cloneArgs, { stdio: 'inherit' });
  say(`Cloned ${repo} (${execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 100)}) into ${dir}`);

  let since = performance.now();
  await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env });
  say(`npm ci: ${seconds(performance.now() - since)} s`);

  const results = [];
  for (let n = 1; n <= starts; n++) {
    const result = await measureStart(dir, env);
    results.push(result.answered);
    const readyAt = result.ready?.sinceProcessStart !== undefined
      ? `; the server's log: web chat ready ${seconds(result.ready.sinceProcessStart)} s after its process started, having used ${seconds(result.ready.cpuMs)} s of processor time`
      : '';
    say(`start ${n}: first web chat answer ${seconds(result.answered)} s after \`npm start\`${readyAt}; ${result.model?.msg ?? 'no NLU line'}`);
    if (n === 1) say(`  the answer: ${JSON.stringify(result.reply.slice(0, 120))}`);
  }
  if (starts > 1) {
    const sorted = [...results].sort((a, b) => a - b);
    say(`first answer, all ${starts} starts: median ${seconds(sorted[Math.floor((starts - 1) / 2)])} s, range ${seconds(sorted[0])}–${seconds(sorted.at(-1))} s`);
  }
  say(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  if (values.keep) say(`Kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
