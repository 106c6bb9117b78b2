import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadIntents, REQUIRED_INTENTS } from '../../src/content/intents.ts';
import { fillTemplate, unknownPlaceholders } from '../../src/content/template.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const municipality = loadConfig({ env: {}, file: null }).municipality;

describe('intents/ as shipped', () => {
  const intents = loadIntents('intents', valuesOf(municipality));

  it('has every intent of the taxonomy, each with at least 40 examples', () => {
    expect(intents.map((i) => i.name).sort()).toEqual([...REQUIRED_INTENTS].sort());
    for (const intent of intents) expect(intent.examples.length, intent.name).toBeGreaterThanOrEqual(40);
  });

  it('has no example in two intents', () => {
    const seen = new Map<string, string>();
    for (const intent of intents) {
      for (const example of intent.examples) {
        const key = example.toLocaleLowerCase('tr').trim();
        expect(seen.get(key) ?? intent.name, `"${example}"`).toBe(intent.name);
        seen.set(key, intent.name);
      }
    }
  });

  it('answers every FAQ with the placeholders filled, short enough for a phone screen', () => {
    for (const intent of intents.filter((i) => i.name.startsWith('faq.'))) {
      expect(intent.answer, intent.name).toBeDefined();
      expect(intent.answer, intent.name).not.toMatch(/\{\{|\}\}/);
      expect(intent.answer!.length, intent.name).toBeLessThanOrEqual(900);
    }
    expect(intents.find((i) => i.name === 'faq.contact')!.answer).toContain(municipality.phones.callCenter);
  });
});

describe('an intent file with a mistake stops start-up with the file and line', () => {
  function brokenCopy(file: string, content: string): string {
    const dir = tempDir().dir;
    cpSync('intents', dir, { recursive: true });
    writeFileSync(path.join(dir, file), content);
    return dir;
  }

  it('names the file and the line of a bad example', () => {
    const dir = brokenCopy('faq.funeral.yaml', `intent: faq.funeral\nanswer: Cenaze\nexamples:\n${'  - cenaze\n'.repeat(45)}  - ""\n`);
    expect(() => loadIntents(dir, valuesOf(municipality))).toThrow(/faq\.funeral\.yaml:49: examples\.45: boş örnek/);
  });

  it('names an unknown placeholder in an answer', () => {
    const dir = brokenCopy('faq.funeral.yaml', `intent: faq.funeral\nanswer: "Arayın: {{phones.cenaze}}"\nexamples:\n${'  - cenaze\n'.repeat(45)}`);
    expect(() => loadIntents(dir, valuesOf(municipality))).toThrow(/faq\.funeral\.yaml: answer: bilinmeyen yer tutucu: \{\{phones\.cenaze\}\}/);
  });

  it('names a YAML syntax error, too few examples, a missing answer, and a missing intent file', () => {
    expect(() => loadIntents(brokenCopy('greeting.yaml', 'intent: greeting\nexamples: [a, b\n'), valuesOf(municipality))).toThrow(/greeting\.yaml:\d+: YAML hatası/);
    expect(() => loadIntents(brokenCopy('goodbye.yaml', 'intent: goodbye\nexamples:\n  - hoşça kal\n'), valuesOf(municipality))).toThrow(/goodbye\.yaml:3: examples: en az 40 örnek gerekli/);
    expect(() => loadIntents(brokenCopy('faq.marriage.yaml', `intent: faq.marriage\nexamples:\n${'  - nikah\n'.repeat(40)}`), valuesOf(municipality))).toThrow(/faq\.marriage\.yaml:\d+: answer: SSS niyetlerinin bir yanıtı/);
    const dir = brokenCopy('none.yaml', 'intent: yok\n');
    expect(() => loadIntents(dir, valuesOf(municipality))).toThrow(/none\.yaml/);
  });
});

describe('templates', () => {
  it('fill nested placeholders and report unknown ones', () => {
    expect(fillTemplate('Tel: {{ phones.callCenter }}, {{name}}', municipality)).toBe('Tel: 444 0 153, Yeşilova Belediyesi');
    expect(unknownPlaceholders('{{name}} {{yok.bu}}', municipality)).toEqual(['yok.bu']);
  });
});
