// `npm run seed -- --tickets 100000 --db data/seed.db`: a separate SQLite database holding a year
// of a large municipality's traffic, for `npm run bench:console` and for looking at query plans;
// `--database postgresql://…/cozum_seed` writes the same rows into PostgreSQL instead.
// Rows have the shapes the bot writes (tickets/tickets.ts, handoff/, messaging/): each ticket with
// its contact, conversation, about 8 messages, 2–3 events, a rating on a third of the resolved
// ones; categories, departments and SLA hours come from dialogs/ and the configuration. Written
// with direct batched inserts in transactions (the schema is the migrations' own, applied first):
// through the bot's code a year would take hours.
// Options: --tickets N (10000), --db FILE (data/seed-<N>.db) or --database URL (PostgreSQL: the
// schema the URL names, `public` by default, is dropped and made again first, as the SQLite file
// is deleted), --days D (365, spread over the last
// D days), --seed S (1, same data for the same seed), --agents (20: one supervisor "sef", one
// admin "yonetici", agents per department, all with password `--password`, default below).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/console/password.ts';
import { loadDialogs } from '../src/dialogs/load.ts';
import { applyMigrations, applyPostgresMigrations } from '../src/storage/migrate.ts';
import { postgresConnection } from '../src/storage/postgres-url.ts';
import { formatTicketNumber } from '../src/tickets/tickets.ts';
import { municipalityValues } from '../src/content/municipality.ts';

export const SEED_PASSWORD = 'yil-boyu-trafik-2026';

