// Starts a real Çözüm (real SQLite file, real migrations, real NLU) in a temporary folder; on
// PostgreSQL (test/support/database.ts) its database is a fresh PostgreSQL database instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config, type Municipality } from '../../src/config.ts';
import type { Language } from '../../src/content/languages.ts';
import { municipalityValues, type MunicipalityValues } from '../../src/content/municipality.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { createLogger } from '../../src/log.ts';
import type { ChatAdapter } from '../../src/messaging/adapter.ts';
import type { ChannelDependencies } from '../../src/channels/channel.ts';
import { startCozum, type Cozum } from '../../src/main.ts';
import { renderChoicesAsText } from '../../src/messaging/message.ts';
import { MediaFetchers } from '../../src/messaging/media-fetch.ts';
import { testDatabaseUrl } from './database.ts';

/** Trained once and shared by the test files (training takes seconds; loading, milliseconds). */
export const SHARED_NLU_CACHE = path.resolve('node_modules/.cache/cozum-test-nlu');

export const ALWAYS_OPEN = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' };
export const NEVER_OPEN = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' };

export function tempDir(prefix = 'cozum-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(dataDir: string, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    env: {},
    file: null,
    overrides: {
      dataDir,
      'nlu.cacheDir': SHARED_NLU_CACHE,
      logLevel: 'silent',
      port: 0,
      // Agents "always at work", so that answers do not depend on when the tests run;
      // tests of the out-of-hours answer set their own hours.
      'handoff.workingHours': ALWAYS_OPEN,
      // Test citizens type at machine speed, all from 127.0.0.1; the flood-control and rate-limit tests set their own limits.
      'limits.floodMessages': 100_000,
      'limits.http': { chatSessions: 100_000, chatMessages: 100_000, chatMessagesPerSession: 100_000, chatReads: 100_000, login: 100_000, webhooks: 100_000 },
      // No clock-driven acknowledgements in the middle of a test: the handoff tests run the sweep
      // themselves, at a moment they choose.
      'handoff.acknowledgeEverySeconds': 0,
      // The report worker starts when a test asks for figures, not with every Çözüm a test starts.
      'console.reportsAtStart': false,
      // No internet in tests: a pin shows as coordinates and a link, never tiles from a map server.
      'console.mapTiles': '',
      ...overrides,
    },
  });
}

export async function startTestCozum(dataDir: string, options: { http?: boolean; overrides?: Record<string, unknown> } = {}): Promise<Cozum> {
  const databaseUrl = options.overrides?.databaseUrl ?? (await testDatabaseUrl(path.join(dataDir, 'cozum.db')));
  const config = testConfig(dataDir, { databaseUrl, ...options.overrides });
  return startCozum(config, { http: options.http, logger: createLogger('silent') });
}

/**
 * A real Çözüm for one test file: started before its tests, closed (and its folder removed) after.
 * The returned object stands for the running instance.
 */
export function useTestCozum(options: { http?: boolean; overrides?: Record<string, unknown> } = {}): Cozum {
  const temp = tempDir();
  let instance: Cozum | undefined;
  beforeAll(async () => {
    instance = await startTestCozum(temp.dir, options);
  });
  afterAll(async () => {
    await instance?.close();
    temp.remove();
  });
  return lateBound(() => instance, 'Çözüm');
}

/**
 * Stands for an object a `beforeAll` makes (or a test replaces), so that a test file can name it
 * at its top: every property read goes to what `current` returns at that moment.
 */
export function lateBound<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const instance = current();
      if (!instance) throw new Error(`${what} is not started yet: use it inside a test or a hook`);
      const value: unknown = Reflect.get(instance, key);
      return typeof value === 'function' ? value.bind(instance) : value;
    },
  });
}

/** A migrated database in a fresh folder for one test file, handed to `use` before its tests run. */
export function useTestDatabase(use: (db: Database) => void): void {
  const temp = tempDir();
  let db: Database | undefined;
  beforeAll(async () => {
    ({ db } = await openDatabase(await testDatabaseUrl(`${temp.dir}/test.db`)));
    use(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
    temp.remove();
  });
}

/** Dependencies for building a channel from configuration alone (tests of its settings). */
export function configOnlyDeps(dataDir: string, overrides: Record<string, unknown>): ChannelDependencies {
  return {
    config: testConfig(dataDir, overrides),
    adapter: { registerChannel: () => undefined, registerChannelFamily: () => undefined, mediaFetchers: new MediaFetchers() } as unknown as ChatAdapter,
    store: undefined as never,
    db: undefined as never,
    logger: createLogger('silent'),
  };
}

/** A citizen talking to the bot through the in-process channel, reading what they would see. */
export class Citizen {
  /**
   * Called with every reply a Citizen reads, when a test file installs it (content-words.ts,
   * checkRepliesComeFromContent): the check that a reply came from content or from the citizen.
   */
  static readReplies: ((cozum: Cozum, citizen: Citizen, text: string, replies: string[]) => void) | undefined;
  private counter = 0;
  /** Message ids are unique per Citizen object, as a platform's would be. */
  private readonly session = Math.random().toString(36).slice(2);
  constructor(
    private readonly cozum: Cozum,
    readonly userId = `vatandas-${Math.random().toString(36).slice(2)}`,
    readonly channel = 'test',
  ) {}

  /** Sends a message and returns the replies as the citizen would read them on a text-only screen. */
  async say(text: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    const result = await this.cozum.adapter.receive({ channel: this.channel, userId: this.userId, text, platformMessageId: `${this.session}-${++this.counter}`, ...extra });
    const replies = result.replies.map(renderChoicesAsText);
    Citizen.readReplies?.(this.cozum, this, text, replies);
    return replies;
  }

  /** The replies joined: for assertions that look at the whole answer. */
  async sayAll(text: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (await this.say(text, extra)).join('\n---\n');
  }
}

/** The municipality's settings as a language's content reads them ({{hours}} in words), from the shipped content. */
export function valuesOf(municipality: Municipality, language: Language = 'tr'): MunicipalityValues {
  return municipalityValues('.', municipality)[language];
}
