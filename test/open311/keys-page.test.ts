// The supervisor page's Open311 keys in a real browser: an admin creates a key (shown once), the
// key files a request, the admin revokes it; a supervisor's page neither shows nor asks for keys.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { browserAvailability, CHROMIUM, launchBrowser, logInToConsole } from '../support/browser.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { createAgent, PASSWORD } from '../console/support.ts';
import { Open311Client } from './support.ts';

const { available, inCi } = browserAvailability('Open311 keys page test');

describe.skipIf(!available && !inCi)('Open311 keys on the supervisor page', () => {
  const temp = tempDir('cozum-keys-page-');
  let cozum: Cozum;
  let context: BrowserContext;
  let page: Page;
  const failures: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install chromium.`);
    cozum = await startTestCozum(temp.dir, { http: true });
    await createAgent(cozum.db, 'yonetici', 'Sistem Yöneticisi', 'admin', null);
    await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    ({ context, page } = await launchBrowser(path.join(temp.dir, 'profile')));
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && failures.push(message.text())));
    page.on('response', (response) => void (response.status() >= 400 && failures.push(`${response.status()} ${response.url()}`)));
  });
  afterAll(async () => {
    await context?.close();
    await cozum?.close();
    temp.remove();
  });

  async function openSupervisorPage(username: string) {
    await context.clearCookies();
    await logInToConsole(page, cozum.url!, username, PASSWORD, '/console/supervisor');
    await page.locator('#me-name').waitFor();
  }

  it('lets an admin create a key, shown once, that files requests, and revoke it', { timeout: 90_000 }, async () => {
    await openSupervisorPage('yonetici');
    await page.fill('#api-key-form input[name=name]', 'Belediye web sitesi');
    await page.click('#api-key-form button[type=submit]');
    const secret = page.locator('#api-key-secret');
    await secret.waitFor();
    const key = (await secret.textContent())!;
    expect(key).toMatch(/^czm_[A-Za-z0-9_-]{43}$/);
    await page.click('#api-key-dialog [data-close]');
    const row = page.locator('#api-keys-body tr', { hasText: 'Belediye web sitesi' });
    await row.locator('td', { hasText: 'Etkin' }).waitFor();
    expect(await page.locator('#api-keys').textContent()).not.toContain(key.slice(8));

    const api = new Open311Client(cozum.url!);
    const fields = { api_key: key, service_code: 'noise', address_string: 'Erzene Mahallesi, 120/2 Sokak', description: 'Gece yarısı yüksek sesle müzik çalınıyor.' };
    expect((await api.post('/open311/v2/requests.json', fields)).status).toBe(201);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button', { hasText: 'İptal et' }).click();
    await row.locator('td', { hasText: 'İptal edildi' }).waitFor();
    expect((await api.post('/open311/v2/requests.json', fields)).status).toBe(403);
    expect(failures).toEqual([]);
  });

  it('shows a supervisor no keys, and asks for none', { timeout: 60_000 }, async () => {
    await openSupervisorPage('sef');
    await page.locator('#accounts').waitFor();
    expect(await page.locator('#api-keys').isHidden()).toBe(true);
    expect(failures).toEqual([]);
  });
});
