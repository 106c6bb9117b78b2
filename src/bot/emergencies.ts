// Is this message an emergency, and of which kind? Pure: the kinds, their phrases and the words
// that negate them come from bot/emergencies.yaml (content/emergencies.ts). Checked before
// anything else in a turn, so both mistakes are costly: a missed gas leak, and an ordinary
// "akşam karanlık oluyor" that stops a citizen filing their complaint. Hence phrases matched on
// the text as written (nlu/phrases.ts), and three ways a match is set aside:
//   except    a phrase covering the same words that makes them ordinary ("yangın merdiveni", "gaz faturası");
//   unless    a phrase anywhere in the same sentence ("köpek" for "yaralı", "her yağmurda" for "su bastı");
//   negation  a negating word right after the match, or after filler words only ("gaz kokusu artık yok").
import type { EmergencyContent, EmergencyKind } from '../content/emergencies.ts';
import type { Intent } from '../content/intents.ts';
import { LANGUAGES, type Language } from '../content/languages.ts';
import { CONFIDENT_GUESS, type LanguageGuess } from '../nlu/language.ts';
import { asciiWordsOf, compilePhrase, overlaps, phraseSpans, termMatches, tokenize, type Phrase, type Span, type Token } from '../nlu/phrases.ts';

export interface Emergency {
  kind: EmergencyKind;
  /** The words that revealed it, as written: for the agents' queue and the logs. */
  words: string;
  /** The language the answer is given in (EmergencyTurn.detect). */
  language?: Language;
}

interface CompiledKind {
  kind: EmergencyKind;
  phrases: Phrase[];
  except: Phrase[];
  unless: Phrase[];
}


export class EmergencyDetector {
  private readonly kinds: CompiledKind[];
  private readonly negation: Phrase | undefined;
  /** Negations standing before the match ("no gas smell"): Arabic and English. */
  private readonly negationBefore: Phrase | undefined;
  /** "değil mi", "yok mu": a question expecting yes, not a negation. */
  private readonly questionParticle: Phrase;
  /** Words that may stand between a match and its negation ("gaz kokusu artık yok"). */
  private readonly filler: Phrase | undefined;

  /**
   * @param commonWords ASCII words that are words of their own: a phrase's word typed without
   *   Turkish letters is not matched when it becomes one of them.
   * @param options.folded Read the text with Turkish letters folded to ASCII (English, Arabic): a
   *   capital I lower-cased the Turkish way ("FIRE" → "fıre") still meets "fire".
   */
  constructor(
    content: Pick<EmergencyContent, 'kinds' | 'negations' | 'negationFillers' | 'commonWords'> & Partial<Pick<EmergencyContent, 'negationsBefore'>>,
    commonWords: Iterable<string> = [],
    private readonly options: { folded?: boolean } = {},
  ) {
    const common = new Set([...content.commonWords, ...commonWords]);
    const compile = (sources: string[]) => sources.map((source) => compilePhrase(source, common));
    this.kinds = content.kinds.map((kind) => ({ kind, phrases: compile(kind.phrases), except: compile(kind.except), unless: compile(kind.unless) }));
    const either = (words: string[]) => (words.length > 0 ? compilePhrase(words.join('|'), common) : undefined);
    this.negation = either(content.negations);
    this.negationBefore = either(content.negationsBefore ?? []);
    this.questionParticle = compilePhrase('mi|mı|mu|mü', common);
    this.filler = content.negationFillers.length > 0 ? compilePhrase(content.negationFillers.join('|'), common) : undefined;
  }

  /**
   * Words that citizens typing with Turkish letters still write without them (in the intents'
   * examples) are real words: an emergency word whose ASCII form is one of them is only matched
   * as written.
   */
  static forIntents(content: EmergencyContent, intents: Intent[]): EmergencyDetector {
    return new EmergencyDetector(content, asciiWordsOf(intents.flatMap((intent) => intent.examples)));
  }

  /** One detector per language's table; the intents' ASCII-typed words (`forIntents`) are Turkish ones. */
  static forLanguages(contents: Record<Language, EmergencyContent>, intents: Intent[]): Record<Language, EmergencyDetector> {
    const asciiWords = asciiWordsOf(intents.flatMap((intent) => intent.examples));
    return Object.fromEntries(LANGUAGES.map((language) => [language, language === 'tr' ? new EmergencyDetector(contents[language], asciiWords) : new EmergencyDetector(contents[language], [], { folded: true })])) as Record<Language, EmergencyDetector>;
  }

