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
import { asciiWordsOf, compilePhrase, overlaps, phraseSpans, termMatches, tokenize, type Phrase, type Span, type Token } from '../nlu/phrases.ts';

export interface Emergency {
  kind: EmergencyKind;
  /** The words that revealed it, as written: for the agents' queue and the logs. */
  words: string;
}

interface CompiledKind {
  kind: EmergencyKind;
  phrases: Phrase[];
  except: Phrase[];
  unless: Phrase[];
}


export class EmergencyDetector {
  private readonly kinds: CompiledKind[];
  private readonly negation: Phrase;
  /** "değil mi", "yok mu": a question expecting yes, not a negation. */
  private readonly questionParticle: Phrase;
  /** Words that may stand between a match and its negation ("gaz kokusu artık yok"). */
  private readonly filler: Phrase | undefined;

  /**
   * @param commonWords ASCII words that are words of their own: a phrase's word typed without
   *   Turkish letters is not matched when it becomes one of them.
   */
  constructor(content: Pick<EmergencyContent, 'kinds' | 'negations' | 'negationFillers' | 'commonWords'>, commonWords: Iterable<string> = []) {
    const common = new Set([...content.commonWords, ...commonWords]);
    const compile = (sources: string[]) => sources.map((source) => compilePhrase(source, common));
    this.kinds = content.kinds.map((kind) => ({ kind, phrases: compile(kind.phrases), except: compile(kind.except), unless: compile(kind.unless) }));
    this.negation = compilePhrase(content.negations.join('|'), common);
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

  /** The first kind (in the file's order) whose phrase occurs and is not set aside. */
  detect(text: string): Emergency | undefined {
    const tokens = tokenize(text);
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
