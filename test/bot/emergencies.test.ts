// Emergency detection measured both ways: every urgent message of nlu/emergencies.yaml is caught
// as its kind (so the right number is told), and no ordinary message nor any intent example is
// taken for an emergency. Then the matcher's rules one by one, and bot/emergencies.yaml edited badly.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmergencyDetector } from '../../src/bot/emergencies.ts';
import { loadEmergencyTable, scoreEmergencies } from '../../src/bot/emergency-table.ts';
import { loadConfig } from '../../src/config.ts';
import { loadEmergencies } from '../../src/content/emergencies.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const municipality = loadConfig({ env: {}, file: null }).municipality;
const intents = loadIntents('intents', valuesOf(municipality));
const content = loadEmergencies('bot', valuesOf(municipality));
const detector = EmergencyDetector.forIntents(content, intents);
const table = loadEmergencyTable('nlu/emergencies.yaml');
/** The NLU held-out set: ordinary messages of every intent and style, none an emergency. */
const heldOut = readFileSync('nlu/heldout.jsonl', 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text);

const kindOf = (text: string) => detector.detect(text)?.kind.id;

describe('the emergency table', () => {
  const score = scoreEmergencies(detector, { ...table, ordinary: [...table.ordinary, ...heldOut] }, intents);

  it('is large enough to mean something: 60+ urgent, 200+ ordinary besides the intent examples', () => {
    expect(score.urgent).toBeGreaterThanOrEqual(60);
    expect(table.ordinary.length).toBeGreaterThanOrEqual(200);
    expect(score.ordinary).toBe(table.ordinary.length + heldOut.length + intents.reduce((sum, intent) => sum + intent.examples.length, 0));
    for (const kind of Object.keys(table.urgent)) expect(content.kinds.map((k) => k.id)).toContain(kind);
    for (const kind of content.kinds) expect(table.urgent[kind.id]?.length ?? 0, kind.id).toBeGreaterThanOrEqual(3);
  });

  it('misses no emergency (false negatives: 0), and names the right kind', () => {
    expect(score.missed).toEqual([]);
    expect(score.wrongKind).toEqual([]);
  });

  it('raises no false alarm on ordinary messages, form answers, the NLU held-out set or any intent example (false positives: 0)', () => {
    expect(score.falseAlarms).toEqual([]);
  });
});

describe('matching on the text as written', () => {
  it('never reads "oluyor" (happening) as "ölüyor" (dying), with or without Turkish letters', () => {
    expect(kindOf('annem ölüyor')).toBe('medical');
    expect(kindOf('ANNEM ÖLÜYOR')).toBe('medical');
    expect(kindOf('annem oluyor')).toBeUndefined();
    expect(kindOf('sokak lambası yanmıyor, akşam karanlık oluyor')).toBeUndefined();
  });

  it('accepts the ASCII-typed form where it is not a word of its own', () => {
    expect(kindOf('yangin var')).toBe('fire');
    expect(kindOf('dogalgaz kokuyor')).toBe('gas');
    expect(kindOf('kocam beni dovuyor')).toBe('violence');
    // "gazi" is a word (and a neighbourhood): not "gazı".
    expect(kindOf('Gazi mahallesi cop kokusu')).toBeUndefined();
    expect(kindOf('gazı kokuyor')).toBe('gas');
  });

  it('reads a word with its suffixes, capitals, stretched letters and an apostrophe', () => {
    expect(kindOf('Doğalgaz’ın kokusu geliyor')).toBe('gas');
    expect(kindOf('YANGIIIN')).toBe('fire');
    expect(kindOf('binada yangınlar var')).toBe('fire');
  });

  it('sets a match aside in an ordinary context: a compound, a street name, an animal, a habit, the past', () => {
    expect(kindOf('yangın merdiveni kilitli')).toBeUndefined();
    expect(kindOf('yangın tüpü nereden alınır')).toBeUndefined();
    expect(kindOf('Yangın Sokak no 3')).toBeUndefined();
    expect(kindOf('gaz faturası çok geldi')).toBeUndefined();
    expect(kindOf('su faturası')).toBeUndefined();
    expect(kindOf('elektrik kesintisi ne zaman biter')).toBeUndefined();
    expect(kindOf('yaralı bir kedi var')).toBeUndefined();
    expect(kindOf('yaralı var')).toBe('injury');
    expect(kindOf('her yağmurda bodrumu su basıyor')).toBeUndefined();
    expect(kindOf('bodrumu su basıyor şu an')).toBe('water');
    expect(kindOf('geçen hafta kaza oldu burada')).toBeUndefined();
  });

  it('sets a match aside when it is negated right after, but not by a negation about something else or a tag question', () => {
    expect(kindOf('gaz kokusu yok artık')).toBeUndefined();
    expect(kindOf('gaz kokusu artık yok')).toBeUndefined();
    expect(kindOf('gaz kokusu geçti')).toBeUndefined();
    expect(kindOf('gaz kaçağı olursa kimi aramalıyım')).toBeUndefined();
    expect(kindOf('bu gaz kokusu değil mi')).toBe('gas');
    expect(kindOf('kadın doğum yapıyor, taksi yok')).toBe('medical');
    expect(kindOf('gaz kokusu var ama kimse gelmiyor')).toBe('gas');
  });

  it('answers each kind with its own number from the configuration, and says what to do', () => {
    const byId = new Map(content.kinds.map((kind) => [kind.id, kind]));
    expect(byId.get('gas')!.answer).toContain('Hemen 187 numaralı doğalgaz acil hattını arayın');
    expect(byId.get('gas')!.answer).toContain('Elektrik düğmelerine');
    expect(byId.get('fire')!.answer).toContain('112');
    expect(byId.get('electricity')!.answer).toContain('186');
    expect(byId.get('water')!.answer).toContain('185');
    expect(byId.get('violence')!.answer).toContain('155');
    for (const kind of content.kinds) expect(kind.answer, kind.id).not.toContain('{{');
    const other = loadEmergencies('bot', valuesOf({ ...municipality, phones: { ...municipality.phones, gas: '0 (232) 999 18 7' } }));
    expect(other.kinds.find((kind) => kind.id === 'gas')!.answer).toContain('Hemen 0 (232) 999 18 7 numaralı');
  });
});

describe('bot/emergencies.yaml edited badly', () => {
  function problemsWith(edit: (text: string) => string): string {
    const temp = tempDir();
    try {
      cpSync('bot', temp.dir, { recursive: true });
      const file = path.join(temp.dir, 'emergencies.yaml');
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      loadEmergencies(temp.dir, valuesOf(municipality));
      return '';
    } catch (error) {
      return (error as Error).message;
    } finally {
      temp.remove();
    }
  }

  it('names the file and line of a number that is not among the municipality\'s phones', () => {
    expect(problemsWith((text) => text.replace('call: gas', 'call: gasLine'))).toMatch(/emergencies\.yaml:\d+: kinds\.\d+\.call: municipality\.phones içinde olmalı/);
  });

  it('names the file and line of a phrase with a stem too short to be safe, or an unknown placeholder', () => {
    expect(problemsWith((text) => text.replace('"yangın*"', '"ya*"'))).toMatch(/emergencies\.yaml:\d+: kinds\.0\.phrases\.0: "ya\*": \* ile biten kök en az 3 harf olmalı/);
    expect(problemsWith((text) => text.replace('{{phones.emergency}}.', '{{phones.ambulans}}.'))).toMatch(/bilinmeyen yer tutucu: \{\{phones\.ambulans\}\}/);
  });
});