  /** The first kind (in the file's order) whose phrase occurs and is not set aside. */
  detect(text: string): Emergency | undefined {
    const tokens = this.options.folded ? tokenize(text).map((token) => ({ ...token, written: token.folded })) : tokenize(text);
    if (tokens.length === 0) return undefined;
    for (const compiled of this.kinds) {
      for (const phrase of compiled.phrases) {
        for (const span of phraseSpans(phrase, tokens)) {
          if (this.setAside(compiled, span, tokens)) continue;
          return { kind: compiled.kind, words: tokens.slice(span.first, span.last + 1).map((t) => t.written).join(' ') };
        }
      }
    }
    return undefined;
  }

  private setAside(compiled: CompiledKind, span: Span, tokens: Token[]): boolean {
    if (compiled.except.some((phrase) => phraseSpans(phrase, tokens).some((other) => overlaps(other, span)))) return true;
    const sentence = tokens[span.first]!.sentence;
    if (compiled.unless.some((phrase) => phraseSpans(phrase, tokens).some((other) => tokens[other.first]!.sentence === sentence))) return true;
    return this.negated(span, tokens);
  }

  private negated(span: Span, tokens: Token[]): boolean {
    return this.negatedAfter(span, tokens) || this.negatedBefore(span, tokens);
  }

  /** "no gas smell", "there is no more smoke", "ما في ريحة غاز": a negation, then filler words only, then the match. */
  private negatedBefore(span: Span, tokens: Token[]): boolean {
    if (!this.negationBefore) return false;
    const clause = tokens[span.first]!.clause;
    for (let index = span.first - 1; index >= 0 && tokens[index]!.clause === clause; index--) {
      const token = tokens[index]!;
      if (termMatches(this.negationBefore.terms[0]!, token)) return true;
      if (!this.filler || !termMatches(this.filler.terms[0]!, token)) return false;
    }
    return false;
  }

  private negatedAfter(span: Span, tokens: Token[]): boolean {
    if (!this.negation) return false;
    const clause = tokens[span.last]!.clause;
    const [negation] = this.negation.terms;
    for (let index = span.last + 1; index < tokens.length && tokens[index]!.clause === clause; index++) {
      const token = tokens[index]!;
      if (termMatches(negation!, token)) {
        const next = tokens[index + 1];
        return !(next && next.clause === clause && termMatches(this.questionParticle.terms[0]!, next));
      }
      if (!this.filler || !termMatches(this.filler.terms[0]!, token)) return false;
    }
    return false;
  }
}

/**
 * The tables a message is read with, after the Turkish one: the turn's language's, the one the message
 * looks written in, and every other when that is an unsure guess from Latin letters. A one-word "fire"
 * or "7ari2" from a new citizen looks Turkish to the classifier, and a missed fire costs more than
 * reading a few words against two more tables (`npm run nlu:eval` counts the false alarms this gives
 * on the Turkish ordinary messages). Turkish letters, Arabic script or a sure guess leave no doubt.
 */
export function tablesFor(turn: Language, written: LanguageGuess | undefined): Language[] {
  const unsure = written?.by === 'model' && written.confidence < CONFIDENT_GUESS;
  return [turn, ...(written ? [written.language] : []), ...(unsure ? LANGUAGES : [])];
}

/**
 * The Turkish table always, as before languages came; then the tables of `languages` in order (the
 * turn's language, the language the message looks written in), so that a wrong guess of either never
 * hides an emergency. Found in Turkish, it is answered in `languages[0]`; otherwise in the table's language.
 */
export function detectInTables(detectors: Record<Language, EmergencyDetector>, text: string, languages: readonly (Language | undefined)[]): (Emergency & { language: Language }) | undefined {
  const [answerIn = 'tr'] = languages;
  const tried = [...new Set<Language>(['tr', ...languages.filter((language) => language !== undefined)])];
  for (const language of tried) {
    const found = detectors[language].detect(text);
    if (found) return { ...found, language: language === 'tr' ? answerIn : language };
  }
  return undefined;
}
