// What the bot asks of NLU: which intent a message has, and how sure we are.
import path from 'node:path';
import type { IntentClassifier, TrainingExample } from './classifier.ts';
import { hasNoWords } from './normalize.ts';

export interface Understanding {
  /** The intent acted on: `none` when the classifier is not confident enough. */
  intent: string;
  confidence: number;
  /** The classifier's best guess, even when it was below the threshold. */
  guess: string;
}

export function trainingExamples(intents: readonly { name: string; examples: readonly string[] }[]): TrainingExample[] {
  return intents.flatMap((intent) => intent.examples.map((text) => ({ text, intent: intent.name })));
}

/** The model shipped with the content, trained on its intents/ by `npm run nlu:train`. */
export function shippedModelFile(contentDir: string): string {
  return path.resolve(contentDir, 'nlu', 'model.json');
}

export class Nlu {
  constructor(
    private readonly classifier: IntentClassifier,
    readonly threshold: number,
  ) {}

  understand(text: string): Understanding {
    if (hasNoWords(text)) return { intent: 'none', confidence: 1, guess: 'none' };
    const prediction = this.classifier.predict(text);
    const confidence = Math.round(prediction.confidence * 1000) / 1000;
    const intent = confidence >= this.threshold ? prediction.intent : 'none';
    return { intent, confidence, guess: prediction.intent };
  }
}
