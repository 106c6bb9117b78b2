// Emergencies in Arabic and English (locales/<language>/bot/emergencies.yaml): measured on their own
// tables (nlu/emergencies.<language>.yaml, every intent example and the held-out set of the language)
// as the bot reads them, the Arabic folding and proclitics of the phrases, negations before a match,
// and start-up stopping on a kind left untranslated.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectInTables, EmergencyDetector, tablesFor } from '../../src/bot/emergencies.ts';
import { loadEmergencyTable, scoreEmergencies } from '../../src/bot/emergency-table.ts';
import { loadConfig } from '../../src/config.ts';
import { loadEmergencyLanguages } from '../../src/content/emergencies.ts';
import { loadIntentsByLanguage, loadNlu } from '../../src/main.ts';
import { tempDir } from '../support/cozum.ts';

const config = loadConfig({ env: {}, file: null });
const { municipality } = config;
const byLanguage = loadIntentsByLanguage(config);
const tables = EmergencyDetector.forLanguages(loadEmergencyLanguages('.', municipality), byLanguage.tr);

describe.each(['ar', 'en'] as const)('the %s emergency table', (language) => {
  const table = loadEmergencyTable(`nlu/emergencies.${language}.yaml`);
  const heldOut = readFileSync(`nlu/heldout.${language}.jsonl`, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text);
  // Read as the bot reads a citizen of the language: the Turkish table, then the language's own.
  const score = scoreEmergencies({ detect: (text) => detectInTables(tables, text, [language]) }, { ...table, ordinary: [...table.ordinary, ...heldOut] }, byLanguage[language]);

  it('is large enough to mean something: 40+ urgent, 150+ ordinary besides the intent examples, every kind', () => {
    expect(score.urgent).toBeGreaterThanOrEqual(40);
    expect(table.ordinary.length).toBeGreaterThanOrEqual(150);
    for (const kind of ['fire', 'suicide', 'carbon_monoxide', 'medical', 'collapse', 'violence', 'gas', 'electricity', 'water', 'injury', 'missing']) {
      expect(table.urgent[kind]?.length ?? 0, kind).toBeGreaterThanOrEqual(3);
    }
  });

  it('misses no emergency and names the right kind', () => {
    expect(score.missed).toEqual([]);
    expect(score.wrongKind).toEqual([]);
  });

  it('raises no false alarm on an ordinary message, an intent example or the held-out set', () => {
    expect(score.falseAlarms).toEqual([]);
  });
});

describe("a new citizen's first message, the turn still Turkish", () => {
  // What the bot does before it knows the citizen's language: the language classifier guesses from
  // Latin letters, and a short "fire" looks Turkish to it; every table is tried on such a guess.
  const cache = tempDir();
  afterAll(() => cache.remove());
  const { languages } = loadNlu({ ...config, nlu: { ...config.nlu, cacheDir: cache.dir } });
  const firstMessage = (text: string) => detectInTables(tables, text, tablesFor('tr', languages.detect(text)));

  it.each([
    ['fire', 'fire', 'en'],
    ['FIRE!!', 'fire', 'en'],
    ['suicidal', 'suicide', 'en'],
    ['7ari2!!', 'fire', 'ar'],
    ['ri7et ghaz', 'gas', 'ar'],
  ])('"%s" is %s, answered in %s', (text, kind, language) => {
    expect(firstMessage(text)).toMatchObject({ kind: { id: kind }, language });
  });

  it.each(['ar', 'en'] as const)('misses no %s emergency and raises no false alarm on its ordinary messages', (language) => {
    const table = loadEmergencyTable(`nlu/emergencies.${language}.yaml`);
    const score = scoreEmergencies({ detect: firstMessage }, table, byLanguage[language]);
    expect(score.missed).toEqual([]);
    expect(score.falseAlarms).toEqual([]);
  });

  it('raises no false alarm on a Turkish ordinary message, with or without Turkish letters', () => {
    const table = loadEmergencyTable('nlu/emergencies.yaml');
    const score = scoreEmergencies({ detect: firstMessage }, { urgent: {}, ordinary: table.ordinary }, byLanguage.tr);
    expect(score.ordinary).toBeGreaterThan(1000);
    expect(score.falseAlarms).toEqual([]);
    // Turkish's own words for a lost share ("fire") and an ASCII-typed sentence stay Turkish questions.
    for (const text of ['yangin sigortasi nasil yapilir', 'fire verdik mi', 'fire orani ne kadar', 'fire var', 'gaz faturasi cok yuksek']) expect(firstMessage(text), text).toBeUndefined();
  });
});

