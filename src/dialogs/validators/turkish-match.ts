// Word-level matching helpers shared by the choice and neighbourhood matchers. Everything here
// works on folded words (see src/nlu/normalize.ts): lower-case, ASCII, no punctuation.
import natural from '../../nlu/natural.ts';

/**
 * Inflectional endings a noun can carry in a citizen's sentence, folded to ASCII: plural,
 * possessive, case and "-ki" ("lambası", "lambaları", "Erzene'de", "Kazımdirik'ten", "çöpler").
 * Deliberately not a full morphology: it is only used to let a known word end in a suffix, and it
 * must reject a different word that merely starts the same way ("kar" must not match "kart").
 */
const SUFFIX =
  /^(?:l[ae]r)?(?:(?:s|y)?[iu]|[iu]m(?:[iu]z)?|[iu]n(?:[iu]z)?)?(?:n|y)?(?:[dt][ae](?:n|ki)?|[ae]|[iu]n|[iu]|ki|l[ae])?$/;

/** Final consonants that soften before a vowel ("sokak" → "sokağı", "kitap" → "kitabı"). */
const SOFTENED: Record<string, string> = { k: 'g', p: 'b', t: 'd' };

/** True when `word` is `stem` itself or `stem` with a Turkish suffix. Both folded. */
export function stemMatches(word: string, stem: string): boolean {
  if (word === stem) return true;
  if (stem.length < 3) return false; // two-letter stems plus a suffix match far too much
  if (word.startsWith(stem)) {
    const rest = word.slice(stem.length);
    return rest.length <= 7 && SUFFIX.test(rest);
  }
  const last = stem[stem.length - 1] ?? '';
  const soft = SOFTENED[last];
  if (soft && /[aeiu]/.test(word[stem.length] ?? '')) {
    const softened = stem.slice(0, -1) + soft;
    if (word.startsWith(softened)) {
      const rest = word.slice(stem.length);
      return rest.length <= 7 && SUFFIX.test(rest);
    }
  }
  return false;
}

/** Index of the first place where the phrase's words appear in order, each allowing a suffix; -1 if none. */
export function findPhrase(textWords: readonly string[], phraseWords: readonly string[]): number {
  if (phraseWords.length === 0) return -1;
  outer: for (let i = 0; i + phraseWords.length <= textWords.length; i++) {
    for (let j = 0; j < phraseWords.length; j++) {
      if (!stemMatches(textWords[i + j] ?? '', phraseWords[j] ?? '')) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * Typos tolerated for a word of this length: none for very short words (one letter changes
 * "su" into "şu"), then about one per four letters.
 */
export function maxEdits(length: number): number {
  if (length < 4) return 0;
  if (length <= 5) return 1;
  if (length <= 9) return 2;
  return 3;
}

/** Edit distance counting a swap of two neighbouring letters as one typo ("cukru" → "cukur"). */
export function editDistance(a: string, b: string): number {
  return natural.DamerauLevenshteinDistance(a, b);
}

/** The typo count when `typed` is a near miss of `target` (not identical, within tolerance), else undefined. */
export function nearMissDistance(typed: string, target: string): number | undefined {
  if (typed.length < 3 || typed === target) return undefined;
  const distance = editDistance(typed, target);
  return distance <= maxEdits(target.length) ? distance : undefined;
}
