// The supervisor's daily figures follow every change of a ticket: created, claimed, answered,
// transferred, resolved, rated, erased. After each change the figures read from the daily rows must
// be the figures counted from the tickets themselves (storage/ticket-report.ts has both), and the
// change must show where the page shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../../src/config.ts';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { countedReport, dailyReport, type ReportDb, type TicketReport } from '../../src/storage/ticket-report.ts';
import { rebuildDailyFigures } from '../../src/tickets/daily-figures.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { OPEN_STATUSES } from '../../src/tickets/status.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { testDialect } from '../support/database.ts';
import { openReportDb } from '../support/report-db.ts';

const temp = tempDir();
let cozum: Cozum;
let reports: { db: ReportDb; close(): Promise<void> };
let supervisor: AgentActor;
const contacts: { contactId: string; conversationId: string }[] = [];
const tickets: string[] = [];

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, { http: false });
  expect(await cozum.dailyFigures).toBe(true);
  reports = openReportDb(databaseUrl(cozum.config));
  const agent = await cozum.db.agent.create({ data: { username: 'sef', displayName: 'Şef Seda', passwordHash: 'x', role: 'supervisor' } });
  supervisor = { id: agent.id, username: agent.username, displayName: agent.displayName, role: 'supervisor', department: null };
  for (const [i, channel] of ['webchat', 'telegram', 'webchat'].entries()) {
    const contact = await cozum.db.contact.create({ data: { channel, platformUserId: `figures-${i}` } });
    const conversation = await cozum.db.conversation.create({ data: { contactId: contact.id, channel } });
    contacts.push({ contactId: contact.id, conversationId: conversation.id });
  }
  const shapes = [
    { type: 'complaint', category: 'road', neighbourhood: 'Erzene', department: 'Fen İşleri' },
    { type: 'complaint', category: 'garbage', neighbourhood: 'Erzene', department: 'Temizlik İşleri' },
    { type: 'aid', category: 'food', neighbourhood: 'Kızılay', department: 'Sosyal Yardım' },
    { type: 'handoff', category: 'other', department: 'Çağrı Merkezi' },
    { type: 'complaint', category: 'road', department: 'Fen İşleri' },
  ] as const;
  for (const [i, shape] of shapes.entries()) {
    const { contactId, conversationId } = contacts[i % contacts.length]!;
    const created = await cozum.tickets.create({ ...shape, contactId, conversationId, slaHours: 48, summary: `talep ${i}`, data: {} });
    tickets.push(created.id);
  }
});

afterAll(async () => {
  await reports?.close();
  await cozum?.close();
  temp.remove();
});

function periods(): { name: string; since: Date | null }[] {
  const now = Date.now();
  return [
    { name: 'all', since: null },
    { name: 'a year', since: new Date(now - 365 * 86_400_000) },
    { name: 'the last hour (a partial day only)', since: new Date(now - 3_600_000) },
    { name: 'nothing yet', since: new Date(now + 60_000) },
  ];
}

const sorted = (report: TicketReport) => [...report.counts].sort((a, b) => `${a.dimension}:${a.key}`.localeCompare(`${b.dimension}:${b.key}`));

/** The daily figures of every period equal the figures counted from the tickets (medians within 2%). */
async function expectDailyEqualsCounted(): Promise<TicketReport> {
  let all: TicketReport | undefined;
  for (const { name, since } of periods()) {
    const period = { since, now: new Date(), openStatuses: OPEN_STATUSES };
    const daily = await dailyReport(reports.db, period);
    const counted = await countedReport(reports.db, period);
    expect(sorted(daily), name).toEqual(sorted(counted));
    expect(daily.sla, name).toEqual(counted.sla);
    for (const measure of ['firstResponse', 'resolution'] as const) {
      expect(daily[measure].count, `${name} ${measure}`).toBe(counted[measure].count);
      if (counted[measure].average === null) continue;
      expect(daily[measure].average!, `${name} ${measure}`).toBeCloseTo(counted[measure].average!, 4);
      const exact = counted[measure].median!;
      expect(Math.abs(daily[measure].median! - exact), `${name} ${measure} median`).toBeLessThanOrEqual(exact < 1 ? 1 : exact * 0.02);
    }
    all ??= daily;
  }
  return all!;
}

const countOf = (report: TicketReport, dimension: string, key: string) => report.counts.find((c) => c.dimension === dimension && c.key === key)?.count ?? 0;

