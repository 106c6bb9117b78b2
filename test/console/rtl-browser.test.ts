// An Arabic conversation at the console, in a real browser (issue 15): the queue row says the
// citizen writes Arabic and, for an agent who speaks it, comes before an older Turkish case; in
// the conversation the citizen's Arabic messages and the bot's Arabic replies read right to left,
// a Turkish note of the agent left to right, and the reply box turns right to left when the agent
// types Arabic.
import { describe, expect, it } from 'vitest';
import { browserAvailability, logInToConsole, useCozumInBrowser } from '../support/browser.ts';
import { Citizen } from '../support/cozum.ts';
import { createAgent, PASSWORD } from './support.ts';

const { available, inCi } = browserAvailability('console right-to-left browser test');

describe.skipIf(!available && !inCi)('an Arabic conversation at the console', () => {
  const { cozum, page } = useCozumInBrowser({
    tempPrefix: 'cozum-rtl-',
    prepare: async (cozum) => {
      const omar = await createAgent(cozum.db, 'omar', 'Omar Yıldız', 'agent', 'Çözüm Merkezi');
      await cozum.db.agent.update({ where: { id: omar.id }, data: { languages: 'tr,ar' } });
    },
  });

  it('shows the language on the queue row and renders the Arabic messages right to left', { timeout: 120_000 }, async () => {
    await new Citizen(cozum).say('temsilciyle görüşmek istiyorum');
    const ahmad = new Citizen(cozum);
    await ahmad.say('بدي احكي مع موظف');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: ahmad.userId } } });

    await logInToConsole(page, cozum.url!, 'omar', PASSWORD);
    await page.waitForSelector('#queue-body tr');
    await expect.poll(() => page.locator('#queue-body tr').count()).toBe(2);
    // The Arabic case first, though it came later, with its language on the row.
    expect(await page.locator('#queue-body tr').first().locator('.queue__language').textContent()).toBe('Arapça');
    expect(await page.locator('#queue-body tr').nth(1).locator('.queue__language').textContent()).toBe('Türkçe');
    expect(await page.locator('th', { hasText: 'Dil' }).count()).toBe(1);

    await page.locator('#queue-body tr').first().locator('a.queue__number').click();
    await page.waitForURL(new RegExp(`/console/conversations/${conversation.id}`));
    await page.waitForSelector('.msg--citizen .msg__text');
    expect(await page.locator('#language').textContent()).toBe('Arapça');
    const direction = (selector: string) => page.locator(selector).first().evaluate((node) => getComputedStyle(node).direction);
    expect(await page.locator('.msg--citizen .msg__text').first().textContent()).toContain('بدي احكي مع موظف');
    expect(await direction('.msg--citizen .msg__text')).toBe('rtl');
    expect(await direction('.msg--bot .msg__text')).toBe('rtl');

    // The reply box follows what is typed in it.
    await page.fill('#reply-text', 'Merhaba, size yardımcı olacağım.');
    expect(await direction('#reply-text')).toBe('ltr');
    await page.fill('#reply-text', 'مرحبا، سأساعدك.');
    expect(await direction('#reply-text')).toBe('rtl');
    await page.click('#reply-send');
    await expect.poll(() => page.locator('.msg--agent .msg__text').count()).toBe(1);
    expect(await direction('.msg--agent .msg__text')).toBe('rtl');
  });
});
