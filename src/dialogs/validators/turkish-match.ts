// Word-level matching helpers shared by the choice and neighbourhood matchers. Everything here
// works on folded words (see src/nlu/normalize.ts): lower-case, ASCII, no punctuation.

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

/** Reused between calls: the distance runs for many word pairs of every message. */
let matrix = new Int32Array(0);

/**
 * Edit distance counting a swap of two neighbouring letters as one typo ("cukru" → "cukur"): the
 * unrestricted Damerau–Levenshtein distance, computed as `natural`'s DamerauLevenshteinDistance
 * computes it (same results, which test/dialogs/validators.test.ts checks), without its object
 * per matrix cell.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  if (matrix.length < rows * columns) matrix = new Int32Array(rows * columns * 2);
  const d = matrix;
  for (let row = 0; row < rows; row++) d[row * columns] = row;
  for (let column = 0; column < columns; column++) d[column] = column;
  const lastRowOf = new Map<string, number>();
  for (let row = 1; row < rows; row++) {
    const source = a[row - 1]!;
    let lastMatchColumn = 0;
    for (let column = 1; column < columns; column++) {
      const target = b[column - 1]!;
      let cost = Math.min(
        d[row * columns + column - 1]! + 1,
        d[(row - 1) * columns + column]! + 1,
        d[(row - 1) * columns + column - 1]! + (source === target ? 0 : 1),
      );
      const lastRow = lastRowOf.get(target);
      if (row > 1 && column > 1 && lastMatchColumn > 0 && lastRow !== undefined) {
        const transposed = d[(lastRow - 1) * columns + lastMatchColumn - 1]! + (row - lastRow - 1) + (column - lastMatchColumn - 1) + 1;
        if (transposed < cost) cost = transposed;
      }
      d[row * columns + column] = cost;
      // Updated inside the column loop, as natural does.
      lastRowOf.set(source, row);
      if (source === target) lastMatchColumn = column;
    }
  }
  return d[rows * columns - 1]!;
}

/**
 * The edit distance when it is at most `max`, else undefined. The length difference is a lower
 * bound of the distance: every message is compared with every option of a menu, and this lets
 * most pairs be rejected without building the distance matrix.
 */
export function editDistanceWithin(a: string, b: string, max: number): number | undefined {
  if (Math.abs(a.length - b.length) > max) return undefined;
  const distance = editDistance(a, b);
  return distance <= max ? distance : undefined;
}

/** The typo count when `typed` is a near miss of `target` (not identical, within tolerance), else undefined. */
export function nearMissDistance(typed: string, target: string): number | undefined {
  if (typed.length < 3 || typed === target) return undefined;
  return editDistanceWithin(typed, target, maxEdits(target.length));
}
