// The outbox: stored replies delivered in order per chat, retried with backoff, honouring the
// platform's retry_after, marked failed (never dropped) when it cannot be helped, and picked up again
// after a restart.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError } from '../../src/messaging/delivery.ts';
import { failedDeliveries } from '../../src/messaging/outbox.ts';
import { tempDir } from '../support/cozum.ts';
import { FAST, FakePlatform, startStack, type Stack } from './support.ts';

const temp = tempDir('cozum-outbox-');
const stacks: Stack[] = [];
let files = 0;

async function stack(options: Parameters<typeof startStack>[1] = { outbox: FAST }, platform?: FakePlatform, file = path.join(temp.dir, `outbox-${++files}.db`)) {
  const started = await startStack(file, options, platform);
  stacks.push(started);
  return started;
}

afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close().catch(() => undefined);
});

async function outRows(s: Stack, chat: string) {
  return s.db.message.findMany({
    where: { direction: 'out', conversation: { contact: { platformUserId: chat } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
}

const serverError = () => new DeliveryError('502 Bad Gateway');

/** Waits for a condition (generously: the machine may be busy), never for a fixed time. */
function until<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 15_000, interval: 10 });
}

describe('outbox', () => {
  it('stores each reply first, naming the message it answers, then delivers it', async () => {
    const s = await stack();
    const result = await s.say('ali', 'merhaba');
    expect(result.replies).toEqual([{ text: 'yanıt: merhaba', choices: [] }]);
    expect(s.platform.delivered('ali')).toEqual(['yanıt: merhaba']);
    const inbound = await s.db.message.findFirstOrThrow({ where: { direction: 'in', text: 'merhaba' } });
    expect(inbound.status).toBe('processed');
    const [reply] = await outRows(s, 'ali');
    expect(reply).toMatchObject({ replyToId: inbound.id, status: 'sent', attempts: 1, lastError: null });
  });

  it('never marks failed a reply that was delivered meanwhile (another instance took it over during a long pause here)', async () => {
    const s = await stack();
    await s.say('zeki', 'merhaba');
    const [reply] = await outRows(s, 'zeki');
    expect(reply!.status).toBe('sent');
    await s.store.markFailed(reply!.id, 12, 'late failure of a paused instance');
    expect((await outRows(s, 'zeki')).map((row) => [row.status, row.lastError])).toEqual([['sent', null]]);
  });

  it('retries 5xx failures with backoff and delivers a chat’s replies in order, never the second before the first', async () => {
    const platform = new FakePlatform();
    // The first reply fails twice, the second once: the second must still wait for the first.
    platform.script = ({ text, number }) => {
      if (text === 'birinci: iki: a' && number <= 2) throw serverError();
      if (text === 'ikinci: iki: a' && number <= 1) throw serverError();
      if (text === 'yanıt: b' && number <= 1) throw new Error('ECONNRESET');
    };
    const s = await stack({ outbox: FAST }, platform);
    await Promise.all([s.say('ayse', 'iki: a'), s.say('ayse', 'b'), s.say('ayse', 'c')]);
    await until(() => expect(platform.delivered('ayse')).toHaveLength(4));
    expect(platform.delivered('ayse')).toEqual(['birinci: iki: a', 'ikinci: iki: a', 'yanıt: b', 'yanıt: c']);
    // No attempt at a later reply before the earlier one was delivered.
    const firstDelivered = platform.attempts.find((a) => a.text === 'birinci: iki: a' && a.ok)!;
    expect(platform.attempts.indexOf(platform.attempts.find((a) => a.text === 'ikinci: iki: a')!)).toBeGreaterThan(platform.attempts.indexOf(firstDelivered));
    expect(platform.attemptsOf('birinci: iki: a')).toHaveLength(3);
    await until(async () => expect((await outRows(s, 'ayse')).map((r) => [r.text, r.status, r.attempts])).toEqual([
      ['birinci: iki: a', 'sent', 3],
      ['ikinci: iki: a', 'sent', 2],
      ['yanıt: b', 'sent', 2],
      ['yanıt: c', 'sent', 1],
    ]));
  });

  it('waits at least as long as the platform asked (Telegram 429 retry_after)', async () => {
    const platform = new FakePlatform();
    platform.script = ({ number }) => {
      if (number === 1) throw new DeliveryError('429 Too Many Requests: retry after 0.3', { retryAfterMs: 300 });
    };
    const s = await stack({ outbox: FAST }, platform);
    await s.say('mehmet', 'selam');
    // The first attempt failed; the retry is planned, not yet made: the backoff alone would be 5 ms.
    const [pending] = await outRows(s, 'mehmet');
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('429') });
    const [first] = platform.attemptsOf('yanıt: selam');
    expect(pending!.nextAttemptAt!.getTime() - first!.at).toBeGreaterThanOrEqual(300);
    await until(() => expect(platform.delivered('mehmet')).toEqual(['yanıt: selam']));
    const [, second] = platform.attemptsOf('yanıt: selam');
    // Timers may fire a millisecond early; the platform asked for 300.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(295);
  });

  it('marks a permanently refused reply failed with its error at once, and goes on with the chat', async () => {
    const platform = new FakePlatform();
    platform.script = ({ text }) => {
      if (text === 'yanıt: engelli') throw new DeliveryError('403 Forbidden: bot was blocked by the user', { permanent: true });
    };
    const s = await stack({ outbox: FAST }, platform);
    await s.say('zeynep', 'engelli');
    await s.say('zeynep', 'sonraki');
    await until(() => expect(platform.delivered('zeynep')).toEqual(['yanıt: sonraki']));
    expect(platform.attemptsOf('yanıt: engelli')).toHaveLength(1);
    const [failed] = await outRows(s, 'zeynep');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('blocked by the user') });
    // The console's list of undelivered messages shows it.
    const listed = await failedDeliveries(s.db);
    expect(listed).toEqual([expect.objectContaining({ id: failed!.id, channel: 'fake', text: 'yanıt: engelli', attempts: 1, lastError: expect.stringContaining('403') })]);
  });

  it('gives up after maxAttempts, marks the reply failed with the last error, and can be tried again', async () => {
    const platform = new FakePlatform();
    let down = true;
    platform.script = ({ number }) => {
      if (down) throw new DeliveryError(`503 Service Unavailable (deneme ${number})`);
    };
    const s = await stack({ outbox: { ...FAST, maxAttempts: 3 } }, platform);
    await s.say('can', 'kesinti');
    await until(async () => expect((await outRows(s, 'can'))[0]).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('deneme 3') }));
    expect(platform.attemptsOf('yanıt: kesinti')).toHaveLength(3);
    down = false;
    const [row] = await outRows(s, 'can');
    expect(await s.adapter.outbox.retry(row!.id)).toBe(true);
    await until(() => expect(platform.delivered('can')).toEqual(['yanıt: kesinti']));
    await until(async () => expect((await outRows(s, 'can'))[0]).toMatchObject({ status: 'sent', lastError: null }));
    expect(await failedDeliveries(s.db)).toEqual([]);
  });

  it('keeps delivering to other chats while one chat’s platform keeps failing or hangs', async () => {
    const platform = new FakePlatform();
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    platform.script = ({ chat }) => {
      if (chat === 'yavas') throw new DeliveryError('429', { retryAfterMs: 60_000 });
      if (chat === 'takili') return hung;
    };
    const s = await stack({ outbox: FAST }, platform);
    await s.say('yavas', 'bir');
    void s.say('takili', 'iki');
    await until(() => expect(platform.attempts.some((a) => a.chat === 'takili')).toBe(true));
    await Promise.all(['hizli-1', 'hizli-2', 'hizli-3'].map((chat) => s.say(chat, 'merhaba')));
    for (const chat of ['hizli-1', 'hizli-2', 'hizli-3']) expect(platform.delivered(chat)).toEqual(['yanıt: merhaba']);
    expect((await outRows(s, 'yavas'))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(platform.delivered('takili')).toEqual([]);
    release();
    await until(() => expect(platform.delivered('takili')).toEqual(['yanıt: iki']));
  });

  it('delivers after a restart what the previous run left pending, in order', async () => {
    const file = path.join(temp.dir, 'restart.db');
    const down = new FakePlatform();
    down.script = () => {
      throw new DeliveryError('WhatsApp bağlantısı yok', { retryAfterMs: 400 });
    };
    const before = await stack({ outbox: FAST }, down, file);
    await before.say('fatma', 'iki: sabah');
    await before.say('fatma', 'öğle');
    await before.say('hasan', 'akşam');
    expect((await outRows(before, 'fatma')).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    await before.close();
    stacks.splice(stacks.indexOf(before), 1);

    const up = new FakePlatform();
    const after = await stack({ outbox: FAST }, up, file);
    const report = await after.adapter.recover();
    expect(report.pendingDeliveries).toBe(4);
    await until(() => expect(up.delivered('fatma')).toHaveLength(3));
    expect(up.delivered('fatma')).toEqual(['birinci: iki: sabah', 'ikinci: iki: sabah', 'yanıt: öğle']);
    await until(() => expect(up.delivered('hasan')).toEqual(['yanıt: akşam']));
    await until(async () => expect((await outRows(after, 'fatma')).every((r) => r.status === 'sent')).toBe(true));
    // Nothing was sent twice.
    expect(up.attempts.filter((a) => a.ok)).toHaveLength(4);
  });

  it('close() lets a send in progress finish and record its result', async () => {
    const platform = new FakePlatform();
    let release: () => void = () => undefined;
    platform.script = () => new Promise<void>((resolve) => (release = resolve));
    const s = await stack({ outbox: FAST }, platform);
    const said = s.say('deniz', 'kapanış');
    await until(() => expect(platform.attempts).toHaveLength(1));
    let closed = false;
    const closing = s.adapter.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    release();
    await closing;
    await said;
    expect((await outRows(s, 'deniz'))[0]).toMatchObject({ status: 'sent' });
  });

  it('marks replies of channels without a sender (web chat, terminal) sent at once, and returns them', async () => {
    const s = await stack();
    const result = await s.adapter.receive({ channel: 'webchat', userId: 'tarayici', text: 'merhaba', platformMessageId: 'w1' });
    expect(result.replies.map((r) => r.text)).toEqual(['yanıt: merhaba']);
    const [row] = await outRows(s, 'tarayici');
    expect(row).toMatchObject({ status: 'sent', replyToId: expect.any(String) });
    expect(s.platform.attempts).toEqual([]);
  });

  it('drops a second delivery of the same platform message', async () => {
    const s = await stack();
    await s.say('ece', 'tek', 'same-id');
    const again = await s.say('ece', 'tek', 'same-id');
    expect(again).toMatchObject({ duplicate: true, replies: [] });
    expect(s.platform.delivered('ece')).toEqual(['yanıt: tek']);
    expect(await s.db.message.count({ where: { direction: 'in', platformMessageId: 'same-id' } })).toBe(1);
  });
});

describe('backoff', () => {
  it('doubles up to the maximum, with jitter that only shortens it', async () => {
    const s = await stack({ outbox: { baseDelayMs: 1000, maxDelayMs: 8000, jitter: 0.5, random: () => 0 } });
    expect([1, 2, 3, 4, 5].map((n) => s.adapter.outbox.retryDelay(n))).toEqual([1000, 2000, 4000, 8000, 8000]);
    const jittered = await stack({ outbox: { baseDelayMs: 1000, maxDelayMs: 8000, jitter: 0.5, random: () => 0.999 } });
    expect(jittered.adapter.outbox.retryDelay(1)).toBeGreaterThanOrEqual(500);
    expect(jittered.adapter.outbox.retryDelay(1)).toBeLessThanOrEqual(501);
    expect(jittered.adapter.outbox.retryDelay(2, 3000)).toBeGreaterThanOrEqual(3000);
  });
});

process.on('exit', () => temp.remove());
