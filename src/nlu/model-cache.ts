// Training takes seconds (tens of seconds on a busy two-core machine); start-up should not. The
// repository ships the model trained on its own intents/ (nlu/model.json, `npm run nlu:train`), so a
// fresh clone starts without training. When intents/ differ from what that model was trained on (a
// municipality's own examples), the model is trained once and kept in DATA_DIR under a name derived
// from the training data and the feature code's version, so the next start loads it in milliseconds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { IntentClassifier, type SerializedModel, type TrainingExample } from './classifier.ts';

/**
 * Bump when features.ts, normalize.ts or classifier.ts change what a model holds or predicts: saved
 * and shipped models then no longer match, and test/nlu/shipped-model.test.ts asks for
 * `npm run nlu:train`.
 */
export const MODEL_VERSION = 4;

export type ModelSource = 'shipped' | 'cache' | 'trained';

export interface CachedModel {
  classifier: IntentClassifier;
  file: string;
  source: ModelSource;
  /** Kept for callers that only ask whether training happened. */
  trained: boolean;
}

/** The shipped model's file: the model and what it was trained on. */
export const ShippedModelSchema = z.object({
  /** `trainingDataHash` of the examples it was trained on. */
  key: z.string(),
  modelVersion: z.number().int(),
  examples: z.number().int(),
  model: z.custom<SerializedModel>((value) => typeof value === 'object' && value !== null && (value as SerializedModel).format === 'cozum-softmax-v1'),
});
export type ShippedModel = z.infer<typeof ShippedModelSchema>;

export function trainingDataHash(examples: TrainingExample[]): string {
  return createHash('sha256').update(JSON.stringify({ version: MODEL_VERSION, examples })).digest('hex').slice(0, 16);
}

/** The shipped model's header (key, version, example count), or undefined when the file is missing or unreadable. */
export function readShippedModel(file: string): ShippedModel | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = ShippedModelSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a model to ship (nlu/model.json): under a temporary name first, so a reader never sees half of one. */
export function writeShippedModel(file: string, examples: TrainingExample[], classifier: IntentClassifier): void {
  const shipped: ShippedModel = { key: trainingDataHash(examples), modelVersion: MODEL_VERSION, examples: examples.length, model: classifier.toJSON() };
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  // One feature per line: a retrained model reads as a diff of the features that moved.
  const { weights, ...rest } = shipped.model;
  const lines = Object.entries(weights).map(([feature, row]) => `${JSON.stringify(feature)}:${JSON.stringify(row)}`);
  const head = JSON.stringify({ ...shipped, model: { ...rest, weights: {} } }).replace(/"weights":\{\}\}\}$/, '');
  writeFileSync(partial, `${head}"weights":{\n${lines.join(',\n')}\n}}}\n`);
  renameSync(partial, file);
}

export interface LoadOptions {
  /** The model shipped with the content (nlu/model.json), used when it was trained on these examples. */
  shipped?: string;
  /** Where a model trained here is kept. */
  cacheDir: string;
  /** Called just before training, which takes a while: start-up says so. */
  onTraining?: (reason: string) => void;
  /** The cached file's name starts with this: each model (intents, languages) keeps its own. */
  prefix?: string;
}

export function loadOrTrain(examples: TrainingExample[], options: LoadOptions | string): CachedModel {
  const { shipped, cacheDir, onTraining, prefix = 'nlu-model-' } = typeof options === 'string' ? ({ cacheDir: options } as LoadOptions) : options;
  const key = trainingDataHash(examples);
  let reason = 'no model shipped';
  if (shipped) {
    const model = readShippedModel(shipped);
    if (model?.key === key) {
      return { classifier: IntentClassifier.fromJSON(model.model), file: shipped, source: 'shipped', trained: false };
    }
    reason = model ? `${path.basename(shipped)} was trained on other intents or another model version` : `${shipped} is missing or unreadable`;
  }
  const name = `${prefix}${key}.json`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) {
    try {
      return { classifier: IntentClassifier.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as SerializedModel), file, source: 'cache', trained: false };
    } catch {
      // A damaged cache file is not an error: train again and overwrite it.
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  onTraining?.(reason);
  const classifier = IntentClassifier.train(examples);
  // Written under a temporary name and renamed, so a reader never sees half a model.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(classifier.toJSON()));
  renameSync(partial, file);
  for (const old of readdirSync(cacheDir)) {
    if (old.startsWith(prefix) && old.endsWith('.json') && old !== name) rmSync(path.join(cacheDir, old), { force: true });
  }
  return { classifier, file, source: 'trained', trained: true };
}
