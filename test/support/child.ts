// `src/main.ts` in a child process, as `npm start` runs it (or its compiled build): for tests that kill it (SIGKILL) and
// start it again on the same database (SQLite's file in DATA_DIR, or on PostgreSQL a database named
// after it: test/support/database.ts); and commands run to their end (runCommand).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.ts';
import { testDatabaseUrl, testDialect } from './database.ts';

/** Children still running, killed by `killAll` whatever happens to the test. */
const running = new Set<ChildProcess>();

export interface ChildCozum {
  process: ChildProcess;
  url: string;
  /** Every line the child wrote on stdout so far (its JSON log). */
  lines: string[];
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** How tests start Çözüm: the TypeScript through tsx; `npm start` runs the compiled build (COMPILED). */
const FROM_SOURCE = ['--import', 'tsx', 'src/main.ts'];
/** `npm start`'s command after its build (scripts/build.mjs). */
export const COMPILED = ['dist/main.js'];

export async function startChild(options: { dataDir: string; configFile: string; env?: Record<string, string>; args?: string[] }): Promise<ChildCozum> {
  // On SQLite the child finds its database in DATA_DIR by itself, as an operator's would.
  const database = testDialect === 'postgresql' ? { DATABASE_URL: await testDatabaseUrl(path.join(options.dataDir, 'cozum.db')) } : {};
  const child = spawn(process.execPath, options.args ?? FROM_SOURCE, {
    cwd: path.resolve('.'),
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      ...database,
      PORT: '0',
      HOST: '127.0.0.1',
      COZUM_CONFIG: options.configFile,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      DOTENV_CONFIG_QUIET: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const seen: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      seen.push(line);
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url && entry.msg?.startsWith('web chat ready')) resolve(entry.url);
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`Çözüm exited (${code}) before it was ready:\n${stderr}`)));
  });
  return {
    process: child,
    url,
    lines: seen,
    stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs a command to its end with `stdin` as its input, in the checkout, and gives what it wrote and its exit code. */
export function runCommand(command: string, args: string[], options: { env: NodeJS.ProcessEnv; stdin: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: path.resolve('.'), env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin);
  });
}

export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** In the database a child left: `total` messages, each once, processed, and answered by exactly one reply that names it. */
export async function expectEachAnsweredOnce(dataDir: string, total: number): Promise<void> {
  const { db } = await openDatabase(await testDatabaseUrl(path.join(dataDir, 'cozum.db')));
  try {
    const inbound = await db.message.findMany({ where: { direction: 'in' }, select: { id: true, status: true, platformMessageId: true } });
    expect(inbound).toHaveLength(total);
    expect(new Set(inbound.map((m) => m.platformMessageId)).size).toBe(total);
    expect(inbound.filter((m) => m.status !== 'processed')).toEqual([]);
    const replies = await db.message.groupBy({ by: ['replyToId'], where: { direction: 'out' }, _count: { _all: true } });
    expect(replies.filter((r) => r._count._all !== 1)).toEqual([]);
    expect(new Set(replies.map((r) => r.replyToId))).toEqual(new Set(inbound.map((m) => m.id)));
  } finally {
    await db.$disconnect();
  }
}
