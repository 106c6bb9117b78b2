// Which language a message is written in: Turkish, Arabic or English.
//
// Arabic script is unambiguous. A Turkish letter (ç ğ ı ö ş ü) is Turkish. What is left is Latin
// letters without them: Turkish typed on a phone without its letters ("yakin kart basvurusu"),
// English, and Arabic typed in Latin letters with digits for the sounds Latin lacks ("baddi
// mosa3ade", Arabizi). A language-only classifier, the same softmax and features as the intent
// classifier, trained on every language's intent examples, tells those apart; `npm run nlu:eval`
// measures it on short messages beside a general-purpose detector.
import { IntentClassifier, type TrainingExample } from './classifier.ts';
import { fold, isArabicScript } from './normalize.ts';

export const LANGUAGES = ['tr', 'ar', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const TURKISH_LETTER = /[çğıöşüÇĞİÖŞÜ]/;

/** From this confidence on, the classifier's guess is taken as the language the message is written in. */
export const CONFIDENT_GUESS = 0.8;

export interface LanguageGuess {
  language: Language;
  confidence: number;
  /** How it was told: by the script, by a Turkish letter, or by the classifier. */
  by: 'script' | 'letters' | 'model';
}

/** Training data for the language classifier: each language's examples, labelled with the language. */
export function languageExamples(examplesByLanguage: Readonly<Record<Language, readonly string[]>>): TrainingExample[] {
  // Arabic script needs no model: only the Latin-letter examples teach it anything.
  return LANGUAGES.flatMap((language) => examplesByLanguage[language].filter((text) => !isArabicScript(text) && fold(text) !== '').map((text) => ({ text, intent: language })));
}

export class LanguageDetector {
  constructor(private readonly classifier: IntentClassifier) {}

  /** The language of one message, or undefined when it holds no letters (a number, an emoji). */
  detect(text: string): LanguageGuess | undefined {
    if (!/\p{L}/u.test(text)) return undefined;
    if (isArabicScript(text)) return { language: 'ar', confidence: 1, by: 'script' };
    if (TURKISH_LETTER.test(text)) return { language: 'tr', confidence: 1, by: 'letters' };
    const prediction = this.classifier.predict(text);
    return { language: prediction.intent as Language, confidence: prediction.confidence, by: 'model' };
  }
}
