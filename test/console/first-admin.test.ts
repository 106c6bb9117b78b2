// The first hour of an installation: the server says how to create its first account, and that
// command puts the account in the database the server reads, says so, and the login works; at a
// terminal a refused password is asked again instead of ending the command.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/console/password.ts';
import { killAll, runCommand, startChild } from '../support/child.ts';
import { tempDir } from '../support/cozum.ts';
import { agentInDataDir, ConsoleClient } from './support.ts';

const temp = tempDir('cozum-first-admin-');
afterEach(() => killAll());
afterAll(() => temp.remove());

const PASSWORD = 'Kirmizi-vapur-sabah-47';
/** What a shell on an operator's machine has: no DATA_DIR of the test runner's own. */
const SHELL_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, DOTENV_CONFIG_QUIET: 'true' };

describe('the first admin account', () => {
  it('agent:add with DATA_DIR writes to that database, and says which', async () => {
    const dataDir = path.join(temp.dir, 'elsewhere');
    const result = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/agent-add.ts', '--admin'], { env: { ...SHELL_ENV, DATA_DIR: dataDir }, stdin: `${PASSWORD}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Account created: admin (admin).\nDatabase: ${path.join(dataDir, 'cozum.db')} (new: created by this command, no server has used it yet)\n`);
    expect(await verifyPassword(PASSWORD, (await agentInDataDir(dataDir, 'admin'))!.passwordHash)).toBe(true);
  }, 60_000);

  it('the server with its own DATA_DIR names the command; that command makes the admin it lets in', async () => {
    const dataDir = path.join(temp.dir, 'server');
    const configFile = path.join(temp.dir, 'server.yaml');
    writeFileSync(configFile, 'municipality:\n  name: Deneme Belediyesi\n');
    const server = await startChild({ dataDir, configFile });
    await expect.poll(() => server.lines.some((line) => line.includes('no agent account yet')), { timeout: 30_000 }).toBe(true);
    const hint = JSON.parse(server.lines.find((line) => line.includes('no agent account yet'))!) as { msg: string; command: string; database: string };
    expect(hint.database).toBe(path.join(dataDir, 'cozum.db'));
    expect(hint.command).toBe(`COZUM_CONFIG=${configFile} DATA_DIR=${dataDir} npm run agent:add -- --admin`);
    expect(hint.msg).toContain(`\`${hint.command}\``);

    // The operator copies the command into a shell in the checkout, where `./data` would be the default.
    const before = existsSync('data/cozum.db') ? await agentInDataDir('data', 'admin') : null;
    const made = await runCommand('sh', ['-c', hint.command], { env: SHELL_ENV, stdin: `${PASSWORD}\n` });
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`Database: ${path.join(dataDir, 'cozum.db')}\n`);
    expect(made.stdout).not.toContain('(new:');
    expect(existsSync('data/cozum.db') ? await agentInDataDir('data', 'admin') : null).toEqual(before);

    const login = await new ConsoleClient(server.url).login('admin', PASSWORD);
    expect(login.status).toBe(303);
    await server.stop('SIGTERM');
  }, 120_000);

  it('at a terminal, a refused password is asked for again, and the account is made with the next one', async () => {
    const dataDir = path.join(temp.dir, 'terminal');
    // `script` gives the command a real terminal (a pty), as an operator's shell would.
    const child = spawn('script', ['-qefc', `${process.execPath} --import tsx src/cli/agent-add.ts --admin`, '/dev/null'], {
      cwd: path.resolve('.'),
      env: { ...SHELL_ENV, DATA_DIR: dataDir, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const prompts = (text: string) => screen.split(text).length - 1;
    const answer = async (prompt: string, count: number, typed: string) => {
      await expect.poll(() => prompts(prompt), { timeout: 30_000 }).toBeGreaterThanOrEqual(count);
      child.stdin.write(`${typed}\r`);
    };
    await answer('Password: ', 1, 'kisa');
    await answer('Password: ', 2, 'password1234');
    await answer('Password: ', 3, PASSWORD);
    await answer('Password (again): ', 1, 'Kirmizi-vapur-sabah-48');
    await answer('Password: ', 4, PASSWORD);
    await answer('Password (again): ', 2, PASSWORD);
    expect(await exited).toBe(0);
    expect(screen).toContain('The password must be at least 12 characters long. Please try again.');
    expect(screen).toContain('This password is easy to guess');
    expect(screen).toContain('The two passwords differ. Please try again.');
    expect(screen).toContain(`Account created: admin (admin).`);
    expect(screen).not.toContain('Usage:');
    // Typed without echo: no password ever appears on the screen.
    expect(screen).not.toContain(PASSWORD);
    expect(screen).not.toContain('kisa');
    expect(await verifyPassword(PASSWORD, (await agentInDataDir(dataDir, 'admin'))!.passwordHash)).toBe(true);
  }, 120_000);
});
