// The agent's side of "verilerimi sil", in a real browser: an agent has the conversation open and
// holds it; the citizen asks for erasure and confirms. Without reloading, the agent's page shows
// the question, then that the citizen asked for their data to be erased, the transcript erased, and
// no way left to write to them.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { browserAvailability, CHROMIUM, launchBrowser, logInToConsole } from '../support/browser.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { createAgent, PASSWORD } from '../console/support.ts';

const { available, inCi } = browserAvailability('erasure console test');

describe.skipIf(!available && !inCi)('an erasure seen from the agent console', () => {
  const temp = tempDir('cozum-erasure-browser-');
  let cozum: Cozum;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install chromium.`);
    cozum = await startTestCozum(temp.dir, { http: true });
    await createAgent(cozum.db, 'selin', 'Selin Kaya', 'agent', 'Çözüm Merkezi');
    ({ context, page } = await launchBrowser(path.join(temp.dir, 'profile')));
  });
  afterAll(async () => {
    await context?.close();
    await cozum?.close();
    temp.remove();
  });

  it('shows the question, then why the conversation ended, live, and takes away the reply box', { timeout: 120_000 }, async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    await citizen.say('Ayten Şen ben, 0532 123 45 67 numaralı hattım için görüşmek istiyorum');
    await citizen.say('temsilci');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });

    await logInToConsole(page, cozum.url!, 'selin', PASSWORD);
    await page.goto(`${cozum.url}/console/conversations/${conversation.id}`);
    await page.waitForSelector('#live[data-state="open"]');
    await page.click('#claim');
    await page.locator('#mode', { hasText: 'Görevlide' }).waitFor();
    await page.locator('#transcript', { hasText: '0532 123 45 67 numaralı hattım' }).waitFor();

    expect(await citizen.sayAll('verilerimi sil')).toContain('kalıcı olarak silinecek');
    await page.locator('#transcript', { hasText: 'kalıcı olarak silinecek' }).waitFor();
    expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi');

    const notice = page.locator('#erased');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain('Vatandaş kişisel verilerinin silinmesini istedi');
    await page.locator('#mode', { hasText: 'Veriler silindi' }).waitFor();
    await page.locator('#ticket-history', { hasText: 'Vatandaş kişisel verilerinin silinmesini istedi (KVKK)' }).waitFor();
    expect(await page.locator('#reply-form').isHidden()).toBe(true);
    expect(await page.locator('#claim').isHidden()).toBe(true);
    const transcript = (await page.locator('#transcript').textContent()) ?? '';
    expect(transcript).toContain('[silindi]');
    expect(transcript).not.toContain('0532');
    expect(transcript).not.toContain('Ayten');
    expect(await page.locator('#citizen-name').textContent()).toBe('Anonimleştirilmiş vatandaş');
  });
});
