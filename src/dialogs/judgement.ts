// Before a form stores an answer, one decision: does the message answer the question asked, or is
// it something else? Citizens ask questions in the middle ("bu arada emlak vergimi nereden
// öderim?"), correct an earlier answer ("pardon mahalle yanlış, Erzene olacak"), or start another
// request ("yardım başvurusu da yapmak istiyorum"). Stored as an address, any of these is a ticket
// nobody can act on; answered, the citizen is then asked the same question again.
import type { Understanding } from '../nlu/nlu.ts';
import { fold, westernDigits, words } from '../nlu/normalize.ts';
import type { StepSpec } from './spec.ts';
import { stemMatches } from './validators/turkish-match.ts';
import type { Vocabulary } from './vocabulary.ts';

export type Judgement =
  | { kind: 'answer' }
  /** A FAQ question: answer it, then ask the step again. */
  | { kind: 'faq'; answer: string }
  /** A question the assistant has no answer for. */
  | { kind: 'question' }
  /** Another request (another form, a person): noted or acted on, not stored as this answer. */
  | { kind: 'request'; intent: string }
  /** An earlier answer corrected; `value` is what the citizen gave instead, if they did. */
  | { kind: 'correction'; step: StepSpec; value: string };

export interface JudgementContext {
  vocabulary: Vocabulary;
  understand(text: string): Understanding;
  /** The FAQ answer of an intent, if it has one. */
  faqAnswer(intent: string): string | undefined;
  /** Intents that start a request of their own (other forms, a person). */
  requestIntents: ReadonlySet<string>;
  /** The intent of the form being filled in. */
  currentIntent: string;
  /** Steps already answered, which a correction may name. */
  answered: readonly StepSpec[];
}

/** Steps whose answer is free text: anything can be stored, so everything must be judged first. */
const FREE_TYPES = new Set<StepSpec['type']>(['text', 'address', 'name', 'days']);
/** A classifier this sure of a short message is believed over the step's question. */
const SURE = 0.9;
/** A correction is a short remark; a long text naming a field is a story. */
const CORRECTION_MAX_WORDS = 12;
/**
 * In a story (a `text` step), a new request is a message that tells nothing of its own
 * ("yardım başvurusu yapmak istiyorum"): at most this many story words.
 */
const REQUEST_MAX_STORY_WORDS = 2;
/** Words around a corrected value that are not the value: "… olarak", "… yazın". */
const AROUND_VALUE = new Set(['ve', 'de', 'da', 'ise', 'olarak', 'yazin', 'yaz', 'su', 'sey', 'ben', 'benim', 'bu', 'o', 'yazdim', 'yazmisim', 'dogrusu', 'adi', 'ismi', 'numarasi', 'bilgisi', 'kismi']);

/** The words that name a step: its aliases and the longer words of its label. */
function namesOf(step: StepSpec): string[][] {
  const label = words(step.label).filter((w) => w.length >= 3 && !AROUND_VALUE.has(w));
  return [...step.aliases.map((alias) => words(alias)), ...label.map((w) => [w])].filter((n) => n.length > 0);
}

function mentions(tokens: readonly string[], name: readonly string[]): number {
  for (let i = 0; i + name.length <= tokens.length; i++) {
    if (name.every((w, j) => stemMatches(tokens[i + j]!, w))) return i;
  }
  return -1;
}

/** The answered step a message names, if exactly one is named. */
export function namedStep(text: string, steps: readonly StepSpec[]): StepSpec | undefined {
  const tokens = words(text);
  const named = steps.filter((step) => namesOf(step).some((name) => mentions(tokens, name) >= 0));
  return named.length === 1 ? named[0] : undefined;
}

/**
 * What is left of a correction once the correction words and the field's name (its first mention:
 * "Gül sokak" keeps its "sokak") are taken out, as the citizen wrote it.
 */
