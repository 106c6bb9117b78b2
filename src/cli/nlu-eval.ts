// `npm run nlu:eval [file.jsonl]`: how well the assistant understands, from a clean clone.
//   1. The repository's own held-out set (nlu/heldout.jsonl): accuracy and macro-F1, overall and by
//      writing style (clean, ascii, typos, colloquial, long). Never trained on.
//   2. Emergencies (nlu/emergencies.yaml, every intent example, the held-out set): missed
//      emergencies and false alarms, both of which must be 0. The same in Arabic and English
//      (nlu/emergencies.<language>.yaml with that language's intent examples and held-out set), read
//      as the bot reads such a citizen; and the Turkish ordinary messages read with every table.
//   3. Arabic and English held-out sets (nlu/heldout.ar.jsonl, nlu/heldout.en.jsonl): the same
//      figures per language.
//   4. Language detection on short messages (nlu/languages.jsonl: Turkish with and without its
//      letters, English, Arabic in Arabic letters and in Arabizi): Çözüm's own detector (script,
//      Turkish letters, the language classifier) beside tinyld and eld limited to the three languages.
//   5. The shared development set (../shared/nlu/dev.jsonl, or NLU_DEV_SET, or the file named on
//      the command line) when it is there. Measure on it; never train on it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { detectInTables, EmergencyDetector, tablesFor } from '../bot/emergencies.ts';
import { loadEmergencyTable, scoreEmergencies, type EmergencyScore } from '../bot/emergency-table.ts';
import { loadConfig } from '../config.ts';
import { loadEmergencies, loadEmergencyLanguages } from '../content/emergencies.ts';
import { loadNlu } from '../main.ts';
import { evaluate, hasNoTurkishLetters, type Evaluation, type Scored } from '../nlu/evaluate.ts';
import { LANGUAGES, type Language } from '../nlu/language.ts';
import { detectAll as tinyldAll } from 'tinyld';
import { eld } from 'eld';
import { municipalityValues } from '../content/municipality.ts';

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
const { nlu, intents, byLanguage, languages } = loadNlu(config);
const understand = (text: string) => nlu.understand(text).intent;
const exampleCount = (language: Language) => byLanguage[language].reduce((sum, intent) => sum + intent.examples.length, 0);
console.log(`NLU evaluation (threshold ${nlu.threshold}, training examples: ${LANGUAGES.map((l) => `${l} ${exampleCount(l)}`).join(', ')})`);

const heldOutFile = path.resolve(config.contentDir, 'nlu', 'heldout.jsonl');
const heldOut = readRows(heldOutFile);
report(`Held-out set ${path.relative(process.cwd(), heldOutFile)} (never trained on)`, heldOut, understand, true);

const content = loadEmergencies(path.resolve(config.contentDir, 'bot'), municipalityValues(config.contentDir, config.municipality).tr);
const table = loadEmergencyTable(path.resolve(config.contentDir, 'nlu', 'emergencies.yaml'));
const score = scoreEmergencies(EmergencyDetector.forIntents(content, intents), { ...table, ordinary: [...table.ordinary, ...heldOut.map((row) => row.text)] }, intents);
function printEmergencies(title: string, score: EmergencyScore): void {
  console.log(`\n${title}`);
  console.log(`  false negatives (missed)    ${score.missed.length}`);
  console.log(`  wrong kind (wrong number)   ${score.wrongKind.length}`);
  console.log(`  false positives (alarms)    ${score.falseAlarms.length}`);
  for (const miss of score.missed) console.log(`    missed ${miss.kind}: "${miss.text}"`);
  for (const wrong of score.wrongKind) console.log(`    ${wrong.kind} read as ${wrong.found}: "${wrong.text}"`);
  for (const alarm of score.falseAlarms) console.log(`    false alarm ${alarm.found} ("${alarm.words}"): "${alarm.text}"`);
}
printEmergencies(`Emergencies: ${score.urgent} urgent messages, ${score.ordinary} ordinary ones (table, every intent example, the held-out set)`, score);
const scores = [score];

