// What a Prometheus on the machine reads at /metrics after citizens wrote: messages in and out by
// channel, turn durations, what the NLU made of the messages, and escalations to a person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN } from '../support/telegram-api.ts';

const temp = tempDir('cozum-metrics-');
const telegram = new BotApiStandIn();
let cozum: Cozum;

beforeAll(async () => {
  await telegram.start();
  cozum = await startTestCozum(temp.dir, { http: true, overrides: { 'channels.telegram.token': TOKEN, 'channels.telegram.apiRoot': telegram.url } });
}, 60_000);

afterAll(async () => {
  await cozum?.close();
  await telegram.close();
  temp.remove();
});

/** Every sample of the exposition text, keyed by its name and labels as written. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${cozum.url}/metrics`);
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
});
