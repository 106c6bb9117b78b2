// `npm run nlu:train`: trains an intent classifier per language on intents/ and its translations
// (locales/<language>/intents/) and writes nlu/model.json (Turkish) and nlu/model.<language>.json, and the language classifier
// (src/nlu/language.ts) on the same examples and writes nlu/language-model.json: the models a fresh
// clone starts with (no training on its first start). Run it after editing intents/ or the NLU code
// (src/nlu/, with MODEL_VERSION bumped), and commit the files with the change;
// test/nlu/shipped-model.test.ts fails while a shipped model is stale.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { IntentClassifier, type TrainingExample } from '../nlu/classifier.ts';
import { shippedLanguageModelFile, shippedModelFile } from '../nlu/nlu.ts';
import { readShippedModel, trainingDataHash, writeShippedModel } from '../nlu/model-cache.ts';
import { languageExamplesOf, loadIntentsByLanguage } from '../main.ts';
import { LANGUAGES } from '../nlu/language.ts';
import { trainingExamples } from '../nlu/nlu.ts';

const config = loadConfig();
const byLanguage = loadIntentsByLanguage(config);

function train(what: string, examples: TrainingExample[], file: string): void {
  const before = readShippedModel(file);
  console.error(`Training the ${what} on ${examples.length} examples…`);
  const started = Date.now();
  writeShippedModel(file, examples, IntentClassifier.train(examples));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const note = before?.key === trainingDataHash(examples) ? ' (same training data as before)' : '';
  console.error(`Wrote ${path.relative(process.cwd(), file) || file} in ${seconds} s${note}. Commit it with your change.`);
}

for (const language of LANGUAGES) train(`intent classifier (${language})`, trainingExamples(byLanguage[language]), shippedModelFile(config.contentDir, language));
train('language classifier', languageExamplesOf(byLanguage), shippedLanguageModelFile(config.contentDir));
