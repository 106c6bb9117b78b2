// The repository's own held-out set (nlu/heldout.jsonl), written apart from the training examples
// and never trained on: the classifier understands long and colloquial messages as well as clean
// ones, within a few points. Figures by style: `npm run nlu:eval`.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNlu } from '../../src/main.ts';
import { evaluate } from '../../src/nlu/evaluate.ts';
import type { Nlu } from '../../src/nlu/nlu.ts';
import { tempDir, testConfig } from '../support/cozum.ts';

interface Row {
  text: string;
  intent: string;
  style: 'clean' | 'ascii' | 'typos' | 'colloquial' | 'long';
}

const rows = readFileSync('nlu/heldout.jsonl', 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Row);
const STYLES = ['clean', 'ascii', 'typos', 'colloquial', 'long'] as const;

let nlu: Nlu;
let training: Set<string>;
const temp = tempDir();
beforeAll(() => {
  const loaded = loadNlu(testConfig(temp.dir));
  nlu = loaded.nlu;
  training = new Set(loaded.intents.flatMap((intent) => intent.examples.map((example) => example.toLocaleLowerCase('tr'))));
});

describe('the held-out set', () => {
  it('has 300+ messages of every style and intent, none of them a training example', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const style of STYLES) expect(rows.filter((row) => row.style === style).length, style).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((row) => row.intent)).size).toBe(16);
    expect(rows.filter((row) => training.has(row.text.toLocaleLowerCase('tr')))).toEqual([]);
    for (const row of rows.filter((r) => r.style === 'ascii')) expect(row.text, row.text).not.toMatch(/[çğıöşüÇĞİÖŞÜ]/);
  });

  it('is understood as well in long and colloquial messages as in clean ones', () => {
    const f1 = (style: Row['style']) =>
      evaluate(rows.filter((row) => row.style === style).map((row) => ({ text: row.text, gold: row.intent, predicted: nlu.understand(row.text).intent }))).macroF1;
    const clean = f1('clean');
    expect(clean).toBeGreaterThanOrEqual(0.97);
    // The weakest styles before (long stories, spoken spellings) within a message or two of clean ones…
    for (const style of ['colloquial', 'long'] as const) expect(f1(style), style).toBeGreaterThanOrEqual(Math.min(clean, 0.99) - 0.035);
    // …and no style below 95%.
    for (const style of STYLES) expect(f1(style), style).toBeGreaterThanOrEqual(0.95);
  });
});
