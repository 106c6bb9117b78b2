// `npm run nlu:eval [file.jsonl]`: how well the assistant understands, from a clean clone.
//   1. The repository's own held-out set (nlu/heldout.jsonl): accuracy and macro-F1, overall and by
//      writing style (clean, ascii, typos, colloquial, long). Never trained on.
//   2. Emergencies (nlu/emergencies.yaml, every intent example, the held-out set): missed
//      emergencies and false alarms, both of which must be 0.
//   3. The shared development set (../shared/nlu/dev.jsonl, or NLU_DEV_SET, or the file named on
//      the command line) when it is there. Measure on it; never train on it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EmergencyDetector } from '../bot/emergencies.ts';
import { loadEmergencyTable, scoreEmergencies } from '../bot/emergency-table.ts';
import { loadConfig } from '../config.ts';
import { loadEmergencies } from '../content/emergencies.ts';
import { loadNlu } from '../main.ts';
import { evaluate, hasNoTurkishLetters, type Evaluation, type Scored } from '../nlu/evaluate.ts';

interface Row {
  text: string;
  intent: string;
  style?: string;
}

function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const line = (label: string, e: Evaluation) => `  ${label.padEnd(26)} n=${String(e.count).padStart(4)}  accuracy ${pct(e.accuracy).padStart(6)}  macro-F1 ${pct(e.macroF1).padStart(6)}`;

function report(title: string, rows: Row[], understand: (text: string) => string, byStyle: boolean): void {
  const scored: (Scored & { style?: string })[] = rows.map((row) => ({ text: row.text, gold: row.intent, predicted: understand(row.text), style: row.style }));
  const all = evaluate(scored);
  console.log(`\n${title}`);
  console.log('  per intent              F1      P      R   n');
  for (const s of all.perIntent) {
    console.log(`  ${s.intent.padEnd(22)} ${pct(s.f1).padStart(6)} ${pct(s.precision).padStart(6)} ${pct(s.recall).padStart(6)} ${String(s.support).padStart(3)}`);
  }
  console.log('  most confused (gold → predicted)');
  for (const c of all.confusions.slice(0, 8)) console.log(`    ${c.count}× ${c.gold} → ${c.predicted}   e.g. "${c.examples[0]!.slice(0, 70)}"`);
  if (byStyle) {
    for (const style of [...new Set(scored.map((row) => row.style ?? 'unlabelled'))]) {
      console.log(line(`style: ${style}`, evaluate(scored.filter((row) => (row.style ?? 'unlabelled') === style))));
    }
  } else {
    console.log(line('with Turkish letters', evaluate(scored.filter((row) => !hasNoTurkishLetters(row.text)))));
    console.log(line('without Turkish letters', evaluate(scored.filter((row) => hasNoTurkishLetters(row.text)))));
  }
  console.log(line('all', all));
}

const config = loadConfig();
const { nlu, intents } = loadNlu(config);
const understand = (text: string) => nlu.understand(text).intent;
console.log(`NLU evaluation (threshold ${nlu.threshold}, ${intents.reduce((sum, intent) => sum + intent.examples.length, 0)} training examples)`);

const heldOutFile = path.resolve(config.contentDir, 'nlu', 'heldout.jsonl');
const heldOut = readRows(heldOutFile);
report(`Held-out set ${path.relative(process.cwd(), heldOutFile)} (never trained on)`, heldOut, understand, true);

const content = loadEmergencies(path.resolve(config.contentDir, 'bot'), config.municipality);
const table = loadEmergencyTable(path.resolve(config.contentDir, 'nlu', 'emergencies.yaml'));
const score = scoreEmergencies(EmergencyDetector.forIntents(content, intents), { ...table, ordinary: [...table.ordinary, ...heldOut.map((row) => row.text)] }, intents);
console.log(`\nEmergencies: ${score.urgent} urgent messages, ${score.ordinary} ordinary ones (table, every intent example, the held-out set)`);
console.log(`  false negatives (missed)    ${score.missed.length}`);
console.log(`  wrong kind (wrong number)   ${score.wrongKind.length}`);
console.log(`  false positives (alarms)    ${score.falseAlarms.length}`);
for (const miss of score.missed) console.log(`    missed ${miss.kind}: "${miss.text}"`);
for (const wrong of score.wrongKind) console.log(`    ${wrong.kind} read as ${wrong.found}: "${wrong.text}"`);
for (const alarm of score.falseAlarms) console.log(`    false alarm ${alarm.found} ("${alarm.words}"): "${alarm.text}"`);

const devFile = process.argv[2] ?? process.env.NLU_DEV_SET ?? path.resolve('..', 'shared', 'nlu', 'dev.jsonl');
if (existsSync(devFile)) report(`Development set ${path.relative(process.cwd(), devFile)}`, readRows(devFile), understand, false);
else console.log(`\n(No development set at ${path.relative(process.cwd(), devFile)}: skipped.)`);

if (score.missed.length + score.wrongKind.length + score.falseAlarms.length > 0) process.exitCode = 1;
