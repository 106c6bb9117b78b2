// What a Prometheus reads at /metrics after citizens wrote: messages in and out by channel, turn
// durations, what the NLU made of the messages, escalations to a person and how long they waited
// for one, the open and overdue tickets, the outbox's depth and its retries. On this machine
// without more; from elsewhere only with METRICS_TOKEN, as `Authorization: Bearer <token>`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN } from '../support/telegram-api.ts';

const METRICS_TOKEN = 'prometheus-baska-makinede-2026';
const temp = tempDir('cozum-metrics-');
const telegram = new BotApiStandIn();
let cozum: Cozum;

beforeAll(async () => {
  await telegram.start();
  cozum = await startTestCozum(temp.dir, { http: true, overrides: { 'channels.telegram.token': TOKEN, 'channels.telegram.apiRoot': telegram.url, metricsToken: METRICS_TOKEN } });
}, 60_000);

afterAll(async () => {
  await cozum?.close();
  await telegram.close();
  temp.remove();
});

/** Every sample of the exposition text, keyed by its name and labels as written. */
async function scrape(headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const response = await fetch(`${cozum.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const delta = (before: Map<string, number>, after: Map<string, number>, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

describe('/metrics', () => {
  it('counts what citizens sent and got, how long turns took, what the NLU understood and who was handed to a person', async () => {
    const before = await scrape();
    const citizen = new TelegramCitizen(telegram, 9901);
    await citizen.says('su kesintisi ne zaman biter', /arıza hattı/);
    await citizen.says('temsilci', /Talep numaranız/);
    // The delivery is recorded just after the platform answered.
    await expect.poll(async () => delta(before, await scrape(), 'cozum_messages_out_total{channel="telegram",result="sent"}')).toBeGreaterThanOrEqual(2);
    const after = await scrape();

    expect(delta(before, after, 'cozum_messages_in_total{channel="telegram"}')).toBe(2);
    expect(delta(before, after, 'cozum_turn_duration_seconds_count{channel="telegram"}')).toBe(2);
    expect(delta(before, after, 'cozum_nlu_intent_total{intent="faq.water_outage"}')).toBe(1);
    expect(delta(before, after, 'cozum_nlu_confidence_count')).toBeGreaterThanOrEqual(1);
    expect(delta(before, after, 'cozum_escalations_total')).toBe(1);
    // The process metrics are there too, the event loop's delay among them.
    expect(after.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('shows the queue: the open tickets by status, how long the citizen waited for a person, and the overdue ones', async () => {
    // The first test's citizen waits for a person.
    const waiting = await scrape();
    expect(waiting.get('cozum_tickets_open{status="new"}')).toBe(1);
    expect(waiting.get('cozum_tickets_open{status="in_progress"}')).toBe(0);
    expect(waiting.get('cozum_tickets_overdue')).toBe(0);

    await createAgent(cozum.db, 'metrik', 'Metrik Görevli', 'agent', 'Çözüm Merkezi');
    const agent = ConsoleClient.for(cozum);
    await agent.login('metrik');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { mode: 'waiting' } });
    expect((await agent.post(`/console/api/conversations/${conversation.id}/claim`)).status).toBe(200);
    const claimed = await scrape();
    expect(delta(waiting, claimed, 'cozum_handoff_queue_wait_seconds_count')).toBe(1);
    expect(claimed.get('cozum_handoff_queue_wait_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(claimed.get('cozum_tickets_open{status="new"}')).toBe(0);
    expect(claimed.get('cozum_tickets_open{status="in_progress"}')).toBe(1);
    // A second claim by the same agent is no second wait.
    expect((await agent.post(`/console/api/conversations/${conversation.id}/claim`)).status).toBe(200);
    expect(delta(claimed, await scrape(), 'cozum_handoff_queue_wait_seconds_count')).toBe(0);

    // Its deadline passes.
    await cozum.db.ticket.updateMany({ where: { conversationId: conversation.id }, data: { dueAt: new Date(Date.now() - 3_600_000) } });
    expect((await scrape()).get('cozum_tickets_overdue')).toBe(1);
  });

  it('shows the replies waiting in the outbox and the deliveries to be tried again', async () => {
    const before = await scrape();
    expect(before.get('cozum_outbox_pending')).toBe(0);
    // Telegram slows the bot down for five minutes: the reply waits in the outbox.
    telegram.fail('sendMessage', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 300', parameters: { retry_after: 300 } } });
    telegram.push({ message: new TelegramCitizen(telegram, 9902).message({ text: 'merhaba' }) });
    await expect.poll(async () => delta(before, await scrape(), 'cozum_delivery_retries_total{channel="telegram"}')).toBe(1);
    expect((await scrape()).get('cozum_outbox_pending')).toBe(1);
  });

  it('answers another host only with the token', async () => {
    // Through a proxy on loopback that names the outside address, as the app trusts it to.
    const outside = { 'X-Forwarded-For': '203.0.113.9' };
    expect((await fetch(`${cozum.url}/metrics`, { headers: outside })).status).toBe(404);
    expect((await fetch(`${cozum.url}/metrics`, { headers: { ...outside, Authorization: 'Bearer yanlis' } })).status).toBe(404);
    expect((await scrape({ ...outside, Authorization: `Bearer ${METRICS_TOKEN}` })).has('cozum_messages_in_total{channel="telegram"}')).toBe(true);
  });
});
