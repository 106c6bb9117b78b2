// Logs never hold a TC number, a phone number or a message body in clear.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPersonal } from '../src/log.ts';
import { startCozum } from '../src/main.ts';
import { Citizen, tempDir, testConfig } from './support/cozum.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  return { lines, logger: createLogger('debug', stream) };
}

describe('logs', () => {
  it('mask phone and TC numbers wherever they appear, and redact bodies', () => {
    const { lines, logger } = capture();
    logger.info({ text: 'benim numaram 0532 123 45 67', phone: '+905321234567', chat: { body: 'gizli' } }, 'citizen 10000000146 wrote from +90 532 123 45 67');
    logger.error({ err: new Error('unique constraint on 10000000146') }, 'failed');
    const out = lines.join('');
    for (const secret of ['10000000146', '5321234567', '0532 123 45 67', 'benim numaram', 'gizli"']) expect(out).not.toContain(secret);
    expect(out).toContain('100******46');
    expect(out).toContain('[gizli]');
    expect(maskPersonal('kat 3 daire 12')).toBe('kat 3 daire 12');
    expect(maskPersonal('20261124000000_init')).toBe('20261124000000_init');
    // A Telegram error's URL carries the bot token.
    expect(maskPersonal('request to https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage failed')).toBe('request to https://api.telegram.org/bot[gizli]/sendMessage failed');
    expect(maskPersonal('0532 123 45 67 10000000146')).not.toMatch(/123 45|0000001/);
  });

  it('stay free of personal data through a whole aid application', async () => {
    const dir = tempDir();
    const { lines, logger } = capture();
    const cozum = await startCozum(testConfig(dir.dir), { logger });
    try {
      const citizen = new Citizen(cozum);
      for (const text of ['gıda yardımı istiyorum', 'evet', '10000000146', 'Nermin Aksoy', '0532 765 43 21', 'Erzene', 'Erzene mah. 4. sokak no 2', '2', 'Kirada oturuyorum, işsizim.', 'evet', 'menü', '1']) {
        await citizen.say(text);
      }
      await citizen.say('tekrar', { platformMessageId: 'ayni' });
      await citizen.say('tekrar', { platformMessageId: 'ayni' }); // logged as a duplicate
      const out = lines.join('');
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of ['10000000146', '5327654321', '765 43 21', 'Nermin', 'Kirada oturuyorum', '4. sokak']) expect(out).not.toContain(secret);
    } finally {
      await cozum.close();
      dir.remove();
    }
  });
});