interface Options {
  tickets: number;
  /** A SQLite file, or a PostgreSQL URL (postgresql://…). */
  db: string;
  days: number;
  seed: number;
  password: string;
  quiet: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Partial<Options> = { tickets: 10_000, days: 365, seed: 1, password: SEED_PASSWORD, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg}: value missing`);
      return next;
    };
    if (arg === '--tickets') options.tickets = Math.max(1, Number(value()));
    else if (arg === '--db' || arg === '--database') options.db = value();
    else if (arg === '--days') options.days = Math.max(1, Number(value()));
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--password') options.password = value();
    else if (arg === '--quiet') options.quiet = true;
    else throw new Error(`unknown option: ${arg}`);
  }
  options.db ??= path.join('data', `seed-${options.tickets}.db`);
  return options as Options;
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SQLite text of a date, as @prisma/adapter-better-sqlite3 writes it. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

const NEIGHBOURHOODS = ['Erzene', 'Kazımdirik', 'Atatürk', 'Mevlana', 'Kızılay', 'Yeşilova', 'Çamdibi', 'Doğanlar', 'Evka 3', 'Özkanlar', 'Rafet Paşa', 'Altındağ', 'Karacaoğlan', 'Barbaros'];
const CHANNELS = [
  { name: 'whatsapp', weight: 55 },
  { name: 'telegram', weight: 15 },
  { name: 'webchat', weight: 25 },
  { name: 'msteams', weight: 5 },
];
const NAMES = ['Ayşe Yılmaz', 'Mehmet Kaya', 'Fatma Demir', 'Ali Çelik', 'Zeynep Şahin', 'Mustafa Öztürk', 'Elif Arslan', 'Hüseyin Doğan', 'Emine Kılıç', 'İbrahim Aydın'];
const COMMENTS = ['Çok hızlı ilgilendiniz, teşekkürler.', 'Geç oldu ama çözüldü.', 'Memnun kalmadım.', 'Ekibe teşekkürler', 'Sorun tekrar etti; 12345678901 numaramla aradım'];

interface Kind {
  type: string;
  dialog: string | null;
  category: string | null;
  label: string;
  department: string;
  slaHours: number;
  weight: number;
}

/** What a year brings: the dialogs' categories with their departments and SLA, handoffs, a few emergencies. */
function kinds(contentDir: string, municipality: ReturnType<typeof loadConfig>['municipality'], defaultDepartment: string): Kind[] {
  const out: Kind[] = [];
  for (const dialog of loadDialogs(path.resolve(contentDir, 'dialogs'), municipalityValues(contentDir, municipality).tr)) {
    const ticket = dialog.ticket;
    if (!ticket) continue;
    const slot = dialog.steps.find((s) => s.slot === ticket.categorySlot);
    const choices = slot?.choices ?? [];
    const weight = ticket.type === 'complaint' ? 60 : ticket.type === 'aid' ? 12 : 8;
    if (choices.length === 0) out.push({ type: ticket.type, dialog: dialog.id, category: null, label: '', department: ticket.department, slaHours: ticket.slaHours ?? 72, weight });
    for (const choice of choices) {
      out.push({
        type: ticket.type,
        dialog: dialog.id,
        category: choice.value,
        label: choice.label,
        department: choice.department ?? ticket.department,
        slaHours: choice.slaHours ?? ticket.slaHours ?? 72,
        weight: weight / choices.length,
      });
    }
  }
  for (const reason of ['requested', 'misunderstood', 'dialog']) out.push({ type: 'handoff', dialog: null, category: reason, label: reason, department: defaultDepartment, slaHours: 4, weight: 6 });
  out.push({ type: 'emergency', dialog: null, category: 'fire', label: 'Yangın', department: defaultDepartment, slaHours: 1, weight: 0.5 });
  return out;
}

function pick<T extends { weight: number }>(items: T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) if ((x -= item.weight) < 0) return item;
  return items[items.length - 1]!;
}

/** A column's PostgreSQL type, for the arrays a batch is sent as (SQLite takes the values as they are). */
type ColumnType = 'text' | 'timestamp' | 'boolean' | 'integer' | 'double precision';

interface Table {
  name: string;
  columns: [string, ColumnType][];
}

const table = (name: string, columns: string): Table => ({
  name,
  columns: columns.split(/\s+/).filter(Boolean).map((c) => {
    const [column, type] = c.split(':') as [string, string | undefined];
    return [column, ({ t: 'timestamp', b: 'boolean', i: 'integer', f: 'double precision' } as Record<string, ColumnType>)[type ?? ''] ?? 'text'];
  }),
});

const TABLES = {
  agent: table('Agent', 'id username displayName passwordHash role department mustChangePassword:b active:b createdAt:t updatedAt:t'),
  contact: table('Contact', 'id channel platformUserId displayName phone consentAt:t createdAt:t updatedAt:t'),
  conversation: table('Conversation', 'id contactId channel mode agentId handoffTicketId address lastMessageAt:t createdAt:t updatedAt:t'),
  message: table('Message', 'id conversationId direction author authorName replyToId text payload intent confidence:f platformMessageId status attempts:i createdAt:t'),
  ticket: table(
    'Ticket',
    'id number contactId conversationId type category department status urgent:b neighbourhood assignedAgentId firstResponseAt:t resolvedAt:t rating:i ratingComment data summary dueAt:t createdAt:t updatedAt:t closedAt:t',
  ),
  event: table('TicketEvent', 'id ticketId kind status actor note createdAt:t'),
};

type Rows = Map<Table, unknown[][]>;

/** Where the rows go: a SQLite file (prepared statements, a row at a time) or PostgreSQL (a statement per table and batch). */
interface SeedWriter {
  /** Writes a batch of rows of every table in one transaction. */
  write(rows: Rows): Promise<void>;
  /** A statement with `?` placeholders. */
  run(sql: string, args: unknown[]): Promise<void>;
  close(): Promise<void>;
}

function sqliteWriter(file: string): SeedWriter {
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) rmSync(file + suffix);
  applyMigrations(file);
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -200000');
  const inserts = new Map(
    Object.values(TABLES).map((t) => [t, sqlite.prepare(`INSERT INTO "${t.name}" (${t.columns.map(([c]) => `"${c}"`).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`)]),
  );
  const value = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
  return {
    write: async (rows) =>
      sqlite.transaction(() => {
        for (const [t, list] of rows) for (const row of list) inserts.get(t)!.run(...row.map(value));
      })(),
    run: async (sql, args) => void sqlite.prepare(sql).run(...args.map(value)),
    async close() {
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      sqlite.close();
    },
  };
}

async function postgresWriter(url: string): Promise<SeedWriter> {
  const { connectionString, schema } = postgresConnection(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  const name = schema ?? 'public';
  await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await client.query(`CREATE SCHEMA "${name}"`);
  await applyPostgresMigrations(url);
  // A seed is made again rather than recovered: no wait for the WAL's flush at each commit.
  await client.query('SET synchronous_commit = off');
  // One statement per table and batch: each column sent as one array, unnested into rows.
  const insert = (t: Table) =>
    `INSERT INTO "${t.name}" (${t.columns.map(([c]) => `"${c}"`).join(', ')}) SELECT * FROM unnest(${t.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    async write(rows) {
      await client.query('BEGIN');
      for (const [t, list] of rows) {
        if (list.length === 0) continue;
        await client.query(insert(t), t.columns.map((_, i) => list.map((row) => row[i])));
      }
      await client.query('COMMIT');
    },
    run: async (sql, args) => void (await client.query(numbered(sql), args)),
    async close() {
      // Planner statistics and the visibility map for the tables just filled, as autovacuum keeps
      // them on a database in use (without the map PostgreSQL reads the table behind every index
      // entry: no index-only scans, the queue's counts 10 times slower).
      await client.query('VACUUM (ANALYZE)');
      await client.end();
    },
  };
}

export async function seed(options: Options): Promise<{ tickets: number; seconds: number; file: string }> {
  const started = Date.now();
  const config = loadConfig({ env: {}, file: null, overrides: {} });
  const rand = random(options.seed);
  const postgresql = /^postgres(ql)?:/.test(options.db);
  const file = postgresql ? options.db : path.resolve(options.db);
  const writer = postgresql ? await postgresWriter(file) : sqliteWriter(file);

  const all = kinds(config.contentDir, config.municipality, config.handoff.defaultDepartment);
  const departments = [...new Set(all.map((k) => k.department))];
  const now = Date.now();
  const span = options.days * 86_400_000;
  const prefix = config.tickets.prefix;

  // Accounts: a supervisor and an admin, and two agents per department.
  const passwordHash = await hashPassword(options.password);
  const accounts: unknown[][] = [];
  const insertAgent = { run: (...row: unknown[]) => void accounts.push([...row.slice(0, 6), false, true, ...row.slice(6)]) };
  const agents: { id: string; username: string; displayName: string; department: string }[] = [];
  const created = stamp(now - span - 86_400_000);
  insertAgent.run('seed-agent-sef', 'sef', 'Şef Seda Koç', passwordHash, 'supervisor', null, created, created);
  insertAgent.run('seed-agent-yonetici', 'yonetici', 'Yönetici Can Er', passwordHash, 'admin', null, created, created);
  departments.forEach((department, d) => {
    for (let n = 1; n <= 2; n++) {
      const agent = { id: `seed-agent-${d}-${n}`, username: `gorevli${d}-${n}`, displayName: `${NAMES[(d * 2 + n) % NAMES.length]} (${n})`, department };
      insertAgent.run(agent.id, agent.username, agent.displayName, passwordHash, 'agent', department, created, created);
      agents.push(agent);
    }
  });
  await writer.write(new Map([[TABLES.agent, accounts]]));

  const counters = new Map<string, number>();

  // Creation times, oldest first, so that numbers follow the year's order as the bot's do.
  const times = Array.from({ length: options.tickets }, () => now - Math.floor(rand() * span)).sort((a, b) => a - b);
  const BATCH = 5000;
  for (let start = 0; start < options.tickets; start += BATCH) {
    const batch: Rows = new Map(Object.values(TABLES).map((t) => [t, []]));
    const rowsOf = (t: Table) => ({ run: (...row: unknown[]) => void batch.get(t)!.push(row) });
    const insertContact = rowsOf(TABLES.contact);
    const insertConversation = rowsOf(TABLES.conversation);
    const insertMessage = rowsOf(TABLES.message);
    const insertTicket = rowsOf(TABLES.ticket);
    const insertEvent = rowsOf(TABLES.event);
    {
      for (let i = start; i < Math.min(options.tickets, start + BATCH); i++) {
        const at = times[i]!;
        const kind = pick(all, rand());
        const channel = pick(CHANNELS, rand()).name;
        const id = `seed${i.toString(36).padStart(8, '0')}`;
        const contactId = `c${id}`;
        const conversationId = `v${id}`;
        const ticketId = `t${id}`;
        const name = NAMES[Math.floor(rand() * NAMES.length)]!;
        const neighbourhood = kind.type === 'complaint' || kind.type === 'aid' ? NEIGHBOURHOODS[Math.floor(rand() * NEIGHBOURHOODS.length)]! : null;
        const year = new Date(at).getUTCFullYear();
        const counterKey = `${prefix}-${year}`;
        const sequence = (counters.get(counterKey) ?? 0) + 1;
        counters.set(counterKey, sequence);
        const number = formatTicketNumber(prefix, year, sequence);
        const dueAt = at + kind.slaHours * 3_600_000;

        // Where the ticket is now: older ones mostly finished, recent ones often open.
        const age = now - at;
        const r = rand();
        const openShare = age < 3 * 86_400_000 ? 0.7 : age < 30 * 86_400_000 ? 0.25 : 0.04;
        let status: string;
        if (r < openShare) status = ['new', 'assigned', 'in_progress'][Math.floor(rand() * 3)]!;
        else status = rand() < 0.8 ? 'resolved' : rand() < 0.6 ? 'closed' : 'rejected';
        const departmentAgents = agents.filter((a) => a.department === kind.department);
        const agent = status === 'new' ? null : (departmentAgents[Math.floor(rand() * departmentAgents.length)] ?? null);
        const respondedAt = status === 'new' ? null : Math.min(now, at + Math.floor((5 + rand() * rand() * 48 * 60) * 60_000));
        const finishedAt = ['resolved', 'closed', 'rejected'].includes(status) ? Math.min(now, respondedAt! + Math.floor(rand() * rand() * kind.slaHours * 2.5 * 3_600_000)) : null;
        const resolvedAt = status === 'resolved' ? finishedAt : null;
        const closedAt = status === 'closed' || status === 'rejected' ? finishedAt : null;
        const rated = status === 'resolved' && rand() < 1 / 3;
        const rating = rated ? (rand() < 0.55 ? (rand() < 0.6 ? 5 : 4) : 1 + Math.floor(rand() * 3)) : null;
        const ratingComment = rated && rand() < 0.3 ? COMMENTS[Math.floor(rand() * COMMENTS.length)]! : null;
        const urgent = kind.type === 'emergency';
        const lastAt = finishedAt ?? respondedAt ?? at + 120_000;

        const phone = channel === 'whatsapp' ? `+90532${String(1_000_000 + i).slice(-7)}` : null;
        insertContact.run(contactId, channel, `${channel}-user-${i}`, name, phone, phone ? stamp(at - 60_000) : null, stamp(at - 300_000), stamp(lastAt));
        const holding = status !== 'new' && ['new', 'assigned', 'in_progress'].includes(status) && kind.type === 'handoff';
        insertConversation.run(conversationId, contactId, channel, holding ? 'agent' : 'bot', holding ? agent?.id ?? null : null, holding ? ticketId : null,
          JSON.stringify({ chatId: `${channel}-chat-${i}` }), stamp(lastAt), stamp(at - 300_000), stamp(lastAt));

        // About 8 messages: the dialog's questions and answers, the ticket's confirmation, and the agent's reply.
        const texts: [string, string, string | null][] = [
          ['in', 'citizen', 'Merhaba'],
          ['out', 'bot', 'Merhaba, size nasıl yardımcı olabilirim?'],
          ['in', 'citizen', kind.type === 'handoff' ? 'temsilciyle görüşmek istiyorum' : `${kind.label} hakkında bildirim yapmak istiyorum`],
          ['out', 'bot', 'Lütfen mahallenizi yazın.'],
          ['in', 'citizen', neighbourhood ?? 'Bilmiyorum'],
          ['out', 'bot', `Talebiniz alındı. Talep numaranız: ${number}`],
        ];
        if (respondedAt) texts.push(['out', 'agent', 'Merhaba, talebinizle ilgileniyorum.'], ['in', 'citizen', 'Teşekkür ederim.']);
        let lastIn: string | null = null;
        texts.forEach(([direction, author, text], m) => {
          const messageId = `${conversationId}-${m}`;
          const when = m < 6 ? at - 300_000 + m * 50_000 : respondedAt! + (m - 6) * 60_000;
          insertMessage.run(messageId, conversationId, direction, author, author === 'agent' ? agent?.displayName ?? 'Görevli' : null, direction === 'out' ? lastIn : null, text,
            m === 1 ? JSON.stringify({ choices: ['Şikâyet', 'Yardım', 'Randevu'] }) : '{}', direction === 'in' ? 'greeting' : null, direction === 'in' ? 0.9 : null,
            direction === 'in' ? `p-${i}-${m}` : null, direction === 'in' ? 'processed' : 'sent', 0, stamp(when));
          if (direction === 'in') lastIn = messageId;
        });

        const data = kind.dialog
          ? {
              _dialog: kind.dialog,
              _structured: ['category', 'neighbourhood'],
              category: kind.category,
              neighbourhood,
              description: `${kind.label}: ${neighbourhood ?? ''} mahallesinde sorun var, ilgilenilmesini rica ederim.`,
              name,
              phone: phone ?? '',
              _display: { category: kind.label, neighbourhood, description: `${kind.label} bildirimi`, name },
            }
          : { reason: kind.category, _structured: ['reason'] };
        insertTicket.run(ticketId, number, contactId, conversationId, kind.type, kind.category, kind.department, status, urgent, neighbourhood, agent?.id ?? null,
          respondedAt ? stamp(respondedAt) : null, resolvedAt ? stamp(resolvedAt) : null, rating, ratingComment, JSON.stringify(data),
          `${kind.label || kind.type} — ${neighbourhood ?? 'mahalle belirtilmedi'}`, stamp(dueAt), stamp(at), stamp(lastAt), closedAt ? stamp(closedAt) : null);
        insertEvent.run(`e${id}-0`, ticketId, 'status', 'new', 'bot', 'Talep oluşturuldu.', stamp(at));
        if (agent && respondedAt) insertEvent.run(`e${id}-1`, ticketId, 'assign', status === 'assigned' ? 'assigned' : 'in_progress', agent.username, '', stamp(respondedAt));
        if (finishedAt) insertEvent.run(`e${id}-2`, ticketId, 'status', status, agent?.username ?? 'bot', status === 'rejected' ? 'Yetki alanımız dışında.' : '', stamp(finishedAt));
        if (rated) insertEvent.run(`e${id}-3`, ticketId, 'rating', null, 'citizen', ratingComment ?? '', stamp(finishedAt! + 600_000));
      }
    }
    await writer.write(batch);
    if (!options.quiet && (start / BATCH) % 10 === 9) process.stdout.write(`  ${Math.min(options.tickets, start + BATCH)} tickets\n`);
  }
  for (const [key, value] of counters) await writer.run('INSERT INTO "TicketCounter" ("key", "value") VALUES (?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"', [key, value]);
  // The tickets were written around tickets/: the daily figures are counted from them at the next
  // start (main.ts), as for any database that had tickets before the daily figures existed.
  await writer.run('UPDATE "TicketFigureState" SET "complete" = ?, "rebuiltCreatedAt" = NULL, "rebuiltId" = NULL WHERE "id" = 1', [false]);
  await writer.close();
  return { tickets: options.tickets, seconds: (Date.now() - started) / 1000, file };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('seed.ts')) {
  const options = parseOptions(process.argv.slice(2));
  const result = await seed(options);
  console.log(`seeded ${result.tickets} tickets into ${result.file} in ${result.seconds.toFixed(1)} s (accounts: sef / yonetici / gorevliN-1, password: ${options.password})`);
}
