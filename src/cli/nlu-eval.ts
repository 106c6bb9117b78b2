// `npm run nlu:eval [file.jsonl]`: scores the classifier on a labelled set, by default the shared
// development set (../shared/nlu/dev.jsonl). Measure on it; never train on it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { loadNlu } from '../main.ts';
import { evaluate, hasNoTurkishLetters, type Evaluation, type Scored } from '../nlu/evaluate.ts';

const file = process.argv[2] ?? process.env.NLU_DEV_SET ?? path.resolve('..', 'shared', 'nlu', 'dev.jsonl');
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { text: string; intent: string });

const { nlu } = loadNlu(loadConfig());
const scored: Scored[] = rows.map((row) => ({ text: row.text, gold: row.intent, predicted: nlu.understand(row.text).intent }));
const all = evaluate(scored);
const plain = evaluate(scored.filter((row) => hasNoTurkishLetters(row.text)));
const turkish = evaluate(scored.filter((row) => !hasNoTurkishLetters(row.text)));

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const line = (label: string, e: Evaluation) => `${label.padEnd(28)} n=${String(e.count).padStart(4)}  accuracy ${pct(e.accuracy)}  macro-F1 ${pct(e.macroF1)}`;

console.log(`NLU evaluation on ${path.relative(process.cwd(), file)} (threshold ${nlu.threshold})\n`);
console.log('per intent              F1      P      R   n');
for (const s of all.perIntent) {
  console.log(`${s.intent.padEnd(22)} ${pct(s.f1).padStart(6)} ${pct(s.precision).padStart(6)} ${pct(s.recall).padStart(6)} ${String(s.support).padStart(3)}`);
}
console.log('\nmost confused (gold → predicted)');
for (const c of all.confusions.slice(0, 8)) console.log(`  ${c.count}× ${c.gold} → ${c.predicted}   e.g. "${c.examples[0]!.slice(0, 70)}"`);
console.log('');
console.log(line('with Turkish letters', turkish));
console.log(line('without Turkish letters', plain));
console.log(line('all', all));