describe('the daily figures', () => {
  it('count new tickets in the transaction that creates them', async () => {
    const report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'new')).toBe(5);
    expect(countOf(report, 'category', 'complaint:road')).toBe(2);
    expect(countOf(report, 'neighbourhood', 'Erzene')).toBe(2);
    expect(countOf(report, 'neighbourhood', '')).toBe(2);
    expect(countOf(report, 'channel', 'webchat')).toBe(3);
    expect(countOf(report, 'channel', 'telegram')).toBe(2);
  });

  it('move with a claim, a first answer and a transfer', async () => {
    const handoffTicket = tickets[3]!;
    const { conversationId } = contacts[0]!;
    await cozum.db.conversation.update({ where: { id: conversationId }, data: { mode: 'waiting', handoffTicketId: handoffTicket } });
    await cozum.handoff.claim(supervisor, conversationId);
    await cozum.handoff.reply(supervisor, conversationId, 'Merhaba, yardımcı olayım.');
    let report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'in_progress')).toBe(1);
    expect(report.firstResponse.count).toBe(1);

    await cozum.handoff.transfer(supervisor, tickets[0]!, { department: 'Park ve Bahçeler' });
    report = await expectDailyEqualsCounted();
    expect(countOf(report, 'department', 'Park ve Bahçeler')).toBe(1);
    expect(countOf(report, 'department', 'Fen İşleri')).toBe(1);
    expect(countOf(report, 'status', 'assigned')).toBe(1);
  });

  it('move with a status change and a rating', async () => {
    await cozum.handoff.setStatus(supervisor, tickets[1]!, 'resolved');
    let report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'resolved')).toBe(1);
    expect(report.resolution.count).toBe(1);
    expect(report.sla.resolvedOnTime).toBe(1);

    await cozum.handoff.rate(tickets[1]!, 4, 'Teşekkürler');
    report = await expectDailyEqualsCounted();
    expect(countOf(report, 'rating', '4')).toBe(1);

    await cozum.tickets.changeStatus(tickets[2]!, 'rejected', 'sef', 'Yetki dışında');
    report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'rejected')).toBe(1);
    expect(countOf(report, 'status', 'new')).toBe(1);
  });

  it("move with a department system's public reply, its ticket's first answer", async () => {
    await cozum.handoff.publicReply(supervisor, tickets[2]!, 'Başvurunuz incelendi.');
    const report = await expectDailyEqualsCounted();
    expect(report.firstResponse.count).toBe(2);
  });

  it('move when a citizen is erased: their open handoff ends, closed', async () => {
    const before = await dailyReport(reports.db, { since: null, now: new Date(), openStatuses: OPEN_STATUSES });
    expect(countOf(before, 'status', 'closed')).toBe(0);
    await cozum.handoff.citizenErased(contacts[0]!.contactId);
    const report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'closed')).toBe(1);
    expect(countOf(report, 'status', 'in_progress')).toBe(0);
    expect(countOf(report, 'type', 'handoff')).toBe(1);
  });

  it('are rebuilt from the tickets, and changes during the rebuild are counted once', async () => {
    await cozum.db.ticketFigureState.update({ where: { id: 1 }, data: { complete: false, rebuiltCreatedAt: null, rebuiltId: null } });
    // The first batch (two tickets) only, then a change to a ticket it counted and one it did not.
    let batches = 0;
    expect(await rebuildDailyFigures(cozum.db, { batch: 2, pauseMs: 0, stopped: () => batches++ > 0 })).toBe(false);
    const order = (await cozum.db.ticket.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } })).map((t) => t.id);
    const state = await cozum.db.ticketFigureState.findUniqueOrThrow({ where: { id: 1 } });
    expect(state.rebuiltId).toBe(order[1]);
    await cozum.tickets.changeStatus(order[0]!, 'closed', 'sef');
    await cozum.tickets.changeStatus(order[4]!, 'in_progress', 'sef');
    expect(await rebuildDailyFigures(cozum.db, { batch: 2, pauseMs: 0 })).toBe(true);
    const report = await expectDailyEqualsCounted();
    expect(countOf(report, 'status', 'closed')).toBe(2);
    expect(report.source).toBe('daily');
  });

  // Several instances are PostgreSQL's (SQLite is one process, which runs one rebuild).
  it.skipIf(testDialect === 'sqlite')('count each ticket once when two rebuilds run at once (an instance paused past its lease, another took the job over)', async () => {
    await cozum.db.ticketFigureState.update({ where: { id: 1 }, data: { complete: false, rebuiltCreatedAt: null, rebuiltId: null } });
    // The other instance: a connection of its own to the same database.
    const other = await openDatabase(databaseUrl(cozum.config));
    try {
      const both = await Promise.all([rebuildDailyFigures(cozum.db, { batch: 2, pauseMs: 0 }), rebuildDailyFigures(other.db, { batch: 2, pauseMs: 0 })]);
      expect(both).toEqual([true, true]);
    } finally {
      await other.db.$disconnect();
    }
    expect((await expectDailyEqualsCounted()).source).toBe('daily');
  });
});
