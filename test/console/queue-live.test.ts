// What an agent sees of the queue while it changes, in a real browser: a case that arrives is added
// as a row, a case another agent takes shows who has it, a finished case goes, each in place; the
// page never asks for its whole page again for a notice (only for the rows it names), and the
// other rows stay the very rows they were. The supervisor's page does not ask for the period's
// figures at every notice: at "Yenile", or at most once a minute.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { browserAvailability, CHROMIUM, launchBrowser, logInToConsole } from '../support/browser.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { createAgent, PASSWORD } from './support.ts';

const { available, inCi } = browserAvailability('live queue browser test');

describe.skipIf(!available && !inCi)('the live queue in a browser', () => {
  const temp = tempDir('cozum-queue-live-');
  let cozum: Cozum;
  let context: BrowserContext;
  let page: Page;
  let colleague: AgentActor;
  const asked: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install chromium (apt-get install -y --no-install-recommends chromium).`);
    cozum = await startTestCozum(temp.dir, { http: true });
    await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
    colleague = await createAgent(cozum.db, 'mehmet', 'Mehmet Kaya', 'agent', 'Çözüm Merkezi');
    await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    ({ context, page } = await launchBrowser(path.join(temp.dir, 'profile')));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/console/api/')) asked.push(`${url.pathname}${url.search}`);
    });
  });
  afterAll(async () => {
    await context?.close();
    await cozum?.close();
    temp.remove();
  });

  async function login(username: string) {
    await context.clearCookies();
    await logInToConsole(page, cozum.url!, username, PASSWORD);
    await page.waitForSelector('#live[data-state="open"]');
  }

  /** A citizen who asked for a person, and their ticket. */
  async function waitingCitizen() {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('temsilci')).toMatch(/Talep numaranız/);
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    return { citizen, conversationId: conversation.id, ticket };
  }

  const pageAsks = () => asked.filter((a) => a.startsWith('/console/api/queue?'));
  const rowAsks = () => asked.filter((a) => a.startsWith('/console/api/queue/rows?'));

  it('adds, changes and removes the rows live notices are about, without asking for the page again', { timeout: 120_000 }, async () => {
    const first = await waitingCitizen();
    await login('ayse');
    const firstRow = page.locator(`tr[data-number="${first.ticket.number}"]`);
    await firstRow.waitFor();
    expect(await page.textContent('#count-total')).toBe('1');
    // The row element is marked: a redraw of the whole table would lose the mark.
    await firstRow.evaluate((tr) => ((tr as HTMLElement & { __kept?: boolean }).__kept = true));
    const wholePages = pageAsks().length;
    expect(wholePages).toBeGreaterThan(0);

    // A second citizen asks for a person: their row is added after the first (oldest first).
    const second = await waitingCitizen();
    const secondRow = page.locator(`tr[data-number="${second.ticket.number}"]`);
    await secondRow.waitFor();
    await page.locator('#count-total', { hasText: '2' }).waitFor();
    expect(await page.locator('#queue-body tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.number))).toEqual([first.ticket.number, second.ticket.number]);
    expect(await secondRow.textContent()).toContain('Görevli bekliyor');

    // A colleague takes the second case: the row shows it, in place.
    await cozum.handoff.claim(colleague, second.conversationId);
    await secondRow.locator('td', { hasText: 'Mehmet Kaya' }).waitFor();
    expect(await secondRow.textContent()).toContain('Görüşmede');

    // The colleague resolves it: the row goes, and the count with it.
    await cozum.handoff.setStatus(colleague, second.ticket.id, 'resolved');
    await secondRow.waitFor({ state: 'detached' });
    await page.locator('#count-total', { hasText: '1' }).waitFor();

    // All of it came as rows; the first row is still the very element it was.
    expect(pageAsks().length).toBe(wholePages);
    expect(rowAsks().length).toBeGreaterThan(0);
    expect(rowAsks().every((a) => a.includes('ticket=') || a.includes('conversation='))).toBe(true);
    expect(await firstRow.evaluate((tr) => (tr as HTMLElement & { __kept?: boolean }).__kept)).toBe(true);

    // The citizen keeps writing: messages change no row, and nothing is asked for them.
    const rowsBefore = rowAsks().length;
    await first.citizen.say('Hâlâ bekliyorum');
    await first.citizen.say('Lütfen yardım edin');
    const third = await waitingCitizen();
    await page.locator(`tr[data-number="${third.ticket.number}"]`).waitFor();
    // The third case's notices are the only ones asked about (a ticket notice and its conversation's).
    expect(rowAsks().slice(rowsBefore).join(' ')).not.toContain(first.conversationId);
  });

  it('asks a supervisor\'s page for the figures at "Yenile", not at every notice', { timeout: 60_000 }, async () => {
    await login('sef');
    await page.goto(`${cozum.url}/console/supervisor`);
    await page.waitForSelector('#live[data-state="open"]');
    await page.locator('#k-total', { hasText: /\d/ }).waitFor();
    const statsAsks = () => asked.filter((a) => a.startsWith('/console/api/stats?')).length;
    const before = statsAsks();
    const total = Number(await page.textContent('#k-total'));

    // A second stream in the same page hears the notices the page itself hears.
    type Heard = Window & { __notices: string[] };
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = window as unknown as Heard;
          w.__notices = [];
          const source = new EventSource('/console/api/events');
          source.addEventListener('changed', (event) => w.__notices.push((event as MessageEvent<string>).data));
          source.addEventListener('open', () => resolve());
        }),
    );
    const fourth = await waitingCitizen();
    await page.waitForFunction(() => (window as unknown as Heard).__notices.some((n) => n.includes('"ticket"')));
    expect(statsAsks()).toBe(before);
    expect(Number(await page.textContent('#k-total'))).toBe(total);

    await page.click('#refresh');
    await page.locator('#k-total', { hasText: String(total + 1) }).waitFor();
    expect(statsAsks()).toBe(before + 1);
    expect(await cozum.db.ticket.count({ where: { id: fourth.ticket.id } })).toBe(1);
  });
});
