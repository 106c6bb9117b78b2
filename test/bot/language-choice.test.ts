// Which language the assistant answers in: the detector on short messages, and when a remembered
// language gives way (src/bot/language-choice.ts).
import { describe, expect, it } from 'vitest';
import { chooseLanguage, languageAskedFor } from '../../src/bot/language-choice.ts';
import { loadConfig } from '../../src/config.ts';
import { loadNlu } from '../../src/main.ts';
import { SHARED_NLU_CACHE } from '../support/cozum.ts';

const { languages } = loadNlu(loadConfig({ env: {}, file: null, overrides: { 'nlu.cacheDir': SHARED_NLU_CACHE } }));
const detect = (text: string) => languages.detect(text);

describe('language detection on short messages', () => {
  it('tells the issue’s examples apart, Arabizi included', () => {
    expect(detect('merhaba')?.language).toBe('tr');
    expect(detect('hello')?.language).toBe('en');
    expect(detect('yakin kart')?.language).toBe('tr');
    expect(detect('help please')?.language).toBe('en');
    expect(detect('baddi mosa3ade')?.language).toBe('ar');
    expect(detect('مرحبا')).toEqual({ language: 'ar', confidence: 1, by: 'script' });
    expect(detect('çöp alınmadı')).toEqual({ language: 'tr', confidence: 1, by: 'letters' });
    expect(detect('٠٥٣٢ ١١١')).toBeUndefined();
  });
});

describe('choosing the language of a turn', () => {
  it('follows the first message, and a clear change of language later', () => {
    expect(chooseLanguage(undefined, detect('hello'), 'hello', false)).toBe('en');
    expect(chooseLanguage('tr', detect('where can I pay my property tax'), 'where can I pay my property tax', false)).toBe('en');
    expect(chooseLanguage('en', detect('çöp alınmadı'), 'çöp alınmadı', false)).toBe('tr');
    expect(chooseLanguage('tr', detect('مرحبا'), 'مرحبا', false)).toBe('ar');
  });

  it('never switches on one word, nor on a form answer in the same script', () => {
    expect(chooseLanguage('tr', detect('ok'), 'ok', false)).toBe('tr');
    expect(chooseLanguage('tr', detect('thanks'), 'thanks', false)).toBe('tr');
    expect(chooseLanguage('tr', detect('sokak lambası yanmıyor, very bad'), 'sokak lambası yanmıyor, very bad', false)).toBe('tr');
    expect(chooseLanguage('ar', detect('John Smith'), 'John Smith', true)).toBe('ar');
    expect(chooseLanguage('en', detect('أحمد الحسن'), 'أحمد الحسن', true)).toBe('ar');
  });

  it('reads a language asked for by its name, in any script', () => {
    expect(languageAskedFor('English')).toBe('en');
    expect(languageAskedFor('العربية')).toBe('ar');
    expect(languageAskedFor('Türkçe')).toBe('tr');
    expect(languageAskedFor('turkce')).toBe('tr');
    expect(languageAskedFor('English is hard')).toBeUndefined();
  });
});
