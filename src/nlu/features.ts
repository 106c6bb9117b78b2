// Turns a message into the sparse features the classifier weighs. Turkish is agglutinative and
// citizens misspell, so a word is seen several ways at once: as typed (folded), by its Snowball
// stem, by its first five letters, and by its character n-grams, which still match when a letter
// is missing or swapped ("basvru" shares most n-grams with "basvuru").
//
// This runs on every message a citizen sends, so it avoids needless allocation: n-grams are cut
// from the word directly, and stems are remembered (citizens use a few thousand words over and
// over, and the Snowball stemmer is the slowest part).
import snowball from 'snowball-stemmers';
import { asciiFold, fold, lowerTr } from './normalize.ts';

const stemmer = snowball.newStemmer('turkish');

/** Only the start of a very long message is read for classification: the request comes early or is repeated. */
const MAX_CHARS = 1200;
const CHAR_NGRAM_SIZES = [3, 4, 5];

export type FeatureVector = Map<string, number>;

/** Enough for a municipality's everyday vocabulary with its suffixes; emptied when full. */
const STEM_CACHE_SIZE = 50_000;
const stems = new Map<string, string>();

function stemOf(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    if (stems.size >= STEM_CACHE_SIZE) stems.clear();
    stem = asciiFold(stemmer.stem(word));
    stems.set(word, stem);
  }
  return stem;
}

export function extractFeatures(text: string): FeatureVector {
  const clipped = text.slice(0, MAX_CHARS);
  const folded = fold(clipped).split(' ').filter(Boolean);
  const features = new Set<string>();

  for (let index = 0; index < folded.length; index++) {
    const word = folded[index]!;
    features.add(`w:${word}`);
    if (word.length > 5) features.add(`p:${word.slice(0, 5)}`);
    const next = folded[index + 1];
    if (next) features.add(`b:${word}_${next}`);
    // Folded words are plain ASCII, so string positions are letters.
    const padded = ` ${word} `;
    for (const size of CHAR_NGRAM_SIZES) {
      for (let start = 0; start + size <= padded.length; start++) features.add(`c:${padded.slice(start, start + size)}`);
    }
  }
  // Stems come from the text with its Turkish letters where the citizen typed them: the
  // stemmer's suffix rules need them ("yardımı" → "yardı").
  for (const word of lowerTr(clipped).split(/[^\p{L}\p{N}]+/u)) {
    if (word.length > 3) features.add(`s:${stemOf(word)}`);
  }

  const vector: FeatureVector = new Map();
  if (features.size === 0) return vector;
  // L2-normalised binary features: a long story weighs no more than a short question.
  const weight = 1 / Math.sqrt(features.size);
  for (const feature of features) vector.set(feature, weight);
  return vector;
}