function correctedValue(text: string, step: StepSpec, vocabulary: Vocabulary): string {
  const kept = new Set(vocabulary.withoutCorrectionWords(text));
  const names = namesOf(step).flat();
  let named = false;
  return text
    .split(/\s+/)
    .filter((token) => {
      const folded = fold(token);
      if (folded === '' || !kept.has(folded) || AROUND_VALUE.has(folded)) return false;
      if (!named && names.some((name) => stemMatches(folded, name))) return !(named = true);
      return true;
    })
    .join(' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

/** A correction of an earlier answer: a correction word and the name of exactly one answered step. */
export function findCorrection(text: string, context: Pick<JudgementContext, 'vocabulary' | 'answered'>): Judgement | undefined {
  if (context.answered.length === 0 || words(text).length > CORRECTION_MAX_WORDS) return undefined;
  if (!context.vocabulary.hasCorrectionWord(text)) return undefined;
  const step = namedStep(text, context.answered);
  return step ? { kind: 'correction', step, value: correctedValue(text, step, context.vocabulary) } : undefined;
}

/**
 * Whether `text` is something other than an answer to `step` (a question, a FAQ, another request).
 * `valid` says whether the step's validator accepted it: a valid phone number is an answer.
 */
export function judgeAnswer(step: StepSpec, text: string, valid: boolean, context: JudgementContext): Judgement {
  const correction = findCorrection(text, context);
  if (correction) return correction;
  if (text.trim() === '') return { kind: 'answer' };

  const free = FREE_TYPES.has(step.type);
  // A strict step's answer that fits is an answer; only what does not fit may be something else.
  if (valid && !free) return { kind: 'answer' };
  const { vocabulary } = context;
  // "evet", "geç", "gönder": words of answering, whatever a classifier makes of one word.
  if (vocabulary.meaning(text) !== undefined) return { kind: 'answer' };

  const aside = vocabulary.isAside(text);
  const question = vocabulary.isQuestion(text);
  const understood = context.understand(text);
  const { intent, confidence } = understood;
  const faq = intent.startsWith('faq.') ? context.faqAnswer(intent) : undefined;
  const request = intent !== context.currentIntent && context.requestIntents.has(intent);
  const wordCount = words(text).length;

  if (!valid) {
    if (faq && confidence >= 0.7) return { kind: 'faq', answer: faq };
    if (request && confidence >= SURE && wordCount >= 2) return { kind: 'request', intent };
    return { kind: 'answer' };
  }

  if (step.type === 'text') {
    // A story may ask and may name other things: only a plain aside, a sure FAQ question or a
    // short new request is not part of it.
    if (aside && faq) return { kind: 'faq', answer: faq };
    if (aside && request) return { kind: 'request', intent };
    if (question && faq && confidence >= SURE) return { kind: 'faq', answer: faq };
    if (request && confidence >= SURE && vocabulary.storyWords(text).length <= REQUEST_MAX_STORY_WORDS) return { kind: 'request', intent };
    return { kind: 'answer' };
  }

  if (step.type === 'days') {
    // "salı öğleden sonra olur mu?" answers with a question mark; only a FAQ or a request does not.
    if ((aside || question) && faq) return { kind: 'faq', answer: faq };
    if ((aside || question || confidence >= SURE) && request) return { kind: 'request', intent };
    return { kind: 'answer' };
  }
  // An address or a name: a question is never the answer. A question word alone does not make
  // one ("nerede olduğunu bilmiyorum, pazarın arkası" is an address); a question mark or an aside does.
  if (aside || question) {
    const plainly = aside || /\?/.test(text);
    if (step.type === 'name' && !plainly && wordCount <= 2) return { kind: 'answer' };
    if (faq && (plainly || confidence >= 0.7)) return { kind: 'faq', answer: faq };
    if (request && (plainly || confidence >= 0.7)) return { kind: 'request', intent };
    if (plainly) return { kind: 'question' };
  }
  // A name that reads as a name ("Derya Su") is one, whatever a classifier makes of its words;
  // a sentence of three words and more that a classifier is sure of is not.
  if (step.type === 'name' && wordCount < 3) return { kind: 'answer' };
  const hasDigits = /\d/.test(westernDigits(text));
  if (faq && confidence >= SURE && !(step.type === 'address' && hasDigits)) return { kind: 'faq', answer: faq };
  if (request && confidence >= SURE && !(step.type === 'address' && hasDigits)) return { kind: 'request', intent };
  return { kind: 'answer' };
}
