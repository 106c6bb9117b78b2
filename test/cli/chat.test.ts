// `npm run chat` as a person runs it: replies with *bold* show as the terminal's bold at a terminal,
// and as plain words through a pipe; never with the stars.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cozum.ts';

const temp = tempDir('cozum-chat-');
afterAll(() => temp.remove());
const BOLD_MENU = '\u001b[1mmenü\u001b[22m';

function chat(argv: string[], env: NodeJS.ProcessEnv): { screen: () => string; type: (line: string) => void; end: () => void; exited: Promise<number> } {
  const [command, ...args] = argv;
  const child = spawn(command!, args, {
    cwd: path.resolve('.'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DOTENV_CONFIG_QUIET: 'true', DATA_DIR: temp.dir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk) => (screen += chunk));
  child.stderr.on('data', (chunk) => (screen += chunk));
  return {
    screen: () => screen,
    type: (line) => child.stdin.write(line),
    end: () => child.stdin.end(),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
  };
}

const CHAT = `${process.execPath} --import tsx src/cli/chat.ts`;

describe('the terminal chat', () => {
  it('at a terminal, shows *menü* in bold and its start-up stages', async () => {
    // `script` gives the chat a real terminal (a pty).
    const session = chat(['script', '-qefc', CHAT, '/dev/null'], { TERM: 'xterm-256color' });
    await expect.poll(session.screen, { timeout: 60_000 }).toContain('siz> ');
    // eslint-disable-next-line no-control-regex
    expect(session.screen().replace(/\u001b\[\d+m|\r/g, '')).toMatch(/INFO: database ready: .*\n.*INFO: NLU model loaded \(shipped with the content\)\n/);
    session.type('iptal\r');
    await expect.poll(session.screen, { timeout: 30_000 }).toContain(`yok. Seçenekler için ${BOLD_MENU} yazabilirsiniz.`);
    expect(session.screen()).not.toContain('*menü*');
    session.type('\u0004');
    expect(await session.exited).toBe(0);
  }, 120_000);

  it('through a pipe, writes plain words: no stars, no terminal codes, no log lines', async () => {
    const session = chat(CHAT.split(' '), {});
    session.type('iptal\n');
    await expect.poll(session.screen, { timeout: 60_000 }).toContain('yok. Seçenekler için menü yazabilirsiniz.');
    session.end();
    expect(await session.exited).toBe(0);
    expect(session.screen()).not.toContain('*');
    expect(session.screen()).not.toContain('\u001b');
    expect(session.screen()).not.toContain('NLU model');
  }, 120_000);
});
