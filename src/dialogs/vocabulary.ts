// How citizens answer the assistant: bot/vocabulary.yaml, one list per meaning (yes, no, skip,
// back) and the few word lists the dialogs judge a free answer with (a correction, an aside, a
// question, a reported problem, words that tell no story). Every question the bot asks reads its
// answer here, so that "evet" means yes to the consent, to the summary and to "… mi demek
// istediniz?" alike. Validated at start-up with the file and line of a word that means two things.
import path from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../content/yaml-file.ts';
import { fold, words } from '../nlu/normalize.ts';
import { findPhrase, stemMatches } from './validators/turkish-match.ts';

export type Meaning = 'yes' | 'no' | 'skip' | 'back';

/** An option shown as a button (or a numbered line): what picking it means. */
export interface Button {
  label: string;
  meaning: Meaning;
}

const MEANINGS: Meaning[] = ['yes', 'no', 'skip', 'back'];
/** Meanings that may share a word: an optional question is skipped with "hayır" or "yok" as well. */
const MAY_SHARE = new Set(['no+skip', 'skip+no']);

const phrase = z.string().trim().min(1, 'boş olamaz');
const list = z.array(phrase).min(1, 'en az bir ifade gerekli');

function vocabularySchema(isCommand: (text: string) => boolean) {
  return z
    .object({
      yes: list,
      no: list,
      skip: list,
      back: list,
      courtesy: list,
      place: list,
      correction: list,
      aside: list,
      question: list,
      problem: list,
      request: list,
    })
    .strict()
    .superRefine((lists, context) => {
      const owner = new Map<string, Meaning>();
      for (const meaning of MEANINGS) {
        lists[meaning].forEach((entry, index) => {
          const folded = fold(entry);
          const where = [meaning, index];
          if (folded === '') return context.addIssue({ code: 'custom', message: `“${entry}” harf ya da rakam içermiyor`, path: where });
          if (isCommand(entry)) return context.addIssue({ code: 'custom', message: `“${entry}” bir komut (her an çalışır), yanıt olarak okunamaz`, path: where });
          const other = owner.get(folded);
          if (other && other !== meaning && !MAY_SHARE.has(`${other}+${meaning}`)) {
            return context.addIssue({ code: 'custom', message: `“${entry}” hem ${other} hem ${meaning} listesinde: bir yanıt iki anlama gelemez`, path: where });
          }
          owner.set(folded, meaning);
        });
      }
    });
}
type VocabularyLists = z.infer<ReturnType<typeof vocabularySchema>>;

/** Negative verbs ("yanmıyor", "gelmiyo", "alınmadı", "boşaltılmamış", "gelmeyecek", "olmaz"), folded. */
const NEGATIVE_VERB = /^[a-z]{2,}(?:m[iu]yo(?:r|rum|ruz|rlar|z)?|m[ae]d[iu](?:m|k|n|lar|ler)?|m[ae]m[iu]s(?:t[iu]r)?|m[ae]y[ae]c[ae]k|m[ae]z(?:lar|ler)?)$/;

export class Vocabulary {
  private readonly meanings = new Map<string, Meaning>();
  private readonly courtesy: string[][];
  private readonly place: string[][];
  private readonly correction: string[][];
  private readonly aside: string[][];
  private readonly question: string[][];
  private readonly problem: string[][];
  private readonly request: string[];

  constructor(lists: VocabularyLists) {
    // "no" before "skip": a word in both ("yok") reads as no where no is asked, and skips where skipping is.
    for (const meaning of ['yes', 'back', 'skip', 'no'] as const) for (const entry of lists[meaning]) this.meanings.set(fold(entry), meaning);
    const phrases = (entries: string[]) => entries.map((entry) => words(entry)).filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
    this.courtesy = phrases(lists.courtesy);
    this.place = phrases(lists.place);
    this.correction = phrases(lists.correction);
    this.aside = phrases(lists.aside);
    this.question = phrases(lists.question);
    this.problem = phrases(lists.problem);
    this.request = lists.request.map(fold);
    this.skipWords = new Set([...lists.skip, ...lists.no].map(fold));
    this.noWords = new Set(lists.no.map(fold));
  }

  private readonly skipWords: Set<string>;
  private readonly noWords: Set<string>;

