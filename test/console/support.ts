// Helpers for the console's tests: accounts, a client that keeps the session cookie and the CSRF
// token like a browser tab would, and the supervisor page in a real browser.
import path from 'node:path';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { hashPassword } from '../../src/console/password.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { logInToConsole, useCozumInBrowser } from '../support/browser.ts';

export const PASSWORD = 'dogru-sifre-2026';

export async function createAgent(
  db: Database,
  username: string,
  displayName: string,
  role: AgentActor['role'],
  department: string | null,
  password = PASSWORD,
): Promise<AgentActor> {
  const row = await db.agent.create({ data: { username, displayName, role, department, passwordHash: await hashPassword(password) } });
  return { id: row.id, username, displayName, role, department };
}

/** An account as a command or a server finds it in `dataDir` (SQLite's cozum.db there), read on a connection of its own. */
export async function agentInDataDir(dataDir: string, username: string) {
  const { db } = await openDatabase(`file:${path.join(dataDir, 'cozum.db')}`);
  try {
    return await db.agent.findUnique({ where: { username } });
  } finally {
    await db.$disconnect();
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export class ConsoleClient {
  token = '';
  csrf = '';

  /**
   * `address`: the client's address as a proxy on loopback reports it (X-Forwarded-For, which the
   * server trusts from loopback only), so that tests can speak from several machines.
   */
  constructor(
    readonly base: string,
    readonly address?: string,
  ) {}

  static for(cozum: Cozum, address?: string): ConsoleClient {
    return new ConsoleClient(cozum.url!, address);
  }

  async request(method: string, path: string, options: { body?: unknown; form?: Record<string, string>; csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { Accept: 'application/json', ...(this.address ? { 'X-Forwarded-For': this.address } : {}), ...options.headers };
    if (this.token) headers.Cookie = `cozum_console=${this.token}`;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    let body: string | undefined;
    if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // pages and CSV
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  get(path: string, options: { headers?: Record<string, string> } = {}) {
    return this.request('GET', path, options);
  }

  post(path: string, body: unknown = {}, options: { csrf?: string | null } = {}) {
    return this.request('POST', path, { body, ...options });
  }

  /** Logs in through the login form; keeps the cookie and reads the CSRF token from /me. */
  async login(username: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Reply> {
    const reply = await this.request('POST', '/console/login', { form: { username, password }, headers });
    const cookie = reply.headers.getSetCookie().find((c) => c.startsWith('cozum_console=') && c.includes('Path=/console'));
    if (reply.status === 303 && cookie) {
      this.token = cookie.slice('cozum_console='.length).split(';')[0]!;
      const me = await this.get('/console/api/me');
      this.csrf = String(me.json.csrfToken);
    }
    return reply;
  }

  static async loggedIn(cozum: Cozum, username: string, password = PASSWORD, address?: string): Promise<ConsoleClient> {
    const client = ConsoleClient.for(cozum, address);
    const reply = await client.login(username, password);
    if (reply.status !== 303) throw new Error(`login of ${username} failed: ${reply.status} ${reply.text.slice(0, 200)}`);
    return client;
  }
}

/**
 * For a describe block about the supervisor page: Çözüm (with `overrides`, read when it starts)
 * and a browser (useCozumInBrowser) with an admin, yonetici, and a supervisor, sef;
 * `openSupervisorPage` logs one of them in afresh and waits for the page to know who it is.
 */
export function useSupervisorPageInBrowser(tempPrefix: string, overrides?: () => Record<string, unknown>) {
  const opened = useCozumInBrowser({
    tempPrefix,
    overrides,
    prepare: async (cozum) => {
      await createAgent(cozum.db, 'yonetici', 'Sistem Yöneticisi', 'admin', null);
      await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    },
  });
  const { cozum, context, page } = opened;
  async function openSupervisorPage(username: string): Promise<void> {
    await context.clearCookies();
    await logInToConsole(page, cozum.url!, username, PASSWORD, '/console/supervisor');
    await page.locator('#me-name').waitFor();
  }
  return { ...opened, openSupervisorPage };
}