describe('Arabic phrases', () => {
  const kindOf = (text: string) => detectInTables(tables, text, ['ar'])?.kind.id;

  it('meet the word however it is typed: hamza and alef forms, taa marbuta, diacritics, tatweel, proclitics', () => {
    for (const text of ['رائحة غاز', 'ريحة غاز', 'رِيحَة الغاز', 'ريـــحة بالغاز', 'وريحة الغاز بالمطبخ']) expect(kindOf(text), text).toBe('gas');
    for (const text of ['حريق', 'الحريق بالطابق التاني', 'في حريقة', 'وبالحريق']) expect(kindOf(text), text).toBe('fire');
  });

  it('are set aside by a negation before them ("ما في ريحة غاز") and by a past or hypothetical sentence', () => {
    for (const text of ['ما في ريحة غاز', 'لا يوجد حريق', 'مافي ريحة غاز هلق', 'اذا في ريحة غاز شو بعمل', 'صار حريق مبارح']) expect(kindOf(text), text).toBeUndefined();
  });

  it('are read only for a citizen whose turn or message is Arabic: the Turkish table alone never reads "fi ri7et ghaz"', () => {
    expect(detectInTables(tables, 'fi ri7et ghaz', ['tr'])).toBeUndefined();
    expect(detectInTables(tables, 'fi ri7et ghaz', ['tr', 'ar'])).toMatchObject({ kind: { id: 'gas' }, language: 'ar' });
  });
});

describe('a Turkish emergency from a citizen writing English', () => {
  it('is answered in English: found by the Turkish table, answered in the turn\'s language', () => {
    expect(detectInTables(tables, 'doğalgaz kokusu var', ['en'])).toMatchObject({ kind: { id: 'gas' }, language: 'en' });
  });
});

describe('locales/<language>/bot/emergencies.yaml edited badly', () => {
  function problemsWith(language: 'ar' | 'en', edit: (text: string) => string): string {
    const temp = tempDir();
    try {
      cpSync('bot', path.join(temp.dir, 'bot'), { recursive: true });
      for (const other of ['ar', 'en']) mkdirSync(path.join(temp.dir, 'locales', other, 'bot'), { recursive: true });
      // texts.yaml too: its opening-hours words fill {{hours}}.
      for (const other of ['ar', 'en']) for (const file of ['emergencies.yaml', 'texts.yaml']) cpSync(`locales/${other}/bot/${file}`, path.join(temp.dir, 'locales', other, 'bot', file));
      const file = path.join(temp.dir, 'locales', language, 'bot', 'emergencies.yaml');
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      loadEmergencyLanguages(temp.dir, municipality);
      return '';
    } catch (error) {
      return (error as Error).message;
    } finally {
      temp.remove();
    }
  }

  it('loads as shipped', () => {
    expect(problemsWith('en', (text) => text)).toBe('');
  });

  it('stops on a Turkish kind with no answer in the language, naming the file and line', () => {
    const problem = problemsWith('en', (text) => text.replace(/\n {2}missing:[\s\S]*$/, '\n'));
    expect(problem).toMatch(/locales\/en\/bot\/emergencies\.yaml:\d+: kinds: bot\/emergencies\.yaml'deki türlerin çevirisi eksik: missing/);
  });

  it('stops on an answer left empty, and on a phrase in capitals, naming the file and line', () => {
    expect(problemsWith('ar', (text) => text.replace(/(\n {2}suicide:[\s\S]*?answer: )\|-[\s\S]*?\n\n/, '$1""\n\n'))).toMatch(/locales\/ar\/bot\/emergencies\.yaml:\d+: kinds\.suicide\.answer: boş olamaz/);
    expect(problemsWith('en', (text) => text.replace('"carbon monoxide"', '"Carbon monoxide"'))).toMatch(/locales\/en\/bot\/emergencies\.yaml:\d+: kinds\.carbon_monoxide\.phrases\.0: "Carbon": yalnızca küçük harf/);
  });
});

describe('cries of alarm (alarm.words)', () => {
  it('are no intent example in any language, so that no topic of the bot is taken from them', async () => {
    const { fold } = await import('../../src/nlu/normalize.ts');
    const contents = loadEmergencyLanguages('.', municipality);
    for (const language of ['tr', 'ar', 'en'] as const) {
      const examples = new Set(byLanguage[language].flatMap((intent) => intent.examples).map(fold));
      for (const word of contents[language].alarm.words) expect(examples.has(fold(word)), `${language}: ${word}`).toBe(false);
    }
  });
});
