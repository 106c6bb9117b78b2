// bot/vocabulary.yaml: how citizens answer the bot, one list per meaning, used by every question.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globalCommand } from '../../src/bot/commands.ts';
import { loadVocabulary } from '../../src/dialogs/vocabulary.ts';
import { tempDir } from '../support/cozum.ts';

const isCommand = (text: string) => globalCommand(text) !== undefined;
const vocabulary = loadVocabulary('bot', isCommand);

describe('bot/vocabulary.yaml as shipped', () => {
  it.each([
    ['evet', 'yes'], ['Evet!', 'yes'], ['EVET', 'yes'], ['evt', 'yes'], ['evet lütfen', 'yes'], ['tamamdır', 'yes'], ['olur', 'yes'],
    ['hayır', 'no'], ['hayir', 'no'], ['hayır teşekkürler', 'no'], ['istemiyorum', 'no'], ['yok', 'no'],
    ['geç', 'skip'], ['gec', 'skip'], ['fotoğrafım yok', 'skip'],
    ['geri', 'back'], ['önceki soru', 'back'],
  ])('reads “%s” as %s', (text, meaning) => {
    expect(vocabulary.meaning(text)).toBe(meaning);
  });

  it('reads nothing into an answer that is not one', () => {
    for (const text of ['Erzene', 'evet ama önce bir sorum var', 'geri dönüş yapmadınız', '3']) expect(vocabulary.meaning(text), text).toBeUndefined();
  });

  it('reads the buttons just shown by their number and label', () => {
    const buttons = [{ label: 'Gönder', meaning: 'yes' as const }, { label: 'Düzelt', meaning: 'no' as const }];
    expect(vocabulary.meaning('1', buttons)).toBe('yes');
    expect(vocabulary.meaning('2', buttons)).toBe('no');
    expect(vocabulary.meaning('3', buttons)).toBeUndefined();
    expect(vocabulary.meaning('düzelt', buttons)).toBe('no');
  });

  it('skips an optional question with a no-word too', () => {
    for (const text of ['hayır', 'yok', 'geç', 'atla']) expect(vocabulary.isSkip(text), text).toBe(true);
    expect(vocabulary.isSkip('evet')).toBe(false);
  });

  it('tells a question, a reported problem and an aside', () => {
    expect(vocabulary.isQuestion('çöp konteyneri ne zaman boşaltılıyor')).toBe(true);
    expect(vocabulary.isQuestion('emlak vergimi nereden öderim')).toBe(true);
    expect(vocabulary.isQuestion('Gül sokak no 4')).toBe(false);
    expect(vocabulary.reportsProblem('çöp konteyneri ne zaman boşaltılıyor')).toBe(false);
    expect(vocabulary.reportsProblem('çöpler neden alınmadı')).toBe(true);
    expect(vocabulary.reportsProblem('lamba yanmıyo')).toBe(true);
    expect(vocabulary.isAside('bu arada emlak vergimi nereden öderim')).toBe(true);
  });
});

describe('bot/vocabulary.yaml edited badly', () => {
  function problemsWith(edit: (text: string) => string): string {
    const dir = tempDir().dir;
    cpSync('bot', dir, { recursive: true });
    writeFileSync(path.join(dir, 'vocabulary.yaml'), edit(readFileSync(path.join('bot', 'vocabulary.yaml'), 'utf8')));
    try {
      loadVocabulary(dir, isCommand);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('loaded without complaint');
  }

  it('names a word that means both yes and no, with its line', () => {
    const message = problemsWith((text) => text.replace('no:\n  - hayır\n', 'no:\n  - hayır\n  - tamam\n'));
    const line = readFileSync('bot/vocabulary.yaml', 'utf8').split('\n').indexOf('  - hayır') + 2;
    expect(message).toContain(`vocabulary.yaml:${line}: no.1: “tamam” hem yes hem no listesinde`);
  });

  it('names a command written as an answer', () => {
    expect(problemsWith((text) => text.replace('back:\n  - geri\n', 'back:\n  - geri\n  - menü\n'))).toContain('“menü” bir komut');
  });

  it('names a list that is missing', () => {
    expect(problemsWith((text) => text.replace(/^skip:/m, 'atla:'))).toMatch(/skip: /);
  });
});
