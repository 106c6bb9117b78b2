// A real browser for tests: Debian's chromium driven by playwright-core. Tests using it are skipped,
// with a message, only when /usr/bin/chromium is missing outside CI; under CI=true they fail.
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser is here; warns (once per caller) when a test will be skipped without it. */
export function browserAvailability(what: string): { available: boolean; inCi: boolean } {
  const inCi = ['true', '1'].includes(String(process.env.CI).toLowerCase());
  const available = existsSync(CHROMIUM);
  if (!available && !inCi) console.warn(`${what} skipped: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI=true this fails instead.`);
  return { available, inCi };
}

/** A headless chromium with its own profile folder, in Turkish and Istanbul time, and its first page. */
export async function launchBrowser(profileDir: string): Promise<{ context: BrowserContext; page: Page }> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1440, height: 900 },
    locale: 'tr-TR',
    timezoneId: 'Europe/Istanbul',
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
