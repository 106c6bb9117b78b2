// Two instances (`src/main.ts` child processes) on one PostgreSQL database, as a municipality runs
// them behind a load balancer: citizens' web chat messages spread over both, each chat's messages
// alternating between the instances.
//   - every message answered exactly once, in order per conversation;
//   - SIGKILL one of them mid-burst: nothing acknowledged is lost, nothing answered twice, and its
//     conversations go on at the other once its lease expired (the citizens' page sends again what
//     got no answer, with the same id, as its "send again" does);
//   - an agent's live console on one instance hears of a message that arrived at the other;
//   - a singleton (the retention job) moves to the survivor when its holder is killed;
//   - Telegram long polling runs on one instance (the Bot API stand-in refuses a second poller with
//     409, as Telegram does) and moves to the survivor when the poller is killed mid-burst, every
//     message answered once;
//   - the WhatsApp (Baileys) session: in-process (its socket stand-in is injected into the channel,
//     which a child process cannot take), two Çözüm instances on one database, each with its own
//     Cluster: one connects; an agent's reply written on the other goes out once, through the
//     connected one; when the holder's heartbeat stops, its socket ends and the session connects
//     again, with the stored credentials (no new pairing), on the instance that took the lease.
// Without TEST_DATABASE_URL this says "skipped: no PostgreSQL"; under CI=true that fails instead.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/storage/database.ts';
import { killAll, startChild, type ChildCozum } from '../support/child.ts';
import { SHARED_NLU_CACHE, startTestCozum, tempDir } from '../support/cozum.ts';
import { postgresDatabase } from '../support/database.ts';
import { ONE_ANSWER_QUESTIONS } from '../support/questions.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { serverFor } from '../support/servers.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN } from '../support/telegram-api.ts';
import { FakeSocket, waMessage } from '../support/baileys-socket.ts';
import { createWhatsAppBaileys, type WhatsAppBaileysChannel } from '../../src/channels/whatsapp-baileys/index.ts';
import type { Cozum } from '../../src/main.ts';
import type { AddressInfo } from 'node:net';
import { installConsoleAuth } from '../../src/console/auth.ts';
import { createConsole } from '../../src/console/console.ts';
import { whatsappLinkRouter } from '../../src/console/whatsapp-link.ts';
import { createHttpApp, listen } from '../../src/http/server.ts';

const server = serverFor('TEST_DATABASE_URL', { server: 'PostgreSQL', example: 'postgresql://postgres@127.0.0.1:5432/postgres', tests: 'the several-instances tests' });

const temp = tempDir('cozum-instances-');
afterAll(() => {
  killAll();
  temp.remove();
});

const LEASE_SECONDS = 5;
const CHATS = 8;
const PER_CHAT = 6;

function question(chat: number, index: number): readonly [string, string] {
  return ONE_ANSWER_QUESTIONS[(chat + index) % ONE_ANSWER_QUESTIONS.length]!;
}

async function startPair(name: string, env: Record<string, string> | ((n: number) => Record<string, string>) = {}): Promise<{ url: string; children: ChildCozum[] }> {
  const url = await postgresDatabase(`instances_${name}`);
  const configFile = path.join(temp.dir, `${name}.config.yaml`);
  writeFileSync(configFile, JSON.stringify({ nlu: { cacheDir: SHARED_NLU_CACHE }, limits: { floodMessages: 100_000, http: { chatSessions: 0, chatMessages: 0, chatMessagesPerSession: 0 } } }));
  const start = (n: number) => startChild({ dataDir: path.join(temp.dir, `${name}-${n}`), configFile, env: { DATABASE_URL: url, LEASE_SECONDS: String(LEASE_SECONDS), ...(typeof env === 'function' ? env(n) : env) } });
  // One after the other: the first applies the migrations (the second would wait for its lock anyway).
  const first = await start(1);
  const second = await start(2);
  return { url, children: [first, second] };
}

async function session(url: string): Promise<string> {
  const response = await fetch(`${url}/api/chat/session`, { method: 'POST' });
  return ((await response.json()) as { token: string }).token;
}

