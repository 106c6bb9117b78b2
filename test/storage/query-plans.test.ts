// Nothing that grows with history on a request's path: every statement the console and the bot
// send while an agent, a supervisor and a citizen use them (and Prometheus scrapes), on a seeded year of tickets, is asked
// for its plan (EXPLAIN QUERY PLAN), and none may read the whole of a table that grows with them (tickets, their events, messages,
// citizens, conversations). The plans
// are printed, so a slow query found later can be compared with what this test saw.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqlQuery } from '@prisma/driver-adapter-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { connectionOf } from '../../src/storage/direct-sql.ts';
import { storedDate } from '../../src/storage/ticket-report.ts';
import { seed, SEED_PASSWORD } from '../../scripts/seed.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient } from '../console/support.ts';

/** What a year of traffic fills: one row or more per request, per message, per citizen. */
const GROWING = ['Ticket', 'Message', 'Contact', 'Conversation', 'TicketEvent'];
const temp = tempDir();
const file = path.join(temp.dir, 'plans.db');
let cozum: Cozum;
const seen = new Map<string, unknown[]>();

beforeAll(async () => {
  await seed({ tickets: 3000, db: file, days: 365, seed: 3, password: SEED_PASSWORD, quiet: true });
  cozum = await startTestCozum(temp.dir, { http: true, overrides: { databaseUrl: `file:${file}` } });
  // Every statement Prisma Client and direct-sql.ts send outside a transaction, with its arguments.
  const connection = connectionOf(cozum.db)!;
  for (const method of ['queryRaw', 'executeRaw'] as const) {
    const original = connection[method].bind(connection) as (query: SqlQuery) => Promise<never>;
    connection[method] = (query: SqlQuery) => {
      if (!seen.has(query.sql)) seen.set(query.sql, query.args);
      return original(query);
    };
  }
});

afterAll(async () => {
  await cozum?.close();
  temp.remove();
});

/** What a day at the console and on the web chat sends. */
async function useEverything(): Promise<void> {
  const supervisor = ConsoleClient.for(cozum);
  await supervisor.login('sef', SEED_PASSWORD);
  const agent = ConsoleClient.for(cozum);
  await agent.login('gorevli0-1', SEED_PASSWORD);
  for (const client of [supervisor, agent]) {
    await client.get('/console/api/me');
    for (const scope of ['all', 'department', 'mine']) await client.get(`/console/api/queue?scope=${scope}&limit=20&offset=20`);
  }
  const queue = (await agent.get('/console/api/queue')).json as { items: { conversationId: string | null; ticketId: string }[] };
  const item = queue.items.find((i) => i.conversationId)!;
  expect((await agent.get(`/console/api/conversations/${item.conversationId}`)).status).toBe(200);
  // The rows a live notice names, as the queue page asks for them.
  for (const scope of ['department', 'mine']) {
    expect((await agent.get(`/console/api/queue/rows?scope=${scope}&ticket=${item.ticketId}&conversation=${item.conversationId}`)).status).toBe(200);
  }
  expect((await agent.post(`/console/api/tickets/${item.ticketId}/notes`, { text: 'Ekip yönlendirildi.' })).status).toBe(200);
  expect((await supervisor.get('/console/api/stats?days=365')).status).toBe(200);
  expect((await supervisor.get('/console/api/agents')).status).toBe(200);

  const { token } = (await (await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
  for (const text of ['merhaba', 'emlak vergisi nasıl ödenir', 'başvurularım', 'temsilciyle görüşmek istiyorum']) {
    const reply = await fetch(`${cozum.url}/api/chat/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Chat-Session': token }, body: JSON.stringify({ text }) });
    expect(reply.status).toBe(200);
  }
  expect((await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': token } })).status).toBe(200);
  // Prometheus' scrape: the outbox's depth and the open and overdue tickets, every 15 s or so.
  const metrics = await fetch(`${cozum.url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^cozum_tickets_overdue \d+$/m);
}

function bindable(value: unknown): unknown {
  if (value instanceof Date) return storedDate(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  if (Array.isArray(value) || (value !== null && typeof value === 'object' && !(value instanceof Uint8Array))) return JSON.stringify(value);
  return value;
}

describe('query plans on a year of tickets', () => {
  it('read the tables that grow through indexes only, for every statement the console and the bot send', async () => {
    await useEverything();
    expect(seen.size).toBeGreaterThan(20);
    const sqlite = new BetterSqlite3(file, { readonly: true });
    const scans: string[] = [];
    const report: string[] = [];
    try {
      for (const [sql, args] of seen) {
        if (!/^\s*(SELECT|UPDATE|DELETE|WITH)\b/i.test(sql)) continue;
        // The tables that grow with history, and the aliases the statement gives them.
        const growing = new Set(GROWING);
        for (const match of sql.matchAll(/[`"](Ticket|Message|Contact|Conversation|TicketEvent)[`"](?:\s+AS)?\s+[`"]?([A-Za-z_]\w*)[`"]?/g)) {
          if (!/^(WHERE|ON|SET|JOIN|LEFT|INNER|ORDER|GROUP|LIMIT|VALUES)$/i.test(match[2]!)) growing.add(match[2]!);
        }
        const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args.map(bindable)) as { detail: string }[];
        report.push(`${sql.replace(/\s+/g, ' ').slice(0, 160)}\n${plan.map((p) => `    ${p.detail}`).join('\n')}`);
        for (const { detail } of plan) {
          const scanned = /^SCAN (?:main\.)?"?(\w+)"?/.exec(detail)?.[1];
          if (scanned && growing.has(scanned)) scans.push(`${detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
        }
      }
    } finally {
      sqlite.close();
    }
    console.log(`${report.length} statements and their plans:\n${report.join('\n')}`);
    expect(scans).toEqual([]);
  });
});
