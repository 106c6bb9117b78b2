// A year of tickets (scripts/seed.ts, the shapes the bot writes) behind the console, over real HTTP:
// the figures read from the daily figures must be the numbers a plain count of the tickets gives, the CSV
// the worker streams must be the file the console used to build, and the queue comes in pages with
// the counts of the whole queue.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, channelName } from '../../src/console/catalog.ts';
import { csvCell, maskIdNumbers, pinLink } from '../../src/console/stats.ts';
import type { Cozum } from '../../src/main.ts';
import { OPEN_STATUSES, STATUS_NAMES, statusName, typeName } from '../../src/tickets/status.ts';
import { seed, SEED_PASSWORD } from '../../scripts/seed.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { testDatabaseUrl } from '../support/database.ts';
import { ConsoleClient } from './support.ts';

const temp = tempDir();
const file = path.join(temp.dir, 'year.db');
// The SQLite file, or on PostgreSQL a schema of the run's database.
let url: string;
let cozum: Cozum;
let supervisor: ConsoleClient;
let agent: ConsoleClient;

beforeAll(async () => {
  url = await testDatabaseUrl(file);
  await seed({ tickets: 1500, db: url.replace(/^file:/, ''), days: 365, seed: 7, password: SEED_PASSWORD, quiet: true });
  cozum = await startTestCozum(temp.dir, { http: true, overrides: { databaseUrl: url } });
  // The seeded tickets were written around tickets/: the daily figures are rebuilt after start-up.
  expect(await cozum.dailyFigures).toBe(true);
  supervisor = ConsoleClient.for(cozum);
  await supervisor.login('sef', SEED_PASSWORD);
  agent = ConsoleClient.for(cozum);
  await agent.login('gorevli0-1', SEED_PASSWORD);
});

afterAll(async () => {
  await cozum?.close();
  temp.remove();
});