  /** The answer's words without polite words around it: "evet lütfen" → "evet". */
  private core(text: string): string {
    let tokens = words(text);
    for (let changed = true; changed && tokens.length > 0; ) {
      changed = false;
      for (const polite of this.courtesy) {
        if (tokens.length > polite.length && polite.every((w, i) => tokens[i] === w)) {
          tokens = tokens.slice(polite.length);
          changed = true;
        } else if (tokens.length > polite.length && polite.every((w, i) => tokens[tokens.length - polite.length + i] === w)) {
          tokens = tokens.slice(0, tokens.length - polite.length);
          changed = true;
        }
      }
    }
    return tokens.join(' ');
  }

  /**
   * What a whole answer means, or undefined when it is something else. With `buttons`, the
   * options just shown count too: their number ("1") and their label ("Gönder").
   */
  meaning(text: string, buttons: readonly Button[] = []): Meaning | undefined {
    const folded = fold(text.replace(/[\uFE0F\u20E3]/g, ''));
    const number = /^(\d{1,2})$/.exec(folded);
    if (number) return buttons[Number(number[1]) - 1]?.meaning;
    const button = buttons.find((b) => fold(b.label) === folded);
    if (button) return button.meaning;
    const core = this.core(text);
    return this.meanings.get(core) ?? this.meanings.get(folded);
  }

  isYes(text: string, buttons?: readonly Button[]): boolean {
    return this.meaning(text, buttons) === 'yes';
  }

  isNo(text: string, buttons?: readonly Button[]): boolean {
    const core = this.core(text);
    return this.meaning(text, buttons) === 'no' || this.noWords.has(core);
  }

  /** Leaves an optional question unanswered: a skip word or a no word ("geç", "yok", "hayır"). */
  isSkip(text: string): boolean {
    const core = this.core(text);
    return this.skipWords.has(core) || this.skipWords.has(fold(text));
  }

  isBack(text: string): boolean {
    return this.meaning(text) === 'back';
  }

  /** A question, by its mark or its words: "… ne zaman boşaltılıyor?", "emlak vergimi nereden öderim". */
  isQuestion(text: string): boolean {
    if (/\?\s*[\p{Emoji_Presentation}\s]*$/u.test(text)) return true;
    const tokens = words(text);
    return this.question.some((q) => containsExactly(tokens, q));
  }

  /** "bu arada …": the citizen steps aside from the question asked. */
  isAside(text: string): boolean {
    const tokens = words(text);
    return this.aside.some((a) => containsExactly(tokens, a));
  }

  /** The message says something is wrong: a problem word or a negative verb. */
  reportsProblem(text: string): boolean {
    const tokens = words(text);
    return tokens.some((t) => NEGATIVE_VERB.test(t)) || this.problem.some((p) => findPhrase(tokens, p) >= 0);
  }

  /** An address, by its numbers or its words: "Gül sokak no 4", "Erzene mahallesi", "okulun karşısı". */
  namesPlace(text: string): boolean {
    const tokens = words(text);
    return /\d/.test(text) || this.place.some((p) => containsExactly(tokens, p));
  }

  hasCorrectionWord(text: string): boolean {
    const tokens = words(text);
    return this.correction.some((c) => findPhrase(tokens, c) >= 0);
  }

  /** The words of a correction that are not correction words: "pardon mahalle yanlış, Erzene olacak" → ["mahalle", "erzene"]. */
  withoutCorrectionWords(text: string): string[] {
    let tokens = words(text);
    for (const c of this.correction) {
      for (let at = findPhrase(tokens, c); at >= 0; at = findPhrase(tokens, c)) tokens = [...tokens.slice(0, at), ...tokens.slice(at + c.length)];
    }
    return tokens;
  }

  /** Words of the text that tell something beyond asking: "şikayet etmek istiyorum" has none. */
  storyWords(text: string): string[] {
    return words(text).filter((token) => !this.request.some((r) => stemMatches(token, r)));
  }
}

/** The phrase's words, in order and without suffixes: question particles are short and exact. */
function containsExactly(tokens: readonly string[], phraseWords: readonly string[]): boolean {
  outer: for (let i = 0; i + phraseWords.length <= tokens.length; i++) {
    for (let j = 0; j < phraseWords.length; j++) if (tokens[i + j] !== phraseWords[j]) continue outer;
    return true;
  }
  return false;
}

/** Loads bot/vocabulary.yaml; `isCommand` names the global commands, which no answer may shadow. */
export function loadVocabulary(dir: string, isCommand: (text: string) => boolean): Vocabulary {
  return new Vocabulary(loadYamlFile(path.join(dir, 'vocabulary.yaml'), vocabularySchema(isCommand)));
}
