// Phrases matched on the text as the citizen wrote it, for judgements where a false match does
// harm (bot/emergencies.yaml, bot/institutions.yaml). Unlike `fold`, Turkish letters are kept:
// "ölüyor" (dying) must never meet "oluyor" (happening), one of the commonest words in Turkish.
// A phrase's word written with Turkish letters also matches its ASCII-typed form ("yangin"), unless
// that form is itself a common word (`commonWords`): then only the spelling with Turkish letters counts.
//
// Phrase syntax (content files): words separated by spaces, each of which is
//   word        the word exactly                      "yangın"
//   word*       the word with any suffix              "koku*" (kokusu, kokuyor)
//   a|b*|c      any one of these                      "ev|evim|bina*"
//   *word       (Arabic) the word after any of its proclitics: و ف, then ب ك ل ع, then ال or ل
//               ("*غاز" is غاز, الغاز, بالغاز, والغاز, للغاز); may end in * too
// Arabic is read as the Arabic NLU folds it (normalizeArabic): diacritics and tatweel dropped, alef
// forms as ا, taa marbuta as ه, alef maqsura as ي; phrases are folded the same way.
// Each word may follow the one before with at most one other word between ("gaz çok kokuyor");
// "…" (or "...") between two words allows up to four ("gaz gibi bir koku").
import { asciiFold, lowerTr, normalizeArabic } from './normalize.ts';

export interface Token {
  /** Lower-cased as written, Turkish letters kept, letters repeated three times or more collapsed. */
  written: string;
  /** The same with Turkish letters replaced by ASCII ones. */
  folded: string;
  /** Sentences end at . ! ? ; and line breaks; clauses also at commas. */
  sentence: number;
  clause: number;
}

interface Alternative {
  written: string;
  /** The ASCII-typed form also accepted, when it is not a common word of its own. */
  folded?: string;
  prefix: boolean;
  /** An Arabic word that may follow its proclitics (conjunction, preposition, article). */
  proclitics: boolean;
}

interface Term {
  alternatives: Alternative[];
  /** How many other words may stand between this term and the one before. */
  gap: number;
}

export interface Phrase {
  source: string;
  terms: Term[];
}

/** Where a phrase was found: token indexes, first and last inclusive. */
export interface Span {
  first: number;
  last: number;
}

const DEFAULT_GAP = 1;
const WIDE_GAP = 4;
const CIRCUMFLEX: Record<string, string> = { â: 'a', î: 'i', û: 'u' };
/** What may stand before an Arabic word, written on to it: و ف (and, so), ب ك ل ع (in, like, for, on), ال or ل (the). */
const PROCLITICS = /^[وف]?[بكلع]?(?:ال|ل)?$/;
const ARABIC_WORD = /^[\u0621-\u064a]+$/;

