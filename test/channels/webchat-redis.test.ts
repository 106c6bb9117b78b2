// Several instances share their web chat flood counters through Redis (REDIS_URL): a citizen whose
// messages are spread over two instances is refused after as many messages as one instance would
// allow, not twice as many. Redis lost while running: each instance counts on its own, nobody is
// refused for it, and the operator reads a warning; Redis unreachable at start-up: start-up stops
// with the setting's name. Each test run writes under a key prefix of its own.
//
// Without TEST_REDIS_URL this says "skipped: no Redis"; under CI=true that fails instead.
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createLogger } from '../../src/log.ts';
import { redisLimits } from '../../src/storage/rate-limits.ts';
import { openRedis } from '../../src/storage/redis.ts';
import { startCozum, type Cozum } from '../../src/main.ts';
import { tempDir, testConfig, startTestCozum } from '../support/cozum.ts';
import { postgresDatabase, testDatabaseUrl } from '../support/database.ts';
import { waitForEvent } from '../support/wait.ts';
import { serverFor } from '../support/servers.ts';

const server = serverFor('TEST_REDIS_URL', { server: 'Redis', example: 'redis://127.0.0.1:6379', tests: 'the shared flood counters tests' });

/** Four messages a minute per address; the other limits out of the way. */
const LIMITS = { chatSessions: 100, chatMessages: 4, chatMessagesPerSession: 100, chatReads: 1000, login: 100, webhooks: 100 };
const TOO_FAST = /^Çok hızlı mesaj gönderiyorsunuz\. Lütfen (\d+ saniye|1 dakika) bekleyin\.$/;

const temps: { remove(): void }[] = [];
const running: Cozum[] = [];
afterAll(async () => {
  for (const cozum of running) await cozum.close();
  for (const temp of temps) temp.remove();
});

async function instance(redisUrl: string, prefix: string, logger?: ReturnType<typeof createLogger>): Promise<Cozum> {
  const temp = tempDir('cozum-redis-');
  temps.push(temp);
  const overrides = { redisUrl, redisKeyPrefix: prefix, 'limits.http': LIMITS };
  const cozum = logger
    ? await startCozum(testConfig(temp.dir, { databaseUrl: await testDatabaseUrl(`${temp.dir}/cozum.db`), ...overrides }), { http: true, logger })
    : await startTestCozum(temp.dir, { http: true, overrides });
  running.push(cozum);
  return cozum;
}

/** A citizen of the web chat behind one address, with a session on the instance `base`. */
async function citizenOn(base: string, address: string) {
  const headers = { 'X-Forwarded-For': address, 'Content-Type': 'application/json' };
  const { token } = (await (await fetch(`${base}/api/chat/session`, { method: 'POST', headers })).json()) as { token: string };
  return async (text: string) => {
    const response = await fetch(`${base}/api/chat/messages`, { method: 'POST', headers: { ...headers, 'X-Chat-Session': token }, body: JSON.stringify({ text }) });
    return { status: response.status, body: (await response.json()) as { error?: string; replies?: unknown[] } };
  };
}

