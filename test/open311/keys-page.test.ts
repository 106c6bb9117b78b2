// The supervisor page's Open311 keys in a real browser: an admin creates a key (shown once), the
// key files a request, the admin revokes it; a supervisor's page neither shows nor asks for keys.
import { describe, expect, it } from 'vitest';
import { browserAvailability } from '../support/browser.ts';
import { useSupervisorPageInBrowser } from '../console/support.ts';
import { Open311Client } from './support.ts';

const { available, inCi } = browserAvailability('Open311 keys page test');

describe.skipIf(!available && !inCi)('Open311 keys on the supervisor page', () => {
  const { cozum, page, failures, openSupervisorPage } = useSupervisorPageInBrowser('cozum-keys-page-');

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