/** One web chat message; the status and the replies' texts (undefined when the instance did not answer). */
async function send(url: string, token: string, text: string, id: string): Promise<{ status: number; replies: string[]; duplicate: boolean } | undefined> {
  try {
    const response = await fetch(`${url}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-chat-session': token },
      body: JSON.stringify({ text, id }),
    });
    const body = (await response.json()) as { replies?: { text: string }[]; duplicate?: boolean };
    return { status: response.status, replies: (body.replies ?? []).map((reply) => reply.text), duplicate: body.duplicate === true };
  } catch {
    return undefined;
  }
}

/** In the database: every inbound message once, processed, answered by exactly one reply, replies in the order of the questions. */
async function expectAnsweredOnceInOrder(opened: OpenedDatabase, total: number): Promise<void> {
  const { db } = opened;
  const inbound = await db.message.findMany({ where: { direction: 'in' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, status: true, text: true, conversationId: true, platformMessageId: true } });
  expect(inbound).toHaveLength(total);
  expect(new Set(inbound.map((row) => row.platformMessageId)).size).toBe(total);
  expect(inbound.filter((row) => row.status !== 'processed')).toEqual([]);
  const replies = await db.message.findMany({ where: { direction: 'out', replyToId: { not: null } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { replyToId: true, text: true, conversationId: true } });
  const perInbound = new Map<string, number>();
  for (const reply of replies) perInbound.set(reply.replyToId!, (perInbound.get(reply.replyToId!) ?? 0) + 1);
  expect([...perInbound.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  expect(new Set(perInbound.keys())).toEqual(new Set(inbound.map((row) => row.id)));
  // Per conversation, the replies come in the order of the messages they answer, and each answers its own question.
  const questionOf = new Map(inbound.map((row) => [row.id, row]));
  const byConversation = new Map<string, string[]>();
  for (const reply of replies) {
    const asked = questionOf.get(reply.replyToId!)!;
    const expected = ONE_ANSWER_QUESTIONS.find(([q]) => q === asked.text)![1];
    expect(reply.text, `reply to "${asked.text}"`).toContain(expected);
    byConversation.set(reply.conversationId, [...(byConversation.get(reply.conversationId) ?? []), reply.replyToId!]);
  }
  for (const [conversationId, answered] of byConversation) {
    const asked = inbound.filter((row) => row.conversationId === conversationId).map((row) => row.id);
    expect(answered, `conversation ${conversationId}`).toEqual(asked);
  }
}

describe.skipIf(!server)('two instances on one PostgreSQL database', () => {
  let pair: { url: string; children: ChildCozum[] };
  let opened: OpenedDatabase;

  beforeAll(async () => {
    pair = await startPair('burst');
    opened = await openDatabase(pair.url);
  }, 180_000);
  afterAll(async () => {
    // What went wrong inside, for a failure's reader.
    for (const [n, child] of (pair?.children ?? []).entries()) {
      const trouble = child.lines.filter((line) => /"level":(40|50|60)/.test(line) || line.includes('taken over')).map((line) => line.slice(0, 300));
      if (trouble.length > 0) console.info(`instance ${n + 1}:\n${trouble.slice(-15).join('\n')}`);
    }
    await opened?.db.$disconnect();
    for (const child of pair?.children ?? []) await child.stop('SIGTERM');
  });

  it('answers every message exactly once and in order, each chat alternating between the instances', async () => {
    const [a, b] = pair.children;
    const urls = [a!.url, b!.url];
    const tokens = await Promise.all(Array.from({ length: CHATS }, (_, chat) => session(urls[chat % 2]!)));
    await Promise.all(
      tokens.map(async (token, chat) => {
        for (let index = 0; index < PER_CHAT; index++) {
          const [text, answer] = question(chat, index);
          const reply = await send(urls[(chat + index) % 2]!, token, text, `burst-${chat}-${index}`);
          expect(reply?.status).toBe(200);
          // The instance that received it answers in its response, whichever instance ran the turn.
          expect(reply?.replies.join(' '), `chat ${chat}, message ${index}`).toContain(answer);
        }
      }),
    );
    await expectAnsweredOnceInOrder(opened, CHATS * PER_CHAT);
    // Idle conversations are given back, so that each next message is answered where it arrives
    // (no hand-over): once the burst is over, nobody holds a conversation (`SELECT * FROM "Lease"`).
    await vi.waitFor(async () => expect(await opened.db.lease.findMany({ where: { key: { startsWith: 'conversation:' } } })).toEqual([]), { timeout: 10_000, interval: 100 });
  }, 180_000);

  it("an agent's live console on one instance hears of a message that arrived at the other", async () => {
    const [a, b] = pair.children;
    await createAgent(opened.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
    const token = await session(b!.url);
    expect((await send(b!.url, token, question(0, 0)[0], 'live-0'))?.status).toBe(200);
    const conversationId = (await opened.db.message.findFirstOrThrow({ where: { platformMessageId: 'live-0' } })).conversationId;

    const agent = new ConsoleClient(a!.url);
    expect((await agent.login('sef')).status).toBeLessThan(400);
    const controller = new AbortController();
    const stream = await fetch(`${a!.url}/console/api/events?conversation=${conversationId}`, { headers: { Cookie: `cozum_console=${agent.token}`, Accept: 'text/event-stream' }, signal: controller.signal });
    expect(stream.status).toBe(200);
    let heard = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) heard += decoder.decode(chunk, { stream: true });
    })().catch(() => undefined);
    try {
      await vi.waitFor(() => expect(heard).toContain('retry:'), { timeout: 10_000 });
      expect((await send(b!.url, token, question(0, 1)[0], 'live-1'))?.status).toBe(200);
      await vi.waitFor(() => expect(heard).toContain(`"kind":"message","conversationId":"${conversationId}","direction":"in"`), { timeout: 30_000, interval: 50 });
    } finally {
      controller.abort();
      await reading;
    }
  }, 60_000);

  it('SIGKILL one instance mid-burst: nothing lost, nothing answered twice, its conversations go on at the other', async () => {
    const before = await opened.db.message.count({ where: { direction: 'in' } });
    const [a, b] = pair.children;
    const urls = [a!.url, b!.url];
    const tokens = await Promise.all(Array.from({ length: CHATS }, () => session(b!.url)));
    let sent = 0;
    let killed = false;
    const killing = vi
      .waitFor(() => expect(sent).toBeGreaterThanOrEqual((CHATS * PER_CHAT) / 2), { timeout: 120_000, interval: 5 })
      .then(async () => {
        await a!.stop('SIGKILL');
        killed = true;
      });
    await Promise.all(
      tokens.map(async (token, chat) => {
        for (let index = 0; index < PER_CHAT; index++) {
          const [text, answer] = question(chat, index);
          const id = `kill-${chat}-${index}`;
          let reply = await send(urls[(chat + index) % 2]!, token, text, id);
          // What the dead instance did not answer, the page sends again (the same id) to the one left.
          while (!reply || reply.status !== 200 || (reply.replies.length === 0 && !reply.duplicate)) {
            await vi.waitFor(() => expect(killed).toBe(true), { timeout: 120_000, interval: 20 });
            reply = await send(b!.url, token, text, id);
          }
          // A resend of a message already stored is a duplicate: its answer is in the transcript.
          if (reply.replies.length > 0) expect(reply.replies.join(' '), `chat ${chat}, message ${index}`).toContain(answer);
          sent++;
        }
      }),
    );
    await killing;
    // Everything stored was answered, by the survivor for the dead one's conversations.
    const total = before + CHATS * PER_CHAT;
    await vi.waitFor(async () => expect(await opened.db.message.count({ where: { direction: 'in', status: 'received' } })).toBe(0), { timeout: 60_000, interval: 200 });
    await expectAnsweredOnceInOrder(opened, total);
  }, 240_000);
});

describe.skipIf(!server)('a singleton job moves when its holder dies', () => {
  it('the retention job: held by one instance, taken over by the other after SIGKILL', async () => {
    const pair = await startPair('singleton');
    const { db } = await openDatabase(pair.url);
    try {
      const holderOf = async () => (await db.lease.findUnique({ where: { key: 'singleton:retention' } }))?.holder;
      const instanceOf = (child: ChildCozum) => {
        for (const line of child.lines) {
          const entry = JSON.parse(line) as { instance?: string; msg?: string };
          if (entry.instance && entry.msg?.startsWith('instance registered')) return entry.instance;
        }
        return undefined;
      };
      const ids = pair.children.map(instanceOf);
      await vi.waitFor(async () => expect(ids).toContain(await holderOf()), { timeout: 30_000, interval: 100 });
      const first = await holderOf();
      const holder = pair.children[ids.indexOf(first)]!;
      const other = pair.children.find((child) => child !== holder)!;
      const seen = other.lines.length;
      await holder.stop('SIGKILL');
      // The survivor starts the job under its lease (its id may have changed if a long pause cost it its leases).
      const started = await vi.waitFor(
        () => {
          const line = other.lines.slice(seen).find((entry) => entry.includes('singleton started here: retention'));
          expect(line).toBeDefined();
          return JSON.parse(line!) as { instance: string; token: number };
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(started.instance).not.toBe(first);
      const lease = await db.lease.findUniqueOrThrow({ where: { key: 'singleton:retention' } });
      expect(lease.holder).toBe(started.instance);
      expect(Number(lease.token)).toBeGreaterThan(1);
    } finally {
      await db.$disconnect();
      for (const child of pair.children) await child.stop('SIGTERM');
    }
  }, 180_000);
});

describe.skipIf(!server)('Telegram long polling on one instance at a time', () => {
  it('one instance polls and every message is answered once; SIGKILL the poller mid-burst and the other polls and answers the rest', async () => {
    const api = await new BotApiStandIn().start();
    // Each instance calls the stand-in under its own API root, so that it tells them apart.
    const pair = await startPair('telegram', (n) => ({ TELEGRAM_TOKEN: TOKEN, TELEGRAM_API_ROOT: `${api.url}/client/${n}/` }));
    const opened = await openDatabase(pair.url);
    const citizens = Array.from({ length: 4 }, (_, chat) => new TelegramCitizen(api, 7100 + chat));
    /** Asks every citizen its `index`th question at once; returns what each expects. */
    const burst = (index: number) =>
      citizens.map((citizen, chat) => {
        const [text, answer] = question(chat, index);
        api.push({ message: citizen.message({ text }) });
        return answer;
      });
    const answersOf = (citizen: TelegramCitizen) => api.received(citizen.chatId);
    /** A chat's answers without a repeat of the one before (what a killed instance sent without recording it is sent again). */
    const once = (texts: string[]) => texts.filter((text, index) => index === 0 || text !== texts[index - 1]);
    try {
      const expected: string[][] = citizens.map(() => []);
      for (let index = 0; index < 2; index++) {
        burst(index).forEach((answer, chat) => expected[chat]!.push(answer));
        await api.waitFor(() => (citizens.every((citizen, chat) => answersOf(citizen).length >= expected[chat]!.length) ? true : undefined), 'the first answers', 60_000);
      }
      // One instance polled; the other never did (it was not refused either: it did not try).
      const pollers = api.pollers();
      expect(pollers.size).toBe(1);
      expect(api.conflicts).toEqual([]);
      const poller = [...pollers][0]!;
      for (const [chat, citizen] of citizens.entries()) {
        const received = answersOf(citizen);
        expect(received).toHaveLength(expected[chat]!.length);
        received.forEach((text, index) => expect(text).toContain(expected[chat]![index]));
      }

      // A burst, and the poller killed while it answers it.
      const seen = api.calls.length;
      const sentBefore = api.sent().length;
      burst(2).forEach((answer, chat) => expected[chat]!.push(answer));
      await api.waitFor(() => (api.sent().length > sentBefore ? true : undefined), 'a first answer to the burst');
      await pair.children[Number(poller) - 1]!.stop('SIGKILL');
      const survivor = String(3 - Number(poller));
      await api.waitFor(() => (api.pollers(seen).has(survivor) ? true : undefined), 'the survivor polling', 60_000);
      burst(3).forEach((answer, chat) => expected[chat]!.push(answer));
      await api.waitFor(() => (citizens.every((citizen, chat) => once(answersOf(citizen)).length >= expected[chat]!.length) ? true : undefined), 'every answer', 60_000);
      expect(api.conflicts).toEqual([]);

      // Every message stored once and answered by one reply, in order, whichever instance ran it;
      // a chat reads each answer in order (the one reply whose delivery the killed instance had not
      // yet recorded may come twice, the outbox's documented limit).
      await vi.waitFor(async () => expect(await opened.db.message.count({ where: { direction: 'in', status: 'received' } })).toBe(0), { timeout: 60_000, interval: 200 });
      await expectAnsweredOnceInOrder(opened, citizens.length * 4);
      for (const [chat, citizen] of citizens.entries()) {
        const received = once(answersOf(citizen));
        expect(received.length, `chat ${citizen.chatId}: ${received.join(' | ')}`).toBe(expected[chat]!.length);
        received.forEach((text, index) => expect(text).toContain(expected[chat]![index]));
      }
    } finally {
      await opened.db.$disconnect();
      for (const child of pair.children) await child.stop('SIGTERM');
      await api.close();
    }
  }, 240_000);
});

describe.skipIf(!server)('the WhatsApp (Baileys) session on one instance at a time', () => {
  it('connects on one instance, sends what the other stores through it once, and moves when its holder stops heartbeating', async () => {
    const url = await postgresDatabase('instances_baileys');
    // A longer lease than the processes': two instances share this process's event loop, and the
    // second one's start-up must not stall the first's heartbeat past it. The move is made by ending
    // the holder's lease in the database, not by waiting for it.
    const overrides = { databaseUrl: url, leaseSeconds: 15 };
    const instances: { cozum: Cozum; channel: WhatsAppBaileysChannel; sockets: FakeSocket[] }[] = [];
    try {
      // One after the other: the first applies the migrations.
      for (const n of [1, 2]) {
        const cozum = await startTestCozum(path.join(temp.dir, `baileys-${n}`), { overrides });
        const sockets: FakeSocket[] = [];
        const config = { ...cozum.config, channels: { ...cozum.config.channels, whatsappBaileys: { enabled: true } } };
        const channel = createWhatsAppBaileys(
          { config, adapter: cozum.adapter, store: cozum.adapter.store, db: cozum.db, logger: cozum.logger, runExclusively: cozum.runExclusively },
          { socketFactory: (socketConfig) => sockets[sockets.push(new FakeSocket(socketConfig)) - 1]!, printQr: () => undefined, backoff: { initialMs: 1, maxMs: 4 } },
        ) as WhatsAppBaileysChannel;
        await channel.start();
        instances.push({ cozum, channel, sockets });
      }
      const { db } = instances[0]!.cozum;
      const lease = () => db.lease.findUnique({ where: { key: 'singleton:whatsapp-baileys' } });
      const live = (instance: (typeof instances)[number]) => instance.sockets.find((socket) => !socket.ended);
      // One socket, on one instance.
      await vi.waitFor(() => expect(instances.filter(live)).toHaveLength(1), { timeout: 30_000, interval: 50 });
      let holder = instances.find(live)!;
      let other = instances.find((instance) => instance !== holder)!;
      // Paired: the phone gave the device its identity, which Baileys saves (creds.update), and WhatsApp opened.
      const paired = live(holder)!;
      const me = { id: '905320000000:7@s.whatsapp.net', name: 'Yeşilova Belediyesi' };
      paired.config.auth.creds.me = me;
      paired.ev.emit('creds.update', { me });
      paired.open();
      expect(await other.channel.sessionElsewhere()).toBe((await lease())!.holder);

      const jid = '905321119001@s.whatsapp.net';
      paired.deliver(waMessage(jid, { conversation: question(0, 0)[0] }));
      await vi.waitFor(() => expect(paired.textsTo(jid).join(' ')).toContain(question(0, 0)[1]), { timeout: 30_000, interval: 50 });
      const conversation = await db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: jid } } });

      // An agent on the other instance writes: stored there, sent once by the connected one.
      await other.cozum.adapter.notify(conversation.id, 'Merhaba, ben Ayşe Hanım; talebinize bakıyorum.', [], { author: 'agent', authorName: 'Ayşe' });
      await vi.waitFor(() => expect(paired.textsTo(jid).filter((text) => text.includes('ben Ayşe Hanım'))).toHaveLength(1), { timeout: 30_000, interval: 50 });
      expect(live(other)).toBeUndefined();

      // The holder stops heartbeating (a crash, as the database sees it; in-process, it lives on and
      // finds out at its next heartbeat): its socket ends, and the session connects again within
      // the lease time on the instance that takes the lease, with the stored credentials.
      const before = (await lease())!;
      await db.instance.updateMany({ where: { id: before.holder }, data: { expiresAt: 0 } });
      await vi.waitFor(() => expect(paired.ended).toBe(true), { timeout: 30_000, interval: 50 });
      await vi.waitFor(
        async () => {
          const now = await lease();
          expect(now?.holder).not.toBe(before.holder);
          expect(Number(now!.token)).toBeGreaterThan(Number(before.token));
          expect(instances.filter(live)).toHaveLength(1);
        },
        { timeout: 30_000, interval: 50 },
      );
      holder = instances.find(live)!;
      other = instances.find((instance) => instance !== holder)!;
      const successor = live(holder)!;
      expect(successor.config.auth.creds.me?.id).toBe(me.id);
      successor.open();

      // The conversation's lease died with its holder's id: the agent's instance, not connected,
      // must not take it (it could not deliver); the connected one does, at once.
      await other.cozum.adapter.notify(conversation.id, 'Talebiniz ilgili birime iletildi.', [], { author: 'agent', authorName: 'Ayşe' });
      await vi.waitFor(() => expect(successor.textsTo(jid).filter((text) => text.includes('ilgili birime iletildi'))).toHaveLength(1), { timeout: 30_000, interval: 50 });
      successor.deliver(waMessage(jid, { conversation: question(0, 1)[0] }));
      await vi.waitFor(() => expect(successor.textsTo(jid).join(' ')).toContain(question(0, 1)[1]), { timeout: 30_000, interval: 50 });
      // The admin's pairing page on the other instance names the one holding the session.
      const { cozum } = other;
      const agentConsole = createConsole({ db: cozum.db, handoff: cozum.handoff, events: cozum.events, config: cozum.config, logger: cozum.logger, outbox: cozum.adapter.outbox });
      const app = createHttpApp([whatsappLinkRouter(other.channel, cozum.logger), agentConsole.router], cozum.logger);
      installConsoleAuth(app, agentConsole.auth);
      const page = await listen(app, 0, '127.0.0.1');
      try {
        const base = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
        await createAgent(db, 'bt-admin', 'Bilgi İşlem', 'admin', null);
        const admin = new ConsoleClient(base);
        expect((await admin.login('bt-admin')).status).toBe(303);
        const headers = { Cookie: `cozum_console=${admin.token}` };
        const holderId = (await lease())!.holder;
        const status = (await (await fetch(`${base}/admin/whatsapp`, { headers: { ...headers, Accept: 'application/json' } })).json()) as { state: string; heldBy: string | null };
        expect(status).toMatchObject({ state: 'elsewhere', heldBy: holderId });
        const html = await (await fetch(`${base}/admin/whatsapp`, { headers })).text();
        expect(html).toContain('başka bir Çözüm sunucusunda');
        expect(html).toContain(holderId);
      } finally {
        await agentConsole.close();
        await new Promise<void>((resolve) => page.close(() => resolve()));
      }
      // Each reply went out once, from a socket open at the time; none is left undelivered.
      const sent = instances.flatMap((instance) => instance.sockets).flatMap((socket) => socket.textsTo(jid));
      expect(sent.filter((text) => text.includes('ben Ayşe Hanım'))).toHaveLength(1);
      expect(sent.filter((text) => text.includes('ilgili birime iletildi'))).toHaveLength(1);
      expect(await db.message.count({ where: { conversationId: conversation.id, direction: 'out', status: { not: 'sent' } } })).toBe(0);
    } finally {
      for (const { channel, cozum } of instances) {
        await channel.stop();
        await cozum.close();
      }
    }
  }, 120_000);
});
