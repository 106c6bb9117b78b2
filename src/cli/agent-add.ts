// `npm run agent:add -- --username ayse --name "Ayşe Demir" --department "Çözüm Merkezi"`
// `npm run agent:add -- --admin` (user name "admin", role admin)
// Creates a console account in the same database `npm start` uses (DATA_DIR / DATABASE_URL /
// cozum.config.yaml). The password is never a flag (it would land in the shell history): it is
// read from standard input, or asked twice without echo on a terminal.
//   printf '%s\n' "$PASSWORD" | npm run --silent agent:add -- --username ayse --name "Ayşe Demir" --department "Çözüm Merkezi"
// `--reset-password` sets a new password for an existing account and lifts a lock-out.
import { parseArgs } from 'node:util';
import { LANGUAGES } from '../nlu/language.ts';
import { ConfigError, databaseUrl, loadConfig } from '../config.ts';
import { ROLES, normalizeUsername, type Role } from '../console/auth.ts';
import { MIN_PASSWORD_LENGTH, PASSWORD_RULE_TEXTS, hashPassword, passwordProblem } from '../console/password.ts';
import { LoginThrottle } from '../console/login-throttle.ts';
import { openDatabase } from '../storage/database.ts';
import { databaseLabel } from '../storage/database-label.ts';
import { databaseLimits } from '../storage/rate-limits.ts';

const USAGE = `Usage:
  npm run agent:add -- --admin
  npm run agent:add -- --username NAME --name "Full Name" [--role agent|supervisor|admin] [--department "Department"] [--languages tr,ar,en]
  npm run agent:add -- --username NAME --reset-password

The password is never a command-line flag: on a terminal it is asked twice without echo; otherwise
the first line of standard input is read
(e.g. printf '%s\\n' "$PASSWORD" | npm run --silent agent:add -- --admin).
Accounts with the role "agent" need a department; they see only that department's requests.
The account goes to the database \`npm start\` uses with the same cozum.config.yaml (or COZUM_CONFIG),
DATA_DIR and DATABASE_URL: set them as the server has them (the server's start-up hint shows how).`;

class UsageError extends Error {}
/** A mistake in what was asked, not in how: said without the usage text. */
class RefusedError extends Error {}

/** Why a password is refused, for the operator (the console shows agents the Turkish texts). */
const PASSWORD_PROBLEMS_EN = new Map<string, string>([
  [PASSWORD_RULE_TEXTS.short, `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`],
  [PASSWORD_RULE_TEXTS.spaces, 'The password must not begin or end with a space.'],
  [PASSWORD_RULE_TEXTS.guessable, 'This password is easy to guess (a common password, repetitions, sequences, or close to the name of the account or the municipality). Choose a longer one of several words of your own.'],
]);

function passwordProblemEn(password: string, related: string[]): string | undefined {
  const problem = passwordProblem(password, related);
  return problem && (PASSWORD_PROBLEMS_EN.get(problem) ?? problem);
}

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
        if (ch === '\u0003' || ch === '\u0004') return done(undefined, new RefusedError('Cancelled; nothing was changed.'));
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
    // A person at a terminal tries again until the password is accepted (Ctrl+C gives up).
    for (;;) {
      const first = await askHidden('Password: ');
      const problem = passwordProblemEn(first, related);
      if (problem) {
        process.stderr.write(`${problem} Please try again.\n`);
        continue;
      }
      const second = await askHidden('Password (again): ');
      if (first === second) return first;
      process.stderr.write('The two passwords differ. Please try again.\n');
    }
  }
  const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
  const problem = passwordProblemEn(password, related);
  if (problem) throw new RefusedError(`Password refused: ${problem} (the first line of standard input is read as the password; nothing was changed)`);
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
      languages: { type: 'string' },
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
  if (values.password !== undefined) throw new UsageError('The password is never given as a flag (it would stay in the shell history): type it when asked, or give it on standard input.');
  const role = (values.admin ? 'admin' : (values.role ?? 'agent')) as Role;
  if (!ROLES.includes(role)) throw new UsageError(`Unknown role: ${values.role}. Use agent, supervisor or admin.`);
  const username = normalizeUsername(values.username ?? (values.admin ? 'admin' : ''));
  if (!/^[a-z0-9._-]{2,40}$/.test(username)) throw new UsageError('The user name (--username) must be 2–40 letters, digits, dots, hyphens or underscores.');
  const department = values.department?.trim() || null;
  // The languages the agent answers citizens in: a conversation in Arabic or English is told whether one is at work.
  const languages = (values.languages ?? 'tr').split(',').map((code) => code.trim().toLowerCase()).filter(Boolean);
  const unknownLanguage = languages.find((code) => !(LANGUAGES as readonly string[]).includes(code));
  if (unknownLanguage || languages.length === 0) throw new UsageError(`Unknown language in --languages: ${unknownLanguage ?? '(none)'}. Use ${LANGUAGES.join(', ')}, comma-separated.`);

  const config = loadConfig();
  const municipality = [config.municipality.name, config.municipality.city, config.municipality.district];
  const url = databaseUrl(config);
  const { db, migrations } = await openDatabase(url);
  // A database made just now means this is not the one a server has been using: say so.
  const fresh = migrations.applied.length > 0 && (await db.agent.count()) === 0 && (await db.message.count()) === 0;
  const where = `Database: ${databaseLabel(url)}${fresh ? ' (new: created by this command, no server has used it yet)' : ''}`;
  try {
    const existing = await db.agent.findUnique({ where: { username } });
    if (values['reset-password']) {
      if (!existing) throw new RefusedError(`There is no account "${username}" in this database.\n${where}`);
      const passwordHash = await hashPassword(await readPassword([username, existing.displayName, ...municipality]));
      await db.agent.update({ where: { id: existing.id }, data: { passwordHash } });
      await new LoginThrottle(databaseLimits(db)).unlock(username);
      await db.agentSession.deleteMany({ where: { agentId: existing.id } });
      console.log(`Password of "${username}" changed; its open sessions were closed.\n${where}`);
      return;
    }
    if (existing) throw new RefusedError(`The account "${username}" already exists in this database. Add --reset-password to set a new password.\n${where}`);
    if (role === 'agent' && !department) throw new UsageError('An agent account needs a department, e.g. --department "Çözüm Merkezi".');
    const displayName = values.name?.trim() || (values.admin ? 'Yönetici' : '');
    if (!displayName) throw new UsageError('The full name (--name) is required.');
    const passwordHash = await hashPassword(await readPassword([username, displayName, ...municipality]));
    await db.agent.create({ data: { username, displayName, role, department, passwordHash, languages: languages.join(',') } });
    console.log(`Account created: ${username} (${role}${department ? `, ${department}` : ''}).\n${where}\nLog in at /console of the server that uses this database.`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  if (error instanceof RefusedError || error instanceof ConfigError) {
    console.error(error.message);
  } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
