// `npm run nlu:train`: trains the intent classifier on intents/ and writes nlu/model.json, the model
// a fresh clone starts with (no training on its first start). Run it after editing intents/ or the
// NLU code (src/nlu/, with MODEL_VERSION bumped), and commit the file with the change;
// test/nlu/shipped-model.test.ts fails while the shipped model is stale.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { loadIntents } from '../content/intents.ts';
import { IntentClassifier } from '../nlu/classifier.ts';
import { shippedModelFile, trainingExamples } from '../nlu/nlu.ts';
import { readShippedModel, trainingDataHash, writeShippedModel } from '../nlu/model-cache.ts';

const config = loadConfig();
const intents = loadIntents(path.resolve(config.contentDir, 'intents'), config.municipality);
const examples = trainingExamples(intents);
const file = shippedModelFile(config.contentDir);
const before = readShippedModel(file);
console.error(`Training the intent classifier on ${examples.length} examples of ${intents.length} intents…`);
const started = Date.now();
const classifier = IntentClassifier.train(examples);
writeShippedModel(file, examples, classifier);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const note = before?.key === trainingDataHash(examples) ? ' (same training data as before)' : '';
console.error(`Wrote ${path.relative(process.cwd(), file) || file} in ${seconds} s${note}. Commit it with your change.`);
