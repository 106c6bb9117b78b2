// What the bot asks of NLU: which intent a message has, and how sure we are.
import path from 'node:path';
import type { IntentClassifier, Prediction, TrainingExample } from './classifier.ts';
import type { Language, LanguageDetector } from './language.ts';
import { hasNoWords } from './normalize.ts';

/** The most words a greeting or thanks that opens a request is taken to have ("iyi günler", "السلام عليكم"). */
const MAX_GREETING_WORDS = 2;
/**
 * What is left after the greeting must be a request of two words or more, read this confidently: a
 * single word after a greeting ("iyi akşamlar belediye") or a vague one ("hello, I need help with
 * something") stays a greeting (measured on the held-out sets and the development set, `npm run nlu:eval`).
 */
const MIN_REQUEST_WORDS = 2;
const REQUEST_CONFIDENCE = 0.75;
/** Intents that are part of talking, not a topic a greeting could hide. */
const CONVERSATIONAL = new Set(['greeting', 'goodbye', 'handoff.agent', 'none']);

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
    const whole = this.classifiers[read].predict(text);
    const opened = whole.intent === 'greeting' || whole.intent === 'goodbye' || whole.confidence < this.threshold;
    const prediction = opened ? (this.afterOpening(text, read) ?? whole) : whole;
    const confidence = Math.round(prediction.confidence * 1000) / 1000;
    const intent = confidence >= this.threshold ? prediction.intent : 'none';
    return { intent, confidence, guess: prediction.intent, language: read };
  }

  /**
   * A greeting or a thank-you that opens a request ("merhabalar, çöpler alınmadı", "teşekkürler ama su
   * hâlâ gelmedi", "السلام عليكم، بدي اعرف عن ياكين كارت"): the polite words outweigh a short request,
   * but the request is what the citizen wants answered. The first one or two words, when they alone
   * read as a greeting or a goodbye, are set aside and the rest is read again; taken only when it is
   * confidently a topic (after "merhaba", "bir sorum var" asks for nothing yet, and a person is asked
   * for in so many words, which the whole message shows).
   */
  private afterOpening(text: string, language: Language): Prediction | undefined {
    const words = text.trim().split(/\s+/);
    const classifier = this.classifiers[language];
    for (let opening = 1; opening <= Math.min(MAX_GREETING_WORDS, words.length - MIN_REQUEST_WORDS); opening++) {
      const politeness = classifier.predict(words.slice(0, opening).join(' ')).intent;
      if (politeness !== 'greeting' && politeness !== 'goodbye') continue;
      const rest = classifier.predict(words.slice(opening).join(' '));
      if (!CONVERSATIONAL.has(rest.intent) && rest.confidence >= Math.max(REQUEST_CONFIDENCE, this.threshold)) return rest;
    }
    return undefined;
  }
}
