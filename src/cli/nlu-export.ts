// `npm run --silent nlu:export`: the training set as JSON lines {"text", "intent"}, so that other
// NLU systems can be trained on exactly the same data for comparison.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { loadIntents } from '../content/intents.ts';
import { trainingExamples } from '../nlu/nlu.ts';
import { municipalityValues } from '../content/municipality.ts';

const config = loadConfig();
const intents = loadIntents(path.resolve(config.contentDir, 'intents'), municipalityValues(config.contentDir, config.municipality).tr);
for (const example of trainingExamples(intents)) process.stdout.write(`${JSON.stringify(example)}\n`);
