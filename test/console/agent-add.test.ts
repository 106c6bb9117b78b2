// `npm run agent:add`: creates accounts in the database `npm start` uses, reads the password
// from standard input (never from a flag), and resets a forgotten password.
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/console/login-throttle.ts';
import { verifyPassword } from '../../src/console/password.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { databaseLimits } from '../../src/storage/rate-limits.ts';
import { runCommand } from '../support/child.ts';
import { tempDir } from '../support/cozum.ts';
import { agentInDataDir } from './support.ts';

const temp = tempDir();
afterAll(() => temp.remove());

function agentAdd(args: string[], stdin: string) {
  const env = { PATH: process.env.PATH, DATA_DIR: temp.dir, DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'silent' };
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli/agent-add.ts', ...args], { env, stdin });
}

const account = (username: string) => agentInDataDir(temp.dir, username);

describe('agent:add', () => {
  it('--admin creates the admin account with the password read from stdin', async () => {
    const result = await agentAdd(['--admin'], 'ilk-yonetici-sifresi\n');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Account created: admin (admin).');
    const admin = await account('admin');
    expect(admin).toMatchObject({ role: 'admin', displayName: 'Yönetici', department: null, active: true });
    expect(await verifyPassword('ilk-yonetici-sifresi', admin!.passwordHash)).toBe(true);
  });

  it('creates an agent of a department, and refuses an agent without one', async () => {
    const missing = await agentAdd(['--username', 'mehmet', '--name', 'Mehmet Kaya'], 'mehmetin-sifresi\n');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('An agent account needs a department');
    const created = await agentAdd(['--username', 'Mehmet', '--name', 'Mehmet Kaya', '--department', 'Zabıta Müdürlüğü'], 'mehmetin-sifresi\n');
    expect(created.code).toBe(0);
    expect(await account('mehmet')).toMatchObject({ role: 'agent', displayName: 'Mehmet Kaya', department: 'Zabıta Müdürlüğü' });
  });

  it('never takes the password from a flag, and refuses a short one', async () => {
    const flag = await agentAdd(['--username', 'ayse', '--name', 'Ayşe', '--role', 'supervisor', '--password', 'cok-gizli-sifre'], '');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('The password is never given as a flag');
    const short = await agentAdd(['--username', 'ayse', '--name', 'Ayşe', '--role', 'supervisor'], 'kisa\n');
    expect(short.code).toBe(1);
    // A refused password is said plainly, not buried under the usage text.
    expect(short.stderr).toBe('Password refused: The password must be at least 12 characters long. (the first line of standard input is read as the password; nothing was changed)\n');
    expect(await account('ayse')).toBeNull();
    // An admin too: the rules are the same for every account.
    const digits = await agentAdd(['--username', 'ikinci', '--name', 'İkinci Yönetici', '--role', 'admin'], '1234567890\n');
    expect(digits.code).toBe(1);
    expect(digits.stderr).toContain('The password must be at least 12 characters long.');
    const common = await agentAdd(['--username', 'ikinci', '--name', 'İkinci Yönetici', '--role', 'admin'], 'password1234\n');
    expect(common.stderr).toContain('This password is easy to guess');
    const ownName = await agentAdd(['--username', 'ayse', '--name', 'Ayşe Yılmaz', '--role', 'supervisor'], 'ayseyilmaz2026\n');
    expect(ownName.stderr).toContain('This password is easy to guess');
    expect(await account('ikinci')).toBeNull();
    const role = await agentAdd(['--username', 'ayse', '--name', 'Ayşe', '--role', 'patron'], 'uzun-bir-sifre\n');
    expect(role.stderr).toContain('Unknown role: patron');
  });

  it('refuses a second account with the same name, and resets a password with --reset-password', async () => {
    const again = await agentAdd(['--admin'], 'baska-bir-sifre-1\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('The account "admin" already exists in this database.');

    // Locked out at the admin's own desk after five wrong passwords.
    const { db } = await openDatabase(`file:${temp.dir}/cozum.db`);
    const throttle = new LoginThrottle(databaseLimits(db));
    for (let i = 0; i < 5; i++) {
      const attempt = await throttle.begin('admin', '203.0.113.5');
      if (attempt.allowed) await throttle.failed(attempt.pass);
    }
    expect((await throttle.begin('admin', '203.0.113.5')).allowed).toBe(false);
    const reset = await agentAdd(['--username', 'admin', '--reset-password'], 'yeni-yonetici-sifresi\n');
    expect(reset.code).toBe(0);
    const admin = await account('admin');
    expect(await verifyPassword('yeni-yonetici-sifresi', admin!.passwordHash)).toBe(true);
    expect((await throttle.begin('admin', '203.0.113.5')).allowed).toBe(true);
    await db.$disconnect();
  });
});
