// The supervisor page's list of what departments' systems could not be sent, in a real browser: a
// webhook call that failed is shown with its error, and "Yeniden gönder" delivers it once the
// receiver is back; an admin makes a department's back-office key from the same page.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailability } from '../support/browser.ts';
import { Citizen } from '../support/cozum.ts';
import { useSupervisorPageInBrowser } from '../console/support.ts';

const { available, inCi } = browserAvailability('Integration deliveries page test');
const FEN = 'Fen İşleri Müdürlüğü';

describe.skipIf(!available && !inCi)('failed deliveries on the supervisor page', () => {
  let receiver: http.Server;
  let url = '';
  let status = 500;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push(`${status} ${body}`);
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });
  const { cozum, page, failures, openSupervisorPage } = useSupervisorPageInBrowser('cozum-deliveries-page-', () => ({
    'integrations.departments': [{ name: FEN, webhook: { url, secret: 's'.repeat(40) } }],
    'integrations.feedSeconds': 0.2,
    'integrations.retryBaseSeconds': 0.1,
    'integrations.maxAttempts': 2,
  }));

  it('shows a failed webhook call with its error, and sends it again', { timeout: 90_000 }, async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const ticket = await cozum.tickets.create({ contactId: conversation.contactId, conversationId: conversation.id, type: 'complaint', category: 'road', department: FEN, slaHours: 72, summary: 'Yol / çukur', data: {} });
    await expect.poll(async () => (await cozum.db.integrationDelivery.findFirst({ where: { ticketNumber: ticket.number } }))?.status, { timeout: 20_000 }).toBe('failed');

    await openSupervisorPage('sef');
    const row = page.locator('#deliveries-body tr', { hasText: ticket.number });
    await row.locator('td', { hasText: 'webhook answered 500' }).waitFor();
    expect(await row.textContent()).toContain(`${FEN} · Webhook`);
    expect(await row.textContent()).toContain('Yeni başvuru');
    status = 200;
    await row.locator('button', { hasText: 'Yeniden gönder' }).click();
    await page.locator('#deliveries-none').waitFor();
    await expect.poll(() => received.filter((call) => call.startsWith('200 ')).length, { timeout: 20_000 }).toBe(1);
    expect(await page.locator('#api-keys').isHidden()).toBe(true);
    expect(failures).toEqual([]);
  });

  it("lets an admin make a department's back-office key", { timeout: 60_000 }, async () => {
    await openSupervisorPage('yonetici');
    await page.fill('#api-key-form input[name=name]', 'Fen EBYS');
    await page.fill('#api-key-form input[name=department]', FEN);
    await page.click('#api-key-form button[type=submit]');
    const secret = page.locator('#api-key-secret');
    await secret.waitFor();
    const key = (await secret.textContent())!;
    expect(key).toMatch(/^czm_/);
    await page.click('#api-key-dialog [data-close]');
    await page.locator('#api-keys-body tr', { hasText: `Fen EBYS · ${FEN}` }).waitFor();
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { department: FEN } });
    const read = await fetch(`${cozum.url}/api/backoffice/v1/tickets/${ticket.number}`, { headers: { Authorization: `Bearer ${key}` } });
    expect(read.status).toBe(200);
    expect(failures).toEqual([]);
  });
});
