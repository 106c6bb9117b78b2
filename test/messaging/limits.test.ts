// Abuse limits through the real bot: per-citizen flood control (one polite warning, then a pause in
// which messages are stored but not answered, nobody else affected) and the media size limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { loadConfig } from '../../src/config.ts';
import { InboundLimits } from '../../src/messaging/inbound-limits.ts';
import { Citizen, startTestCozum, tempDir, valuesOf } from '../support/cozum.ts';

const LIMITS = { floodMessages: 3, floodSeconds: 60, floodPauseSeconds: 60, maxMediaBytes: 1024 * 1024 };
const { municipality } = loadConfig({ env: {}, file: null });
const { texts } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));

const temp = tempDir();
const temp2 = tempDir();
/** Pauses after three messages a minute. */
let cozum: Cozum;
/** Flood control as in the other tests (off, in effect): for the media limit. */
let media: Cozum;
beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, {
    overrides: { 'limits.floodMessages': 3, 'limits.floodSeconds': 60, 'limits.floodPauseSeconds': 60, 'limits.maxMediaBytes': 1024 * 1024 },
  });
  media = await startTestCozum(temp2.dir, { overrides: { 'limits.maxMediaBytes': 1024 * 1024 } });
});
afterAll(async () => {
  await cozum.close();
  await media.close();
  temp.remove();
  temp2.remove();
});

describe('flood control', () => {
  it('answers a citizen writing too fast once with a polite warning, then stores but does not answer; others are answered as usual', async () => {
    const flooder = new Citizen(cozum);
    const neighbour = new Citizen(cozum);
    for (let i = 0; i < 3; i++) expect(await flooder.sayAll('merhaba')).toContain('Yeşilova Belediyesi');
    const warning = await flooder.say('merhaba');
    expect(warning).toEqual(['Kısa sürede çok sayıda mesaj aldım; lütfen 1 dakika bekleyip tekrar yazın.']);
    expect(await flooder.say('cenaze aracı nasıl çağırırım')).toEqual([]);
    expect(await flooder.say('alo?')).toEqual([]);
    // Meanwhile another citizen is answered as usual.
    expect(await neighbour.sayAll('cenaze aracı nasıl çağırırım')).toContain('0 (232) 000 01 88');

    const rows = await cozum.db.message.findMany({ where: { conversation: { contact: { platformUserId: flooder.userId } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const inbound = rows.filter((row) => row.direction === 'in');
    // Nothing is lost: all six messages are stored (for an agent to read), none waits to be answered.
    expect(inbound.map((row) => row.text)).toEqual(['merhaba', 'merhaba', 'merhaba', 'merhaba', 'cenaze aracı nasıl çağırırım', 'alo?']);
    expect(inbound.every((row) => row.status === 'processed')).toBe(true);
    expect(rows.filter((row) => row.direction === 'out')).toHaveLength(4);
  });

  it('counts by arrival time: after the pause the citizen is answered again, and a slow writer is never paused', () => {
    const limits = new InboundLimits(LIMITS, () => texts);
    const t0 = Date.UTC(2026, 0, 1);
    expect([0, 1, 2].map((s) => limits.check('a', t0 + s * 1000))).toEqual(['ok', 'ok', 'ok']);
    expect(limits.check('a', t0 + 3000)).toBe('warn');
    expect(limits.check('a', t0 + 30_000)).toBe('pause');
    expect(limits.check('b', t0 + 30_000)).toBe('ok');
    expect(limits.check('a', t0 + 63_001)).toBe('ok');
    // Three messages a minute, for ten minutes: never more than three within the window.
    const slow = Array.from({ length: 30 }, (_, i) => limits.check('slow', t0 + i * 20_001));
    expect(new Set(slow)).toEqual(new Set(['ok']));
  });

  it('words the warning in Turkish for the configured pause', () => {
    expect(texts.flood(90)).toContain('90 saniye bekleyip');
    expect(texts.flood(120)).toContain('2 dakika bekleyip');
  });
});

describe('media size', () => {
  it('answers a photo over the limit clearly, keeps the dialog where it was, and takes a smaller one', async () => {
    const citizen = new Citizen(media);
    for (const text of ['yolda çukur var', 'Erzene', '3. sokak']) await citizen.say(text);
    expect(await citizen.sayAll('Çukur derin, araçlar zarar görüyor.')).toContain('fotoğrafını');
    const big = await citizen.say('', { media: [{ kind: 'image', mimeType: 'image/jpeg', fileId: 'buyuk', size: 5 * 1024 * 1024 }] });
    expect(big).toEqual([texts.mediaTooLarge(LIMITS.maxMediaBytes)]);
    expect(big[0]).toContain('en fazla 1 MB');
    const small = await citizen.sayAll('', { media: [{ kind: 'image', mimeType: 'image/jpeg', fileId: 'kucuk', size: 300 * 1024 }] });
    expect(small).toContain('KVKK');
  });

  it('says the limit with a Turkish decimal comma', () => {
    expect(texts.mediaTooLarge(2.5 * 1024 * 1024)).toContain('en fazla 2,5 MB');
  });
});
