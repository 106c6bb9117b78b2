// A real browser for tests: Debian's chromium driven by playwright-core. Tests using it are skipped,
// with a message, only when /usr/bin/chromium is missing outside CI; under CI=true they fail.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { lateBound, startTestCozum, tempDir } from './cozum.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and no background connections: this machine's closed network refuses them by the dozen. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A headless chromium for tests that open their own contexts (one per citizen, JavaScript off…). */
export async function launchHeadless(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * For a describe block whose tests open their own contexts: a headless chromium launched before
 * them and closed after. The returned object stands for it.
 */
export function useHeadlessBrowser(): Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchHeadless();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return lateBound(() => browser, 'The browser');
}

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
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    locale: 'tr-TR',
    timezoneId: 'Europe/Istanbul',
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/**
 * Logs `username` into the agent console on `page`, and waits until the console has sent it on to
 * `next` (the console's start page unless a test asks for another, through the login's `next`).
 */
export async function logInToConsole(page: Page, baseUrl: string, username: string, password: string, next = '/console'): Promise<void> {
  await page.goto(next === '/console' ? `${baseUrl}/console` : `${baseUrl}/console/login?next=${next}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${baseUrl}${next}`), page.click('button[type=submit]')]);
}

/**
 * For a describe block of console pages: a Çözüm over HTTP in a fresh folder, `prepare` run on it
 * (its accounts…), then a chromium page on a profile of its own; all closed after the block. The
 * returned objects stand for them; `failures` collects what went wrong in the page (script errors,
 * console errors, answers of 400 and over). The block is skipped where chromium is missing outside
 * CI (browserAvailability); under CI a missing chromium fails it here.
 */
export function useCozumInBrowser(
  options: { tempPrefix?: string; overrides?: () => Record<string, unknown>; prepare?: (cozum: Cozum) => Promise<unknown> } = {},
): { cozum: Cozum; context: BrowserContext; page: Page; failures: string[] } {
  const temp = tempDir(options.tempPrefix);
  let cozum: Cozum | undefined;
  let opened: { context: BrowserContext; page: Page } | undefined;
  const failures: string[] = [];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must install chromium (apt-get install -y --no-install-recommends chromium).`);
    cozum = await startTestCozum(temp.dir, { http: true, overrides: options.overrides?.() });
    await options.prepare?.(cozum);
    opened = await launchBrowser(path.join(temp.dir, 'profile'));
    const { page } = opened;
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && failures.push(message.text())));
    page.on('response', (response) => void (response.status() >= 400 && failures.push(`${response.status()} ${response.url()}`)));
  });
  afterAll(async () => {
    await opened?.context.close();
    await cozum?.close();
    temp.remove();
  });
  return { cozum: lateBound(() => cozum, 'Çözüm'), context: lateBound(() => opened?.context, 'The browser'), page: lateBound(() => opened?.page, 'The browser'), failures };
}
