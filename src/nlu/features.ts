// Turns a message into the sparse features the classifier weighs. Turkish is agglutinative and
// citizens misspell, so a word is seen several ways at once: as typed (folded), by its Snowball
// stem, by its first five letters, and by its character n-grams, which still match when a letter
// is missing or swapped ("basvru" shares most n-grams with "basvuru"). A word typed as spoken
// ("başlıyo", "gelcek", "napcam") also brings the features of its written form, so that it meets
// the examples written properly.
//
// This runs on every message a citizen sends, so each word's features and stem are remembered
// (citizens use a few thousand words over and over, and the Snowball stemmer is the slowest part):
// besides the work, the classifier's lookups of the same feature strings are faster (V8 keeps a
// string's hash with the string).
import { LRUCache } from 'lru-cache';
import snowball from 'snowball-stemmers';
import { asciiFold, fold, lowerTr, standardSpelling } from './normalize.ts';

const stemmer = snowball.newStemmer('turkish');

/** Only the start of a very long message is read for classification: the request comes early or is repeated. */
const MAX_CHARS = 1200;
const CHAR_NGRAM_SIZES = [3, 4, 5];

export type FeatureVector = Map<string, number>;

/** Enough for a municipality's everyday vocabulary with its suffixes. */
const STEM_CACHE_SIZE = 50_000;
/** A word's features are about twenty strings: fewer words are kept (at most about 15 MB). */
const WORD_FEATURES_CACHE_SIZE = 20_000;
/** A word's stem feature ("s:…"), by the word as typed. */
const stemFeatures = new LRUCache<string, string>({ max: STEM_CACHE_SIZE });
/** A folded word's own features: itself and its first five letters, then its character n-grams. */
const wordFeatureLists = new LRUCache<string, { head: string[]; grams: string[] }>({ max: WORD_FEATURES_CACHE_SIZE });

function stemFeature(word: string): string {
  let feature = stemFeatures.get(word);
  if (feature === undefined) {
    feature = `s:${asciiFold(stemmer.stem(word))}`;
    stemFeatures.set(word, feature);
  }
  return feature;
}

function wordFeatures(word: string): { head: string[]; grams: string[] } {
  let lists = wordFeatureLists.get(word);
  if (lists === undefined) {
    const head = [`w:${word}`];
    if (word.length > 5) head.push(`p:${word.slice(0, 5)}`);
    const grams: string[] = [];
    // Folded words are plain ASCII, so string positions are letters.
    const padded = ` ${word} `;
    for (const size of CHAR_NGRAM_SIZES) {
      for (let start = 0; start + size <= padded.length; start++) grams.push(`c:${padded.slice(start, start + size)}`);
    }
    lists = { head, grams };
    wordFeatureLists.set(word, lists);
  }
  return lists;
}

export function extractFeatures(text: string): FeatureVector {
  const clipped = text.slice(0, MAX_CHARS);
  const folded = fold(clipped).split(' ').filter(Boolean);
  const features = new Set<string>();

  for (let index = 0; index < folded.length; index++) {
    const word = folded[index]!;
    const { head, grams } = wordFeatures(word);
    for (const feature of head) features.add(feature);
    const next = folded[index + 1];
    if (next) features.add(`b:${word}_${next}`);
    for (const feature of grams) features.add(feature);
    const written = standardSpelling(word);
    if (written) {
      for (const part of written.split(' ')) {
        const lists = wordFeatures(part);
        for (const feature of lists.head) features.add(feature);
        for (const feature of lists.grams) features.add(feature);
      }
    }
  }
  // Stems come from the text with its Turkish letters where the citizen typed them: the
  // stemmer's suffix rules need them ("yardımı" → "yardı").
  for (const word of lowerTr(clipped).split(/[^\p{L}\p{N}]+/u)) {
    if (word.length > 3) features.add(stemFeature(word));
  }

  const vector: FeatureVector = new Map();
  if (features.size === 0) return vector;
  // L2-normalised binary features: a long story weighs no more than a short question.
  const weight = 1 / Math.sqrt(features.size);
  for (const feature of features) vector.set(feature, weight);
  return vector;
}