describe.skipIf(!server)('web chat flood counters in Redis', () => {
  it('two instances agree on an address: the fifth message is refused whichever instance it reaches', async () => {
    const prefix = `cozum-test:${randomUUID()}:`;
    const [a, b] = [await instance(server!, prefix), await instance(server!, prefix)];
    const address = '198.51.100.31';
    const [onA, onB] = [await citizenOn(a.url!, address), await citizenOn(b.url!, address)];
    // Two on each: each instance alone has counted two of its four.
    for (const send of [onA, onB, onA, onB]) expect((await send('merhaba')).status).toBe(200);
    for (const send of [onA, onB]) {
      const refused = await send('merhaba');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatch(TOO_FAST);
    }
    // Another address is not held back.
    expect((await (await citizenOn(b.url!, '198.51.100.32'))('merhaba')).status).toBe(200);
  }, 60_000);

  it('Redis lost while running: the limits count per instance, nobody is refused for it, and the operator is warned; then back', async () => {
    // A relay in front of the real Redis, closed mid-run as a network cut would.
    const target = new URL(server!);
    const sockets = new Set<Socket>();
    const relay: Server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        stream.emit('line');
        done();
      },
    });
    const port = (relay.address() as AddressInfo).port;
    const cozum = await instance(`redis://127.0.0.1:${port}`, `cozum-test:${randomUUID()}:`, createLogger('info', stream));
    const ready = async () => (await (await fetch(`${cozum.url}/readyz`)).json()) as { components: Record<string, { ready: boolean; detail?: string }> };
    expect((await ready()).components.redis).toEqual({ ready: true });

    relay.close();
    for (const socket of sockets) socket.destroy();
    await waitForEvent(stream, 'line', () => lines.find((line) => line.includes('Redis unreachable')), { what: 'the warning that Redis went', timeoutMs: 10_000, describe: () => lines.join('') });

    const send = await citizenOn(cozum.url!, '198.51.100.41');
    for (let i = 1; i <= 4; i++) {
      const answered = await send(`mesaj ${i}`);
      expect(answered.status).toBe(200);
      expect(answered.body.replies!.length).toBeGreaterThan(0);
    }
    // This instance's own count still holds the limit.
    expect((await send('mesaj 5')).body.error).toMatch(TOO_FAST);
    // Reported, but the instance stays ready: it takes work without Redis.
    const report = await fetch(`${cozum.url}/readyz`);
    expect(report.status).toBe(200);
    expect(((await report.json()) as Awaited<ReturnType<typeof ready>>).components.redis).toMatchObject({ ready: false, detail: expect.stringContaining('flood counters kept per instance') });

    // Back: the instance reconnects by itself and says so.
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    await waitForEvent(stream, 'line', () => lines.find((line) => line.includes('Redis reachable again')), { what: 'the notice that Redis is back', timeoutMs: 10_000, describe: () => lines.join('') });
    expect((await ready()).components.redis).toEqual({ ready: true });
    relay.close();
    for (const socket of sockets) socket.destroy();
  }, 60_000);

  it('Redis unreachable at start-up: start-up stops and names the setting', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const temp = tempDir('cozum-redis-');
    temps.push(temp);
    await expect(startTestCozum(temp.dir, { http: true, overrides: { redisUrl: `redis://127.0.0.1:${port}` } })).rejects.toThrow(
      new RegExp(`^REDIS_URL \\(redisUrl\\): Redis at redis://127\\.0\\.0\\.1:${port}.* did not answer: .*ECONNREFUSED`),
    );
  }, 60_000);

  it("an operator's forget lifts one address's count in Redis, and only that one", async () => {
    const redis = await openRedis(server!, { lost: () => undefined, back: () => undefined });
    try {
      const prefix = `cozum-test:${randomUUID()}:`;
      const limits = redisLimits(redis, { keyPrefix: prefix });
      const limiter = limits.limiter({ name: 'webchat:messages', points: 1, seconds: 60 });
      await limiter.consume('198.51.100.51');
      await limiter.consume('198.51.100.52');
      // Counted in Redis, not in this process's fallback.
      expect(await redis.keys(`${prefix}webchat:messages:*`)).toHaveLength(2);
      await expect(limiter.consume('198.51.100.51')).rejects.toBeInstanceOf(RateLimiterRes);
      await limits.forget('webchat:messages', '198.51.100.51');
      await limiter.consume('198.51.100.51');
      await expect(limiter.consume('198.51.100.52')).rejects.toBeInstanceOf(RateLimiterRes);
    } finally {
      await redis.quit();
    }
  });
});

describe.skipIf(!server || !process.env.TEST_DATABASE_URL)("a citizen's flood count in Redis, with two instances on one PostgreSQL database", () => {
  it('counts the messages of one chat spread over both instances once: the warning after three, then silence', async () => {
    const prefix = `cozum-test:${randomUUID()}:`;
    const databaseUrl = await postgresDatabase('flood_shared');
    const overrides = {
      databaseUrl,
      redisUrl: server,
      redisKeyPrefix: prefix,
      'limits.floodMessages': 3,
      'limits.floodSeconds': 60,
      'limits.floodPauseSeconds': 120,
      'limits.http': { ...LIMITS, chatMessages: 100 },
    };
    const start = async () => {
      const temp = tempDir('cozum-flood-');
      temps.push(temp);
      const cozum = await startTestCozum(temp.dir, { http: true, overrides });
      running.push(cozum);
      return cozum;
    };
    const [a, b] = [await start(), await start()];
    const headers = { 'Content-Type': 'application/json' };
    const { token } = (await (await fetch(`${a.url}/api/chat/session`, { method: 'POST', headers })).json()) as { token: string };
    // The chat's messages go to the instances in turn, as a proxy without sticky sessions sends them.
    const say = async (base: string, text: string) => {
      const response = await fetch(`${base}/api/chat/messages`, { method: 'POST', headers: { ...headers, 'X-Chat-Session': token }, body: JSON.stringify({ text }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { replies: { text: string }[] }).replies.map((reply) => reply.text).join('\n');
    };
    for (const [base, text] of [[a.url!, 'su kesintisi var mı'], [b.url!, 'yakın kart nedir'], [a.url!, 'nikah işlemleri']] as const) {
      expect(await say(base, text)).not.toContain('Kısa sürede çok sayıda mesaj aldım');
    }
    // Each instance alone has seen one or two: only a count they share warns now.
    expect(await say(b.url!, 'vergi borcu')).toBe('Kısa sürede çok sayıda mesaj aldım; lütfen 2 dakika bekleyip tekrar yazın.');
    expect(await say(a.url!, 'vergi borcu')).toBe('');
    expect(await say(b.url!, 'vergi borcu')).toBe('');
  }, 90_000);
});
