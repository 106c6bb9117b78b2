// `npm run plans:postgres -- --database postgresql://…/cozum_seed`: the plans PostgreSQL chooses for
// the console's hot statements on a seeded year (`npm run seed -- --database …`), with their
// times (EXPLAIN (ANALYZE, BUFFERS)). SQLite's plans are checked by test/storage/query-plans.test.ts;
// on PostgreSQL a test's small tables are read whole whatever the indexes, so the plans are only
// worth reading on a large database. The statements are the application's own: the queue of an
// agent's department, a supervisor's whole queue and an agent's "mine" (console/views.ts), the
// access check on opening a conversation, a year's figures from the daily rows and an export's
// batch in the middle of the year (storage/ticket-report.ts), recorded as `pg` sends them and
// explained one by one. Prints each statement's first line, its time and its plan, and the
// sequential scans of Ticket, Message, Contact, Conversation or TicketEvent it finds (exit 1 if any).
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { Catalog } from '../src/console/catalog.ts';
import { ConsoleViews } from '../src/console/views.ts';
import type { AgentActor } from '../src/handoff/handoff.ts';
import { openDatabase } from '../src/storage/database.ts';
import { postgresReportDb, reportPool, ticketRowsPostgres } from '../src/storage/ticket-report-postgres.ts';
import { ticketReport } from '../src/storage/ticket-report.ts';
import { OPEN_STATUSES } from '../src/tickets/status.ts';

const args = process.argv.slice(2);
const url = args[args.indexOf('--database') + 1];
if (!args.includes('--database') || !url || !/^postgres(ql)?:/.test(url)) throw new Error('--database postgresql://… is required (a database made by `npm run seed -- --database …`)');

// Every statement `pg` is asked to run, with its values, while recording.
const recorded: { label: string; text: string; values: unknown[] }[] = [];
let label = '';
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...callArgs: unknown[]) {
  const [first, second] = callArgs as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
  const text = typeof first === 'string' ? first : first?.text;
  const values = typeof first === 'string' ? second : (first?.values ?? second);
  if (label && typeof text === 'string' && /^\s*(SELECT|WITH)/i.test(text)) recorded.push({ label, text, values: Array.isArray(values) ? values : [] });
  return (query as (...a: unknown[]) => unknown).apply(this, callArgs);
} as typeof query;

const { db } = await openDatabase(url);
const config = loadConfig({ env: {}, file: null, overrides: {} });
const views = new ConsoleViews(db, Catalog.load(config));
const pool = reportPool(url);
const actor = async (username: string): Promise<AgentActor> => {
  const a = await db.agent.findUniqueOrThrow({ where: { username } });
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role as AgentActor['role'], department: a.department, languages: ['tr'] };
};
const agent = await actor('gorevli0-1');
const supervisor = await actor('sef');
const now = new Date();

async function record(name: string, work: () => Promise<unknown>) {
  label = name;
  await work();
  label = '';
}
await record('queue, agent, department', () => views.queue(agent, 'department'));
await record('queue, supervisor, all', () => views.queue(supervisor, 'all'));
await record('queue, agent, mine', () => views.queue(agent, 'mine'));
const { rows: some } = await pool.query<{ conversationId: string }>(`SELECT "conversationId" FROM "Ticket" WHERE "department" <> $1 AND "conversationId" IS NOT NULL LIMIT 1`, [agent.department]);
await record('an agent opening a conversation (access check)', () => views.canOpenConversation(agent, some[0]!.conversationId));
await record("a year's figures", () => ticketReport(postgresReportDb(pool), { since: new Date(now.getTime() - 365 * 86_400_000), now, openStatuses: OPEN_STATUSES }));
await record("the year's export, a batch in the middle", async () => {
  let n = 0;
  for await (const _row of ticketRowsPostgres(pool, new Date(now.getTime() - 183 * 86_400_000))) if (++n >= 2001) break;
});
pg.Client.prototype.query = query;

const BIG = /Seq Scan on "?(Ticket|Message|Contact|Conversation|TicketEvent)"? /;
const scans: string[] = [];
const seen = new Set<string>();
for (const { label: name, text, values } of recorded) {
  if (/^\s*SELECT 1\s*$/.test(text) || /TicketFigureState|"Agent"/.test(text) || seen.has(text)) continue;
  seen.add(text);
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
  const plan = rows.map((r) => r['QUERY PLAN']);
  console.log(`\n## ${name}\n${text.replace(/\s+/g, ' ').slice(0, 160)}…\n${plan.join('\n')}`);
  for (const line of plan) if (BIG.test(line)) scans.push(`${name}: ${line.trim()}`);
}
console.log(scans.length ? `\nSequential scans of large tables:\n${scans.join('\n')}` : '\nNo sequential scan of Ticket, Message, Contact, Conversation or TicketEvent.');
await pool.end();
await db.$disconnect();
process.exitCode = scans.length ? 1 : 0;
