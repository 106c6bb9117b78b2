// The Bot Framework channel as a citizen on a municipality's web site meets it: Microsoft's own Web
// Chat (botframework-webchat 4.18, its UMD bundle) in Chromium, talking through a local Direct Line
// relay to Çözüm's /api/messages. What is checked is what the citizen sees: line breaks kept, bold
// as bold, a long menu as a list rather than a sideways carousel, yes/no as buttons, and an agent's
// answer shown as soon as the relay has it (no reply pointing at an activity the client never saw).
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailability, launchBrowser } from '../support/browser.ts';
import { tempDir, useTestCozum } from '../support/cozum.ts';
import { DirectLineStandIn } from '../support/direct-line.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';

const { available, inCi } = browserAvailability('Microsoft Web Chat test');

describe.runIf(available || inCi)('Microsoft Web Chat through Direct Line, in Chromium', () => {
  const cozum = useTestCozum({ http: true, overrides: { 'channels.botFramework.emulator': true } });
  const profile = tempDir('cozum-mswebchat-');
  let relay: DirectLineStandIn;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    relay = await new DirectLineStandIn(() => `${cozum.url}/api/messages`).start();
    ({ context, page } = await launchBrowser(profile.dir));
    await page.setViewportSize({ width: 560, height: 900 });
    await page.goto(relay.url);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await relay?.close();
    profile.remove();
  });

  const bubbles = () => page.locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content');

  async function say(text: string): Promise<void> {
    const before = await bubbles().count();
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.fill(text);
    await input.press('Enter');
    await expect.poll(() => bubbles().count(), { timeout: 20_000 }).toBeGreaterThan(before);
  }

  const last = () => bubbles().last();

  it('keeps the lines of an answer and shows *bold* as bold, never as italics or stars', async () => {
    await say('yardım');
    const answer = last();
    await expect.poll(() => answer.innerText()).toContain('Her an kullanabileceğiniz komutlar');
    const text = await answer.innerText();
    // Each command on its own line, as written in bot/texts.yaml.
    expect(text).toMatch(/\n• menü: konu listesi\n• iptal: yarım kalan işlemi bırakır\n/);
    expect(await answer.locator('strong').allInnerTexts()).toEqual(expect.arrayContaining(['menü', 'iptal', 'başa dön', 'temsilci']));
    expect(await answer.locator('em').count()).toBe(0);
    expect(text).not.toContain('*');
    const activity = relay.fromBot().at(-1)!;
    expect(activity.textFormat).toBe('markdown');
  });

  it('shows the twelve-item menu as a numbered list, not as a carousel of buttons', async () => {
    await say('menü');
    const text = await last().innerText();
    const items = text.split('\n').filter((line) => /^\d+\.\s/.test(line.trim()));
    expect(items.length).toBeGreaterThanOrEqual(10);
    expect(await page.locator('.webchat__suggested-action').count()).toBe(0);
  });

  it('offers yes and no as buttons for a yes/no question, and the button answers it', async () => {
    await say('verilerimi sil');
    const buttons = page.locator('.webchat__suggested-action');
    await expect.poll(() => buttons.allInnerTexts()).toEqual(['Evet', 'Hayır']);
    const before = await bubbles().count();
    await buttons.filter({ hasText: 'Hayır' }).click();
    await expect.poll(() => bubbles().count(), { timeout: 20_000 }).toBeGreaterThan(before);
    expect(await last().innerText()).toContain('Verileriniz silinmedi');
  });

  it("shows an agent's two-line answer as two lines, as soon as the relay has it", async () => {
    await say('temsilci');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: 'botframework:directline' } }, orderBy: { createdAt: 'desc' } });
    await createAgent(cozum.db, 'ayse', 'Ayşe Yılmaz', 'admin', null);
    const agent = await ConsoleClient.loggedIn(cozum, 'ayse');
    expect((await agent.post(`/console/api/conversations/${conversation.id}/claim`)).status).toBe(200);
    await expect.poll(() => last().innerText(), { timeout: 20_000 }).toContain('Ayşe Yılmaz görüşmeyi devraldı');
    const fromBotBefore = relay.fromBot().length;

    expect((await agent.post(`/console/api/conversations/${conversation.id}/reply`, { text: 'Merhaba,\nekibimiz yarın sabah gelecek.' })).status).toBe(200);
    await expect.poll(() => relay.fromBot().slice(fromBotBefore).find((a) => a.text?.includes('ekibimiz')), { timeout: 20_000 }).toBeDefined();
    const relayed = Date.now();
    const shown = bubbles().filter({ hasText: 'ekibimiz yarın sabah gelecek' });
    await expect.poll(() => shown.count(), { timeout: 20_000 }).toBe(1);
    const shownAfterMs = Date.now() - relayed;
    // Web Chat holds a reply back (up to 5 s) until it has seen the activity it replies to.
    const reply = relay.fromBot().slice(fromBotBefore).find((a) => a.text?.includes('ekibimiz'))!;
    if (reply.replyToId) expect(new Set(relay.all().map((a) => a.id)).has(reply.replyToId)).toBe(true);
    expect((await shown.innerText()).split('\n').map((line) => line.trim())).toEqual(['Merhaba,', 'ekibimiz yarın sabah gelecek.']);
    console.info(`Microsoft Web Chat: agent reply shown ${shownAfterMs} ms after the relay received it (polling every 200 ms)`);
  }, 60_000);
});
