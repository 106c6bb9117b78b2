// What an operator's tools see: the health probes, the proxy setting, and a SIGTERM that lets the
// process finish what it accepted (and refuse, not lose, what comes in meanwhile).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectEachAnsweredOnce, killAll, startChild } from '../support/child.ts';
import { SHARED_NLU_CACHE, startTestCozum, tempDir, useTestCozum } from '../support/cozum.ts';
import { ONE_ANSWER_QUESTIONS } from '../support/questions.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';

const temp = tempDir('cozum-operations-');
afterAll(() => {
  killAll();
  temp.remove();
});

interface Readiness {
  ready: boolean;
  status: string;
  components: Record<string, { ready: boolean; detail?: string }>;
}

async function readyz(base: string): Promise<{ status: number; body: Readiness; cacheControl: string | null }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness, cacheControl: response.headers.get('cache-control') };
}

describe('health probes', () => {
  const cozum = useTestCozum({ http: true });

  it('/healthz says the process is alive; /readyz names the database, the migrations and each channel', async () => {
    const alive = await fetch(`${cozum.url}/healthz`);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'alive' });

    const ready = await readyz(cozum.url!);
    expect(ready.status).toBe(200);
    expect(ready.cacheControl).toBe('no-store');
    expect(ready.body).toMatchObject({ ready: true, status: 'ready' });
    expect(ready.body.components).toMatchObject({ database: { ready: true }, migrations: { ready: true }, 'channel:webchat': { ready: true } });
  });

  it('/readyz answers 503 and names the migration when one is not applied', async () => {
    const [last] = await cozum.db.$queryRaw<{ migration_name: string }[]>`SELECT "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`;
    await cozum.db.$executeRaw`UPDATE "_prisma_migrations" SET "rolled_back_at" = CURRENT_TIMESTAMP WHERE "migration_name" = ${last!.migration_name}`;
    try {
      const report = await readyz(cozum.url!);
      expect(report.status).toBe(503);
      expect(report.body.components.migrations).toEqual({ ready: false, detail: `not applied: ${last!.migration_name}` });
    } finally {
      await cozum.db.$executeRaw`UPDATE "_prisma_migrations" SET "rolled_back_at" = NULL WHERE "migration_name" = ${last!.migration_name}`;
    }
    expect((await readyz(cozum.url!)).status).toBe(200);
  });

  it('while draining: /readyz 503, new messages refused with 503 and Retry-After (nothing stored), /healthz still 200', async () => {
    const session = (await (await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string };
    cozum.readiness.drain();
    const report = await readyz(cozum.url!);
    expect(report.status).toBe(503);
    expect(report.body.status).toBe('draining');

    const refused = await fetch(`${cozum.url}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-chat-session': session.token },
      body: JSON.stringify({ id: 'while-draining', text: 'merhaba' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: string }).error).toBe('The server is restarting. Please try again shortly.');
    expect(await cozum.db.message.count({ where: { platformMessageId: { contains: 'while-draining' } } })).toBe(0);
    expect((await fetch(`${cozum.url}/healthz`)).status).toBe(200);
  });
});

describe('trust proxy, a setting', () => {
  it('believes X-Forwarded-Proto only from the proxies it names: the console cookie is Secure behind https', async () => {
    const secureCookie = async (trustProxy: string) => {
      const dir = path.join(temp.dir, `proxy-${trustProxy.replace(/\W/g, '')}`);
      const cozum = await startTestCozum(dir, { http: true, overrides: { trustProxy } });
      try {
        await createAgent(cozum.db, 'ayse', 'Ayşe Yılmaz', 'agent', 'fen');
        const reply = await ConsoleClient.for(cozum).login('ayse', undefined, { 'X-Forwarded-Proto': 'https' });
        expect(reply.status).toBe(303);
        return reply.headers.getSetCookie().some((cookie) => cookie.startsWith('cozum_console=') && cookie.includes('; Secure'));
      } finally {
        await cozum.close();
      }
    };
    expect(await secureCookie('loopback')).toBe(true);
    // A proxy elsewhere is named; this test's requests come from loopback, which is then not believed.
    expect(await secureCookie('10.0.0.0/8')).toBe(false);
    expect(await secureCookie('false')).toBe(false);
  }, 60_000);
});

describe('SIGTERM during a burst', () => {
  it('answers everything it accepted, refuses the rest with 503 or a closed port, exits 0; after a restart the rest is answered', async () => {
    const dataDir = path.join(temp.dir, 'sigterm');
    const configFile = path.join(temp.dir, 'sigterm.config.yaml');
    writeFileSync(configFile, JSON.stringify({ nlu: { cacheDir: SHARED_NLU_CACHE }, limits: { floodMessages: 100_000, http: { chatSessions: 0, chatMessages: 0, chatMessagesPerSession: 0, chatReads: 0 } } }));
    const CHATS = 8;
    const PER_CHAT = 6;
    const question = (chat: number, index: number) => ONE_ANSWER_QUESTIONS[(chat + index) % ONE_ANSWER_QUESTIONS.length]!;

    let child = await startChild({ dataDir, configFile });
    const tokens: string[] = [];
    for (let chat = 0; chat < CHATS; chat++) tokens.push(((await (await fetch(`${child.url}/api/chat/session`, { method: 'POST' })).json()) as { token: string }).token);
    const send = (url: string, chat: number, index: number) =>
      fetch(`${url}/api/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-chat-session': tokens[chat]! },
        body: JSON.stringify({ id: `t${chat}-${index}`, text: question(chat, index)[0] }),
      });

    let answered = 0;
    let exitCode: number | null = null;
    const exited = new Promise<void>((resolve) => child.process.once('exit', (code) => ((exitCode = code), resolve())));
    const outcomes = { answered: 0, refused: 0, closed: 0 };
    const next = Array.from({ length: CHATS }, () => 0);
    let terminating: Promise<void> | undefined;
    await Promise.all(
      next.map(async (_, chat) => {
        while (next[chat]! < PER_CHAT) {
          const index = next[chat]!;
          const response = await send(child.url, chat, index).catch(() => undefined);
          if (!response) {
            outcomes.closed++;
            break;
          }
          if (response.status === 503) {
            expect(response.headers.get('retry-after')).toBe('5');
            outcomes.refused++;
            break;
          }
          // Accepted means answered: the reply is in the response, not cut off by the shutdown.
          expect(response.status).toBe(200);
          const { replies } = (await response.json()) as { replies: { text: string }[] };
          expect(replies.map((reply) => reply.text).join('\n')).toContain(question(chat, index)[1]);
          outcomes.answered++;
          next[chat]!++;
          if (++answered === (CHATS * PER_CHAT) / 3) terminating = child.stop('SIGTERM');
        }
      }),
    );
    await terminating;
    await exited;
    expect(exitCode).toBe(0);
    expect(outcomes.answered).toBeLessThan(CHATS * PER_CHAT);

    // Everything accepted was answered before the process exited; the rest is sent again.
    child = await startChild({ dataDir, configFile });
    try {
      await Promise.all(
        next.map(async (_, chat) => {
          for (; next[chat]! < PER_CHAT; next[chat]!++) {
            const response = await send(child.url, chat, next[chat]!);
            expect(response.status).toBe(200);
            const { duplicate, replies } = (await response.json()) as { duplicate: boolean; replies: { text: string }[] };
            // Only a message cut off with its connection can have been stored already (then recovery answered it).
            if (!duplicate) expect(replies.map((reply) => reply.text).join('\n')).toContain(question(chat, next[chat]!)[1]);
          }
        }),
      );
    } finally {
      await child.stop('SIGTERM');
    }
    await expectEachAnsweredOnce(dataDir, CHATS * PER_CHAT);
    console.info(`SIGTERM mid-burst: answered before exit ${outcomes.answered}, refused with 503 ${outcomes.refused}, refused at the closed port ${outcomes.closed}; all ${CHATS * PER_CHAT} answered once after the restart`);
  }, 180_000);
});