// Arabic and English: read as the bot reads a citizen of that language, the Turkish table first, then
// the language's own, then the others the message may be written in (EmergencyTurn, `tablesFor`).
const tables = EmergencyDetector.forLanguages(loadEmergencyLanguages(config.contentDir, config.municipality), intents);
for (const language of LANGUAGES.filter((l) => l !== 'tr')) {
  const file = path.resolve(config.contentDir, 'nlu', `emergencies.${language}.yaml`);
  const own = loadEmergencyTable(file);
  const heldOutRows = readRows(path.resolve(config.contentDir, 'nlu', `heldout.${language}.jsonl`));
  const reader = { detect: (text: string) => detectInTables(tables, text, tablesFor(language, languages.detect(text))) };
  const result = scoreEmergencies(reader, { ...own, ordinary: [...own.ordinary, ...heldOutRows.map((row) => row.text)] }, byLanguage[language]);
  printEmergencies(`Emergencies (${language}): ${result.urgent} urgent messages, ${result.ordinary} ordinary ones (${path.relative(process.cwd(), file)}, every ${language} intent example, the ${language} held-out set)`, result);
  scores.push(result);
  // The same messages as a new citizen's first: the turn is Turkish until the language is known.
  const first = scoreEmergencies({ detect: (text: string) => detectInTables(tables, text, tablesFor('tr', languages.detect(text))) }, { ...own, ordinary: [...own.ordinary, ...heldOutRows.map((row) => row.text)] }, byLanguage[language]);
  printEmergencies(`Emergencies (${language}) as a new citizen's first message, the turn still Turkish`, first);
  scores.push(first);
}
// Turkish citizens' ordinary messages read as the bot reads them: a Latin-letter message whose
// language is only guessed goes through every table (`tablesFor`), so these are the false alarms
// that costs; the same messages read with every table, whatever their letters, for comparison.
const turkishOrdinary = { urgent: {}, ordinary: [...table.ordinary, ...heldOut.map((row) => row.text)] };
const asTheBotReads = scoreEmergencies({ detect: (text: string) => detectInTables(tables, text, tablesFor('tr', languages.detect(text))) }, turkishOrdinary, intents);
const everyTable = scoreEmergencies({ detect: (text: string) => detectInTables(tables, text, ['tr', 'en', 'ar']) }, turkishOrdinary, intents);
console.log(`\nTurkish ordinary messages read as the bot reads them: ${asTheBotReads.falseAlarms.length} false alarms of ${asTheBotReads.ordinary}; with every table: ${everyTable.falseAlarms.length}`);
for (const alarm of everyTable.falseAlarms) console.log(`    false alarm ${alarm.found} ("${alarm.words}"): "${alarm.text}"`);
scores.push(asTheBotReads);

const macroF1: string[] = [`tr ${pct(evaluate(heldOut.map((row) => ({ text: row.text, gold: row.intent, predicted: understand(row.text) }))).macroF1)}`];
for (const language of LANGUAGES.filter((l) => l !== 'tr')) {
  const file = path.resolve(config.contentDir, 'nlu', `heldout.${language}.jsonl`);
  const rows = readRows(file);
  report(`Held-out set ${path.relative(process.cwd(), file)} (${language}, never trained on)`, rows, understand, true);
  macroF1.push(`${language} ${pct(evaluate(rows.map((row) => ({ text: row.text, gold: row.intent, predicted: understand(row.text) }))).macroF1)}`);
}
console.log(`\nMacro-F1 by language (held-out sets): ${macroF1.join(' · ')}`);

// Language detection on short messages.
const languageFile = path.resolve(config.contentDir, 'nlu', 'languages.jsonl');
const languageRows = readFileSync(languageFile, 'utf8')
  .split('\n')
  .filter((row) => row.trim() !== '')
  .map((row) => JSON.parse(row) as { text: string; language: Language });
/** tinyld and eld know a hundred languages; each is asked to choose among ours only. */
const ours = new Set<string>(LANGUAGES);
const tinyldPick = (text: string) => tinyldAll(text).find((guess) => ours.has(guess.lang))?.lang ?? '?';
// The package's dynamic entry (the one imported here) loads its n-gram database on demand.
if ('load' in eld) await eld.load('medium');
eld.setLanguageSubset([...LANGUAGES]);
const detectors: [string, (text: string) => string][] = [
  ['Çözüm (script, letters, classifier)', (text) => languages.detect(text)?.language ?? '?'],
  ['tinyld (tr/ar/en only)', tinyldPick],
  ['eld medium (tr/ar/en subset)', (text) => eld.detect(text).language || '?'],
];
console.log(`\nLanguage detection: ${languageRows.length} short messages (${path.relative(process.cwd(), languageFile)})`);
for (const [name, detect] of detectors) {
  const right = (rows: typeof languageRows) => rows.filter((row) => detect(row.text) === row.language).length;
  const slices = [
    ['all', languageRows],
    ...LANGUAGES.map((language) => [language, languageRows.filter((row) => row.language === language)] as const),
    ['tr without its letters', languageRows.filter((row) => row.language === 'tr' && hasNoTurkishLetters(row.text))],
    ['ar in Latin letters', languageRows.filter((row) => row.language === 'ar' && !/[\u0600-\u06ff]/.test(row.text))],
  ] as const;
  console.log(`  ${name.padEnd(36)} ${slices.map(([label, rows]) => `${label} ${pct(right(rows) / Math.max(1, rows.length))}`).join(' · ')}`);
}
const wrong = languageRows.filter((row) => languages.detect(row.text)?.language !== row.language);
for (const row of wrong) console.log(`    Çözüm read ${languages.detect(row.text)?.language ?? '?'} for ${row.language}: "${row.text}"`);

const devFile = process.argv[2] ?? process.env.NLU_DEV_SET ?? path.resolve('..', 'shared', 'nlu', 'dev.jsonl');
if (existsSync(devFile)) report(`Development set ${path.relative(process.cwd(), devFile)}`, readRows(devFile), understand, false);
else console.log(`\n(No development set at ${path.relative(process.cwd(), devFile)}: skipped.)`);

if (scores.some((one) => one.missed.length + one.wrongKind.length + one.falseAlarms.length > 0)) process.exitCode = 1;