export function tokenize(text: string): Token[] {
  // Arabic folded as the Arabic NLU folds it; a text without Arabic letters is left as it is.
  const lowered = lowerTr(normalizeArabic(text.normalize('NFC')))
    .replace(/[âîû]/g, (ch) => CIRCUMFLEX[ch]!)
    // An apostrophe joins a suffix: "doğalgaz'ın" → "doğalgazın".
    .replace(/['’`´]/g, '');
  const tokens: Token[] = [];
  let sentence = 0;
  let clause = 0;
  for (const [piece] of lowered.matchAll(/[\p{L}\p{N}]+|[.!?;\n؟؛]+|[,،]/gu)) {
    if (piece === ',' || piece === '،') {
      clause++;
      continue;
    }
    if (!/[\p{L}\p{N}]/u.test(piece)) {
      sentence++;
      clause++;
      continue;
    }
    const written = piece.replace(/(\p{L})\1{2,}/gu, '$1');
    tokens.push({ written, folded: asciiFold(written), sentence, clause });
  }
  return tokens;
}

/**
 * Words of a phrase must be lower-case letters (Turkish ones included) or digits, or Arabic letters
 * (a leading * only on those), and a prefix at least three letters.
 */
export function phraseProblem(source: string): string | undefined {
  const words = normalizeArabic(source.normalize('NFC')).trim().split(/\s+/).filter((word) => word !== '…' && word !== '...');
  if (words.length === 0) return 'boş ifade';
  for (const word of words) {
    for (const alternative of word.split('|')) {
      const proclitics = alternative.startsWith('*');
      const stem = alternative.slice(proclitics ? 1 : 0, alternative.endsWith('*') && alternative.length > 1 ? -1 : undefined);
      if (proclitics && !ARABIC_WORD.test(stem)) return `"${alternative}": başta * yalnızca Arapça kelimelerde kullanılır`;
      if (!/^[\p{Ll}\p{N}]+$/u.test(stem) && !ARABIC_WORD.test(stem)) return `"${alternative}": yalnızca küçük harf ve rakam kullanılır`;
      if (alternative.length > 1 && alternative.endsWith('*') && stem.length < 3) return `"${alternative}": * ile biten kök en az 3 harf olmalı`;
    }
  }
  return undefined;
}

/**
 * True when the ASCII form of a word (or of a prefix) would meet a common word: "oluyor" for
 * "ölüyor", "gazi" for "gazı", "cok*" for "çök*".
 */
function clashes(folded: string, prefix: boolean, commonWords: ReadonlySet<string>): boolean {
  if (!prefix) return commonWords.has(folded);
  for (const word of commonWords) if (word.startsWith(folded)) return true;
  return false;
}

export function compilePhrase(source: string, commonWords: ReadonlySet<string>): Phrase {
  const problem = phraseProblem(source);
  if (problem) throw new Error(`${source}: ${problem}`);
  const terms: Term[] = [];
  let gap = DEFAULT_GAP;
  for (const word of lowerTr(normalizeArabic(source.normalize('NFC'))).trim().split(/\s+/)) {
    if (word === '…' || word === '...') {
      gap = WIDE_GAP;
      continue;
    }
    const alternatives = word.split('|').map((alternative): Alternative => {
      const proclitics = alternative.startsWith('*');
      const bare = proclitics ? alternative.slice(1) : alternative;
      const prefix = bare.endsWith('*');
      const written = prefix ? bare.slice(0, -1) : bare;
      const folded = asciiFold(written);
      return { written, prefix, proclitics, folded: folded !== written && !clashes(folded, prefix, commonWords) ? folded : undefined };
    });
    terms.push({ alternatives, gap: terms.length === 0 ? 0 : gap });
    gap = DEFAULT_GAP;
  }
  return { source, terms };
}

function wordMatches(written: string, prefix: boolean, word: string): boolean {
  return prefix ? word.startsWith(written) : word === written;
}

function alternativeMatches(alternative: Alternative, token: Token): boolean {
  const { written, folded, prefix } = alternative;
  if (alternative.proclitics) {
    // The longest proclitics are four letters (وبال); what follows them must be the word.
    for (let start = 0; start <= 4 && start < token.written.length; start++) {
      if (PROCLITICS.test(token.written.slice(0, start)) && wordMatches(written, prefix, token.written.slice(start))) return true;
    }
    return false;
  }
  if (prefix ? token.written.startsWith(written) : token.written === written) return true;
  if (folded === undefined) return false;
  return prefix ? token.written.startsWith(folded) : token.written === folded;
}

export function termMatches(term: Term, token: Token): boolean {
  return term.alternatives.some((alternative) => alternativeMatches(alternative, token));
}

/** Every place the phrase occurs, its words in order within one sentence. */
export function phraseSpans(phrase: Phrase, tokens: Token[]): Span[] {
  const spans: Span[] = [];
  const [head, ...rest] = phrase.terms;
  if (!head) return spans;
  const extend = (termIndex: number, at: number): number | undefined => {
    if (termIndex === rest.length) return at;
    const term = rest[termIndex]!;
    for (let next = at + 1; next <= at + 1 + term.gap && next < tokens.length; next++) {
      if (tokens[next]!.sentence !== tokens[at]!.sentence) break;
      if (!termMatches(term, tokens[next]!)) continue;
      const end = extend(termIndex + 1, next);
      if (end !== undefined) return end;
    }
    return undefined;
  };
  tokens.forEach((token, index) => {
    if (!termMatches(head, token)) return;
    const last = extend(0, index);
    if (last !== undefined) spans.push({ first: index, last });
  });
  return spans;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/**
 * Words typed without Turkish letters in sentences whose writer did use them elsewhere: those
 * are real spellings ("oluyor", "olur", "kokuyor"), so a word of a phrase whose ASCII form equals
 * one of them is matched only as written with Turkish letters.
 */
export function asciiWordsOf(texts: Iterable<string>): Set<string> {
  const words = new Set<string>();
  for (const text of texts) {
    if (!/[çğıöşü]/i.test(text)) continue;
    for (const token of tokenize(text)) if (token.written === token.folded && /^\p{L}+$/u.test(token.written)) words.add(token.written);
  }
  return words;
}
