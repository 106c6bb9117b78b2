// A bot turn that throws: the citizen reads the apology from the content (bot/texts.yaml
// `turnFailed`), and the message is not lost.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import { loadConfig } from '../../src/config.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { Citizen, startTestCozum, tempDir, valuesOf } from '../support/cozum.ts';
import { startStack } from './support.ts';

const temp = tempDir('cozum-turn-failed-');
afterAll(() => temp.remove());

describe('a turn that fails', () => {
  it('answers with the content’s apology and keeps the message with its answer', async () => {
    const { municipality } = loadConfig({ env: {}, file: null });
    const { texts } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));
    const stack = await startStack(path.join(temp.dir, 'failed.db'), { turnFailedText: texts.turnFailed });
    try {
      stack.adapter.setLogic(async () => {
        throw new Error('the bot broke');
      });
      await stack.say('ali', 'merhaba', 'ali-1');
      expect(stack.platform.delivered('ali')).toEqual([texts.turnFailed]);
      const inbound = await stack.db.message.findFirstOrThrow({ where: { direction: 'in' } });
      expect(await stack.db.message.count({ where: { replyToId: inbound.id } })).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('apologises in the language the citizen writes in', async () => {
    const { municipality } = loadConfig({ env: {}, file: null });
    const { languages } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));
    const cozum = await startTestCozum(temp.dir);
    try {
      const ahmad = new Citizen(cozum);
      const ann = new Citizen(cozum);
      const ali = new Citizen(cozum);
      await ahmad.say('مرحبا، كيف أدفع ضريبة العقار؟');
      await ann.say('hello, how do I pay property tax?');
      await ali.say('merhaba, emlak vergisi nasıl ödenir?');
      cozum.adapter.setLogic(async () => {
        throw new Error('the bot broke');
      });
      expect(await ahmad.say('شكرا')).toEqual([languages.ar.texts.turnFailed]);
      expect(await ann.say('thanks')).toEqual([languages.en.texts.turnFailed]);
      expect(await ali.say('teşekkürler')).toEqual([languages.tr.texts.turnFailed]);
      expect(languages.ar.texts.turnFailed).not.toBe(languages.tr.texts.turnFailed);
    } finally {
      await cozum.close();
    }
  });
});
