// `npm run agent:add -- --username ayse --name "Ayşe Demir" --department "Çözüm Merkezi"`
// `npm run agent:add -- --admin` (user name "admin", role admin)
// Creates a console account in the same database `npm start` uses (DATA_DIR / DATABASE_URL /
// cozum.config.yaml). The password is never a flag (it would land in the shell history): it is
// read from standard input, or asked twice without echo on a terminal.
//   printf '%s\n' "$PASSWORD" | npm run --silent agent:add -- --username ayse --name "Ayşe Demir" --department "Çözüm Merkezi"
// `--reset-password` sets a new password for an existing account and lifts a lock-out.
import { parseArgs } from 'node:util';
import { databaseUrl, loadConfig } from '../config.ts';
import { ROLES, normalizeUsername, type Role } from '../console/auth.ts';
import { hashPassword, passwordProblem } from '../console/password.ts';
import { LoginThrottle } from '../console/login-throttle.ts';
import { openDatabase } from '../storage/database.ts';
import { databaseLimits } from '../storage/rate-limits.ts';

const USAGE = `Kullanım:
  npm run agent:add -- --admin
  npm run agent:add -- --username KULLANICI --name "Ad Soyad" [--role agent|supervisor|admin] [--department "Birim"]
  npm run agent:add -- --username KULLANICI --reset-password

Şifre komut satırından verilmez: terminalde iki kez sorulur, ya da standart girdiden okunur
(örn. printf '%s\\n' "$SIFRE" | npm run --silent agent:add -- --admin).
"görevli" (agent) rolündeki hesapların bir birimi olmalıdır; yalnızca o birimin taleplerini görürler.`;

class UsageError extends Error {}

/** Reads a line without echoing it (a password on a terminal). */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    let value = '';
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (result?: string, error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(result ?? '');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003') return done(undefined, new UsageError('İptal edildi.'));
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readPassword(related: string[]): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await askHidden('Şifre: ');
    const problem = passwordProblem(first, related);
    if (problem) throw new UsageError(problem);
    const second = await askHidden('Şifre (tekrar): ');
    if (first !== second) throw new UsageError('Şifreler aynı değil.');
    return first;
  }
  const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
  const problem = passwordProblem(password, related);
  if (problem) throw new UsageError(`${problem} (standart girdinin ilk satırı şifre olarak okunur)`);
  return password;
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      department: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'reset-password': { type: 'boolean', default: false },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.password !== undefined) throw new UsageError('Şifre komut satırından verilmez (kabuk geçmişinde kalır). Şifreyi sorulduğunda yazın ya da standart girdiden verin.');
  const role = (values.admin ? 'admin' : (values.role ?? 'agent')) as Role;
  if (!ROLES.includes(role)) throw new UsageError(`Geçersiz rol: ${values.role}. agent, supervisor ya da admin olmalı.`);
  const username = normalizeUsername(values.username ?? (values.admin ? 'admin' : ''));
  if (!/^[a-z0-9._-]{2,40}$/.test(username)) throw new UsageError('Kullanıcı adı (--username) 2–40 harf, rakam, nokta, tire ya da alt çizgi olmalı.');
  const department = values.department?.trim() || null;

  const config = loadConfig();
  const municipality = [config.municipality.name, config.municipality.city, config.municipality.district];
  const { db } = await openDatabase(databaseUrl(config));
  try {
    const existing = await db.agent.findUnique({ where: { username } });
    if (values['reset-password']) {
      if (!existing) throw new UsageError(`"${username}" adlı bir hesap yok.`);
      const passwordHash = await hashPassword(await readPassword([username, existing.displayName, ...municipality]));
      await db.agent.update({ where: { id: existing.id }, data: { passwordHash } });
      await new LoginThrottle(databaseLimits(db)).unlock(username);
      await db.agentSession.deleteMany({ where: { agentId: existing.id } });
      console.log(`"${username}" hesabının şifresi değiştirildi; açık oturumları kapatıldı.`);
      return;
    }
    if (existing) throw new UsageError(`"${username}" kullanıcı adı zaten var. Şifresini değiştirmek için --reset-password ekleyin.`);
    if (role === 'agent' && !department) throw new UsageError('Görevli (agent) hesabının bir birimi olmalı: --department "Çözüm Merkezi" gibi.');
    const displayName = values.name?.trim() || (values.admin ? 'Yönetici' : '');
    if (!displayName) throw new UsageError('Ad soyad (--name) gerekli.');
    const passwordHash = await hashPassword(await readPassword([username, displayName, ...municipality]));
    await db.agent.create({ data: { username, displayName, role, department, passwordHash } });
    console.log(`Hesap oluşturuldu: ${username} (${role}${department ? `, ${department}` : ''}). Giriş: /console`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