/** The tickets of a period as the console used to load them, every row into memory. */
async function ticketsSince(since: Date | undefined) {
  const rows = await cozum.db.ticket.findMany({
    where: since ? { createdAt: { gte: since } } : {},
    include: { contact: { select: { channel: true } }, conversation: { select: { channel: true } }, assignedAgent: { select: { displayName: true } } },
  });
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

type Row = Awaited<ReturnType<typeof ticketsSince>>[number];
const isOpen = (t: Row) => (OPEN_STATUSES as string[]).includes(t.status);
const minutes = (from: Date, to: Date | null) => (to ? Math.max(0, (to.getTime() - from.getTime()) / 60_000) : null);
const breach = (t: Row, now: Date) => (isOpen(t) && t.dueAt < now ? 'open' : t.resolvedAt && t.resolvedAt > t.dueAt ? 'resolved' : null);

function counts(rows: Row[], key: (t: Row) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[key(row)] = (out[key(row)] ?? 0) + 1;
  return out;
}

function durations(values: (number | null)[]) {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return { count: 0, average: null, median: null };
  const middle = Math.floor(present.length / 2);
  return {
    count: present.length,
    average: present.reduce((s, v) => s + v, 0) / present.length,
    median: present.length % 2 ? present[middle]! : (present[middle - 1]! + present[middle]!) / 2,
  };
}

const asCounts = (figures: { key: string; count: number }[]) => Object.fromEntries(figures.filter((f) => f.count > 0).map((f) => [f.key, f.count]));

describe('the supervisor\'s figures over a year of tickets', () => {
  for (const days of [30, 365, 0]) {
    it(`match a plain count of every ticket of the period (${days || 'all'} days)`, async () => {
      const reply = await supervisor.get(`/console/api/stats?days=${days}`);
      expect(reply.status).toBe(200);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the figures JSON, compared field by field with a recount below
      const figures = reply.json as Record<string, any>;
      const now = new Date(figures.generatedAt as string);
      const rows = await ticketsSince(days > 0 ? new Date(now.getTime() - days * 86_400_000) : undefined);
      expect(rows.length).toBeGreaterThan(days === 30 ? 50 : 1000);

      expect(figures.total).toBe(rows.length);
      expect(figures.open).toBe(rows.filter(isOpen).length);
      expect(asCounts(figures.byStatus)).toEqual(counts(rows, (t) => t.status));
      expect((figures.byStatus as { key: string; label: string }[]).map((s) => s.label)).toEqual(Object.values(STATUS_NAMES));
      expect(asCounts(figures.byType)).toEqual(counts(rows, (t) => t.type));
      expect(asCounts(figures.byCategory)).toEqual(counts(rows, (t) => `${t.type}:${t.category ?? ''}`));
      expect(asCounts(figures.byDepartment)).toEqual(counts(rows, (t) => t.department));
      expect(asCounts(figures.byChannel)).toEqual(counts(rows, (t) => t.conversation?.channel ?? t.contact.channel));
      expect(asCounts(figures.byNeighbourhood)).toEqual(counts(rows, (t) => t.neighbourhood ?? ''));
      expect(figures.sla).toEqual({
        openOverdue: rows.filter((t) => breach(t, now) === 'open').length,
        resolvedLate: rows.filter((t) => breach(t, now) === 'resolved').length,
        resolvedOnTime: rows.filter((t) => t.resolvedAt && t.resolvedAt <= t.dueAt).length,
      });
      for (const [name, column] of [['firstResponse', 'firstResponseAt'], ['resolution', 'resolvedAt']] as const) {
        const expected = durations(rows.map((t) => minutes(t.createdAt, t[column])));
        expect(figures[name].count, name).toBe(expected.count);
        expect(figures[name].average, name).toBeCloseTo(expected.average!, 4);
        // From the daily histograms: within 2% (a bucket's width), or a minute below one minute.
        expect(Math.abs(figures[name].median - expected.median!), name).toBeLessThanOrEqual(Math.max(1, expected.median! * 0.02));
      }
      const rated = rows.filter((t) => t.rating !== null);
      expect(figures.satisfaction.count).toBe(rated.length);
      expect(figures.satisfaction.average).toBeCloseTo(rated.reduce((s, t) => s + t.rating!, 0) / rated.length, 10);
      expect(asCounts(figures.satisfaction.distribution)).toEqual(counts(rated, (t) => String(t.rating)));
      // Sorted as the page draws them: the largest first.
      const byDepartment = (figures.byDepartment as { count: number }[]).map((f) => f.count);
      expect(byDepartment).toEqual([...byDepartment].sort((a, b) => b - a));
    });
  }

  it('name categories, channels and missing neighbourhoods in Turkish', async () => {
    const figures = (await supervisor.get('/console/api/stats?days=365')).json as Record<string, { key: string; label: string }[]>;
    expect(figures.byCategory).toContainEqual(expect.objectContaining({ key: 'complaint:road', label: 'Yol / çukur' }));
    expect(figures.byChannel).toContainEqual(expect.objectContaining({ key: 'whatsapp', label: 'WhatsApp' }));
    expect(figures.byNeighbourhood).toContainEqual(expect.objectContaining({ key: '', label: 'Belirtilmemiş' }));
  });
});

describe('the CSV export of a year', () => {
  it('is, line for line, the file the console built in memory before', async () => {
    const response = await fetch(`${cozum.url}/console/api/export.csv?days=365`, { headers: { Cookie: `cozum_console=${supervisor.token}` } });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    const now = new Date();
    const rows = await ticketsSince(new Date(now.getTime() - 365 * 86_400_000));
    // The old export, written out plainly (stats.ts before issue 19).
    const catalog = Catalog.load(cozum.config);
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: cozum.config.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const when = (d: Date | null) => (d ? date.format(d) : '');
    const mins = (v: number | null) => (v === null ? '' : String(Math.round(v)));
    const header = ['Talep no', 'Tür', 'Kategori', 'Birim', 'Mahalle', 'Kanal', 'Durum', 'Atanan görevli', 'Oluşturulma', 'Son tarih (SLA)', 'İlk yanıt', 'Çözüm', 'Kapanış', 'İlk yanıt süresi (dk)', 'Çözüm süresi (dk)', 'SLA aşıldı', 'Puan', 'Puan yorumu', 'Konum', 'Dosyalar'];
    const lines = rows.map((t) => [
      t.number, typeName(t.type), catalog.categoryName(t.type, t.category), t.department, t.neighbourhood ?? '', channelName(t.conversation?.channel ?? t.contact.channel),
      statusName(t.status), t.assignedAgent?.displayName ?? '', when(t.createdAt), when(t.dueAt), when(t.firstResponseAt), when(t.resolvedAt), when(t.closedAt),
      mins(minutes(t.createdAt, t.firstResponseAt)), mins(minutes(t.createdAt, t.resolvedAt)), breach(t, now) ? 'Evet' : 'Hayır',
      t.rating === null ? '' : String(t.rating), maskIdNumbers(t.ratingComment ?? ''), pinLink(t.data), '',
    ]);
    const expected = '\uFEFF' + [header, ...lines].map((cells) => cells.map(csvCell).join(';')).join('\r\n') + '\r\n';
    // A ticket can fall due between the two moments "now": only its "SLA aşıldı" cell may differ.
    const got = text.split('\r\n');
    const want = expected.split('\r\n');
    expect(got.length).toBe(want.length);
    expect(got.length).toBeGreaterThan(1000);
    const differing = got.filter((line, i) => line !== want[i]);
    expect(differing.length).toBeLessThanOrEqual(1);
    expect(got[0]).toBe(want[0]);
    expect(text).not.toMatch(/(?<!\d)\d{11}(?!\d)/);
  });
});

describe('a CSV download abandoned half-way', () => {
  it('stops the export, and the next download is whole', async () => {
    const url = `${cozum.url}/console/api/export.csv?days=365`;
    const headers = { Cookie: `cozum_console=${supervisor.token}` };
    const whole = Buffer.from(await (await fetch(url, { headers })).arrayBuffer()).toString('utf8');
    expect(whole.length).toBeGreaterThan(3 * 65_536);
    const abandon = new AbortController();
    const reader = (await fetch(url, { headers, signal: abandon.signal })).body!.getReader();
    await reader.read();
    abandon.abort();
    await expect(reader.read()).rejects.toThrow();
    // The worker reads on for the next download (its chunks' memory is reused), and the file is the same.
    const again = Buffer.from(await (await fetch(url, { headers })).arrayBuffer()).toString('utf8');
    expect(again.split('\r\n').length).toBe(whole.split('\r\n').length);
    expect(again.slice(0, 2000)).toBe(whole.slice(0, 2000));
  });
});

describe('the queue in pages', () => {
  type Queue = { items: { ticketId: string; urgent: boolean; createdAt: string; department: string }[]; counts: Record<string, number>; page: { limit: number; offset: number } };

  it('sends an agent one screen of their department\'s open tickets, the next on asking, with the counts of all of them', async () => {
    const me = (await agent.get('/console/api/me')).json as { agent: { department: string } };
    const department = me.agent.department;
    const open = await cozum.db.ticket.count({ where: { department, status: { in: OPEN_STATUSES } } });
    expect(open).toBeGreaterThan(10);

    const first = (await agent.get('/console/api/queue?limit=5')).json as Queue;
    const second = (await agent.get('/console/api/queue?limit=5&offset=5')).json as Queue;
    const both = (await agent.get('/console/api/queue?limit=10')).json as Queue;
    expect(first.items).toHaveLength(5);
    expect(second.items).toHaveLength(5);
    expect([...first.items, ...second.items].map((i) => i.ticketId)).toEqual(both.items.map((i) => i.ticketId));
    expect(first.counts.total).toBe(open);
    expect(first.counts.overdue).toBe(await cozum.db.ticket.count({ where: { department, status: { in: OPEN_STATUSES }, dueAt: { lt: new Date() } } }));
    expect(new Set(both.items.map((i) => i.department))).toEqual(new Set([department]));
    // Emergencies first, then the oldest.
    const order = both.items.map((i) => [i.urgent ? 0 : 1, i.createdAt] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])));

    const everything = (await agent.get('/console/api/queue?limit=200')).json as Queue;
    expect(everything.items).toHaveLength(Math.min(200, open));
    // The last page holds what is left, and a page past the end is empty.
    const last = (await agent.get(`/console/api/queue?limit=5&offset=${open - 2}`)).json as Queue;
    expect(last.items).toHaveLength(2);
    expect(((await agent.get(`/console/api/queue?limit=5&offset=${open}`)).json as Queue).items).toHaveLength(0);
  });

  it('never sends a supervisor more than a screen of the whole queue', async () => {
    const all = (await supervisor.get('/console/api/queue?scope=all&limit=100000')).json as Queue;
    const open = await cozum.db.ticket.count({ where: { status: { in: OPEN_STATUSES } } });
    expect(all.counts.total).toBe(open);
    expect(all.items.length).toBe(Math.min(200, open));
    expect(((await supervisor.get('/console/api/queue?scope=all')).json as Queue).items.length).toBe(Math.min(50, open));
  });
});

describe('the event loop\'s delay', () => {
  it('is exported on /metrics to a scraper on this machine, and to nobody outside', async () => {
    const local = await fetch(`${cozum.url}/metrics`);
    expect(local.status).toBe(200);
    const text = await local.text();
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_max_seconds \d/m);
    // Through a reverse proxy on loopback, the client's own address counts.
    expect((await fetch(`${cozum.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status).toBe(404);
  });
});
