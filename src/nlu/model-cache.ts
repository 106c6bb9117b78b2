// Training takes seconds; start-up should not. The trained model is kept in DATA_DIR under a name
// derived from the training data and the feature code's version, so editing intents/ (or the
// features) retrains on the next start and an unchanged installation loads in milliseconds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IntentClassifier, type SerializedModel, type TrainingExample } from './classifier.ts';

/** Bump when features.ts or classifier.ts change in a way that invalidates saved models. */
export const MODEL_VERSION = 3;

export interface CachedModel {
  classifier: IntentClassifier;
  file: string;
  trained: boolean;
}

export function trainingDataHash(examples: TrainingExample[]): string {
  return createHash('sha256').update(JSON.stringify({ version: MODEL_VERSION, examples })).digest('hex').slice(0, 16);
}

export function loadOrTrain(examples: TrainingExample[], cacheDir: string): CachedModel {
  mkdirSync(cacheDir, { recursive: true });
  const name = `nlu-model-${trainingDataHash(examples)}.json`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) {
    try {
      return { classifier: IntentClassifier.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as SerializedModel), file, trained: false };
    } catch {
      // A damaged cache file is not an error: train again and overwrite it.
    }
  }
  const classifier = IntentClassifier.train(examples);
  // Written under a temporary name and renamed, so a reader never sees half a model.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(classifier.toJSON()));
  renameSync(partial, file);
  for (const old of readdirSync(cacheDir)) {
    if (old.startsWith('nlu-model-') && old.endsWith('.json') && old !== name) rmSync(path.join(cacheDir, old), { force: true });
  }
  return { classifier, file, trained: true };
}
