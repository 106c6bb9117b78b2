// nlu/model.json, the model a fresh clone starts with, must be the one `npm run nlu:train` makes
// from today's intents/ and today's classifier code: otherwise a clone would answer with an old
// model (or train on its first start, which the shipped model exists to avoid).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { IntentClassifier } from '../../src/nlu/classifier.ts';
import { MODEL_VERSION, loadOrTrain, readShippedModel, trainingDataHash, writeShippedModel } from '../../src/nlu/model-cache.ts';
import { shippedLanguageModelFile, shippedModelFile, trainingExamples } from '../../src/nlu/nlu.ts';
import { languageExamplesOf, loadIntentsByLanguage, loadNlu } from '../../src/main.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const REBUILD = 'Run `npm run nlu:train` and commit nlu/model*.json and nlu/language-model.json.';
const config = loadConfig({ env: {}, file: null });
const examples = trainingExamples(loadIntents(path.resolve('intents'), valuesOf(config.municipality)));
const shipped = readShippedModel(shippedModelFile('.'));

describe('the shipped NLU model (nlu/model.json)', () => {
  it('was trained on the examples in intents/ with this MODEL_VERSION', () => {
    expect(shipped, `nlu/model.json is missing or unreadable. ${REBUILD}`).toBeDefined();
    expect(shipped!.modelVersion, `nlu/model.json was built with MODEL_VERSION ${shipped!.modelVersion}, the code is at ${MODEL_VERSION}. ${REBUILD}`).toBe(MODEL_VERSION);
    expect(shipped!.key, `intents/ changed since nlu/model.json was built. ${REBUILD}`).toBe(trainingDataHash(examples));
  });

  it('ships the Arabic and English intent models and the language model, trained on today\'s locales/', () => {
    const byLanguage = loadIntentsByLanguage(config);
    for (const language of ['ar', 'en'] as const) {
      const model = readShippedModel(shippedModelFile('.', language));
      expect(model, `nlu/model.${language}.json is missing. ${REBUILD}`).toBeDefined();
      expect(model!.key, `locales/${language}/intents/ changed since nlu/model.${language}.json was built. ${REBUILD}`).toBe(trainingDataHash(trainingExamples(byLanguage[language])));
    }
    const languageModel = readShippedModel(shippedLanguageModelFile('.'));
    expect(languageModel?.key, `intents changed since nlu/language-model.json was built. ${REBUILD}`).toBe(trainingDataHash(languageExamplesOf(byLanguage)));
  });

  it('is what the classifier code trains today', { timeout: 240_000 }, () => {
    // Training is deterministic (a seeded shuffle), so the shipped weights must come back; a change
    // to features.ts, normalize.ts or classifier.ts that moves them needs a new MODEL_VERSION and model.
    const today = IntentClassifier.train(examples).toJSON();
    const model = shipped!.model;
    const stale = `The NLU code trains a different model from nlu/model.json: bump MODEL_VERSION in src/nlu/model-cache.ts, then ${REBUILD}`;
    expect(model.labels, stale).toEqual(today.labels);
    expect(model.temperature, stale).toBeCloseTo(today.temperature, 6);
    expect(Object.keys(model.weights).sort(), stale).toEqual(Object.keys(today.weights).sort());
    let largest = 0;
    for (const [feature, row] of Object.entries(today.weights)) {
      row.forEach((value, k) => (largest = Math.max(largest, Math.abs(value - model.weights[feature]![k]!))));
    }
    today.bias.forEach((value, k) => (largest = Math.max(largest, Math.abs(value - model.bias[k]!))));
    // Rounded to 1e-5 when written: a weight on the edge of a rounding step may differ by one step.
    expect(largest, stale).toBeLessThanOrEqual(1e-4);
  });

  it('is what a start uses, without training and without writing a model of its own', () => {
    const temp = tempDir();
    try {
      const cacheDir = path.join(temp.dir, 'cache');
      const loaded = loadNlu(loadConfig({ env: {}, file: null, overrides: { dataDir: temp.dir, 'nlu.cacheDir': cacheDir } }), () => {
        throw new Error('started training although nlu/model.json matches intents/');
      });
      expect(loaded.source).toBe('shipped');
      expect(loaded.modelFile).toBe(path.resolve('nlu/model.json'));
      expect(loaded.nlu.understand('yakin kart nasil alinir').intent).toBe('faq.yakin_kart');
    } finally {
      temp.remove();
    }
  });

  it('is left alone when intents/ differ from what it was trained on: the start trains, says why, and keeps that model', () => {
    const temp = tempDir();
    try {
      const mine = [
        ...['merhaba', 'selam', 'iyi günler'].map((text) => ({ text, intent: 'greeting' })),
        ...['su kesik', 'sular yok', 'su gelmiyor'].map((text) => ({ text, intent: 'faq.water_outage' })),
      ];
      const file = path.join(temp.dir, 'nlu', 'model.json');
      writeShippedModel(file, mine.slice(1), IntentClassifier.train(mine.slice(1), { epochs: 2, calibrationFolds: 0 }));
      const reasons: string[] = [];
      const first = loadOrTrain(mine, { shipped: file, cacheDir: path.join(temp.dir, 'cache'), onTraining: (reason) => reasons.push(reason) });
      expect(first.source).toBe('trained');
      expect(reasons).toEqual(['model.json was trained on other intents or another model version']);
      const second = loadOrTrain(mine, { shipped: file, cacheDir: path.join(temp.dir, 'cache'), onTraining: (reason) => reasons.push(reason) });
      expect(second.source).toBe('cache');
      expect(reasons).toHaveLength(1);
      expect(second.classifier.predict('sular kesik').intent).toBe('faq.water_outage');
    } finally {
      temp.remove();
    }
  });
});
