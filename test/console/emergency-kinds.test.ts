// The console lists what the assistant treats as an emergency (issue 15): every kind of
// bot/emergencies.yaml with its number, its department and the phrases it is recognised by in
// Turkish, Arabic and English, on the supervisor's page; agents do not see the list.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { loadEmergencyLanguages } from '../../src/content/emergencies.ts';
import { browserAvailability, CHROMIUM, launchBrowser, logInToConsole } from '../support/browser.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient, createAgent, PASSWORD } from './support.ts';

interface Kind {
  id: string;
  title: string;
  number: string;
  department: string;
  phrases: { language: string; languageName: string; phrases: string[] }[];
}

const temp = tempDir('cozum-emergency-kinds-');
let cozum: Cozum;
beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, { http: true });
  await createAgent(cozum.db, 'selin', 'Selin Kaya', 'supervisor', null);
  await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
});
afterAll(async () => {
  await cozum?.close();
  temp.remove();
});

describe("the console's emergency kinds", () => {
  it('lists every kind with its phrases in Turkish, Arabic and English, for supervisors only', async () => {
    const supervisor = ConsoleClient.for(cozum);
    await supervisor.login('selin', PASSWORD);
    const reply = await supervisor.get('/console/api/emergency-kinds');
    expect(reply.status).toBe(200);
    const { kinds } = reply.json as { kinds: Kind[] };
    // The files as shipped: every Turkish kind, in its order, each read in the three languages.
    const content = loadEmergencyLanguages(path.resolve(cozum.config.contentDir), cozum.config.municipality);
    expect(kinds.map((kind) => kind.id)).toEqual(content.tr.kinds.map((kind) => kind.id));
    for (const kind of kinds) {
      expect(kind.phrases.map((own) => own.languageName), kind.id).toEqual(['Türkçe', 'Arapça', 'İngilizce']);
      for (const own of kind.phrases) expect(own.phrases.length, `${kind.id} ${own.language}`).toBeGreaterThan(0);
    }
    const gas = kinds.find((kind) => kind.id === 'gas')!;
    expect(gas).toMatchObject({ number: '187' });
    expect(gas.phrases.find((own) => own.language === 'en')!.phrases.join(' ')).toContain('gas smell');
    expect(gas.phrases.find((own) => own.language === 'ar')!.phrases.join(' ')).toContain('غاز');

    const agent = ConsoleClient.for(cozum);
    await agent.login('ayse', PASSWORD);
    expect((await agent.get('/console/api/emergency-kinds')).status).toBe(403);
  });

  const { available, inCi } = browserAvailability("console emergency kinds' browser test");
  describe.skipIf(!available && !inCi)('on the supervisor page, in Chromium', () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing.`);
      ({ context, page } = await launchBrowser(path.join(temp.dir, 'profile')));
    });
    afterAll(async () => {
      await context?.close();
    });

    it('shows each kind with its Arabic phrases right to left', { timeout: 60_000 }, async () => {
      await logInToConsole(page, cozum.url!, 'selin', PASSWORD, '/console/supervisor');
      const gas = page.locator('#emergency-body tr[data-kind="gas"]');
      await gas.waitFor();
      expect(await gas.locator('dt').allTextContents()).toEqual(['Türkçe', 'Arapça', 'İngilizce']);
      const arabic = gas.locator('dd[lang="ar"]');
      expect(await arabic.textContent()).toContain('غاز');
      expect(await arabic.evaluate((node) => getComputedStyle(node).direction)).toBe('rtl');
      expect(await gas.locator('dd[lang="en"]').textContent()).toContain('gas smell');
    });
  });
});
