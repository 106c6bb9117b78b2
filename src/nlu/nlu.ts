// What the bot asks of NLU: which intent a message has, and how sure we are.
import path from 'node:path';
import type { IntentClassifier, TrainingExample } from './classifier.ts';
import type { Language, LanguageDetector } from './language.ts';
import { hasNoWords } from './normalize.ts';

export interface Understanding {
  /** The intent acted on: `none` when the classifier is not confident enough. */
  intent: string;
  confidence: number;
  /** The classifier's best guess, even when it was below the threshold. */
  guess: string;
  /** The message's language, whose model read it (undefined: no letters, read by the Turkish one). */
  language?: Language;
}

export function trainingExamples(intents: readonly { name: string; examples: readonly string[] }[]): TrainingExample[] {
  return intents.flatMap((intent) => intent.examples.map((text) => ({ text, intent: intent.name })));
}

/**
 * The model shipped with the content, trained on its intents/ by `npm run nlu:train`: nlu/model.json
 * for Turkish, nlu/model.<language>.json for the others.
 */
export function shippedModelFile(contentDir: string, language: Language = 'tr'): string {
  return path.resolve(contentDir, 'nlu', language === 'tr' ? 'model.json' : `model.${language}.json`);
}

/** The language classifier shipped beside it (src/nlu/language.ts). */
export function shippedLanguageModelFile(contentDir: string): string {
  return path.resolve(contentDir, 'nlu', 'language-model.json');
}

/**
 * One intent model per language, the same labels in each: a message is read by the model of the
 * language it is written in (Turkish keeps the model it had alone, so adding a language changes
 * nothing for Turkish).
 */
export class Nlu {
  constructor(
    private readonly classifiers: Record<Language, IntentClassifier>,
    readonly threshold: number,
    readonly languages: LanguageDetector,
  ) {}

  /** The message's intent; `language` when the caller already knows it, else detected from the message. */
  understand(text: string, language?: Language): Understanding {
    if (hasNoWords(text)) return { intent: 'none', confidence: 1, guess: 'none' };
    const read = language ?? this.languages.detect(text)?.language ?? 'tr';
    const prediction = this.classifiers[read].predict(text);
    const confidence = Math.round(prediction.confidence * 1000) / 1000;
    const intent = confidence >= this.threshold ? prediction.intent : 'none';
    return { intent, confidence, guess: prediction.intent, language: read };
  }
}
