// Turkish text normalisation shared by the classifier, entity extraction and choice matching.
//
// Citizens type on phones: often without Turkish letters ("yakin kart basvurusu"), in capitals
// ("YAKIN KART"), with stretched letters ("merhabaaa"), emoji and stray punctuation. Everything
// that compares text goes through `fold`, so that all of these meet the same form.
import { LRUCache } from 'lru-cache';

const TURKISH_TO_ASCII: Record<string, string> = {
  ç: 'c', ğ: 'g', ı: 'i', ö: 'o', ş: 's', ü: 'u',
  â: 'a', î: 'i', û: 'u', é: 'e',
};

/** Turkish-aware lower-casing: "İSTANBUL" → "istanbul", "IŞIK" → "ışık". */
export function lowerTr(text: string): string {
  return text.toLocaleLowerCase('tr');
}

/** Replaces Turkish letters with their closest ASCII letter ("başvuru" → "basvuru"). */
export function asciiFold(text: string): string {
  return text.replace(/[çğıöşüâîûé]/g, (ch) => TURKISH_TO_ASCII[ch] ?? ch);
}

/**
 * Lower-case, ASCII-folded, punctuation and emoji turned into spaces, letters repeated three or
 * more times collapsed to one ("çoook" → "cok"), whitespace squeezed. Digits are kept: they carry
 * ticket numbers, street numbers and menu choices.
 */
export function fold(text: string): string {
  const remembered = recentFolds.get(text);
  if (remembered !== undefined) return remembered;
  const folded = foldNow(text);
  if (text.length <= MAX_REMEMBERED_LENGTH && !LONG_NUMBER.test(text)) {
    recentFolds.set(text, folded);
  }
  return folded;
}

// One message is folded by several readers in its turn (commands, urgent words, the open dialog's
// step, the NLU, choice matching), and option labels over and over: the last few hundred results are
// kept in memory (never written anywhere), which halves the bot's time spent folding. Texts with a
// long number (a TC kimlik or phone number) are not kept.
const MAX_REMEMBERED = 512;
const MAX_REMEMBERED_LENGTH = 300;
/** Seven digits or more, spaces, dots and dashes allowed between them ("0532 123 45 67"). */
const LONG_NUMBER = /(?:\d[\s.-]*){7}/;
const recentFolds = new LRUCache<string, string>({ max: MAX_REMEMBERED });

function foldNow(text: string): string {
  const lowered = asciiFold(lowerTr(normalizeArabic(westernDigits(text.normalize('NFC')))));
  return lowered
    .replace(/['’`´]/g, '') // apostrophes join suffixes: "Bornova'da" → "bornovada"
    .replace(/[^a-z0-9\u0621-\u064a]+/g, ' ')
    .replace(/([a-z\u0621-\u064a])\1{2,}/g, '$1')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Arabic-Indic (٠١٢) and Persian (۰۱۲) digits as 0-9: a citizen may type a number in either script. */
export function westernDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (digit) => String((digit.charCodeAt(0) - 0x0660) % 0x90 % 16));
}

/**
 * Arabic as people type it, in one form: diacritics and tatweel dropped, the alef forms (أ إ آ ٱ) as
 * ا, taa marbuta as haa (ة → ه), alef maqsura as yaa (ى → ي), hamza on waw/yaa as the letter
 * (ؤ → و, ئ → ي), Persian kaf/yaa as Arabic. "مُساعَدة", "مساعده" and "مســاعدة" meet.
 */
export function normalizeArabic(text: string): string {
  if (!ARABIC_LETTER.test(text)) return text;
  return text
    // Each mark is removed on its own, not as part of a letter: what the rule warns about is meant here.
    // eslint-disable-next-line no-misleading-character-class
    .replace(/[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]/g, '')
    .replace(/[\u0622\u0623\u0625\u0671]/g, '\u0627')
    .replace(/\u0629/g, '\u0647')
    .replace(/[\u0649\u06cc]/g, '\u064a')
    .replace(/\u0624/g, '\u0648')
    .replace(/\u0626/g, '\u064a')
    .replace(/\u06a9/g, '\u0643');
}

const ARABIC_LETTER = /[\u0600-\u06ff]/;

/** True when most letters of the text are Arabic script: unambiguous, whatever the words. */
export function isArabicScript(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return false;
  const arabic = letters.filter((letter) => ARABIC_LETTER.test(letter)).length;
  return arabic * 2 > letters.length;
}

/** Folded words of a text. */
export function words(text: string): string[] {
  const folded = fold(text);
  return folded === '' ? [] : folded.split(' ');
}

/** True when the text holds no letter or digit at all (only emoji, punctuation or spaces). */
export function hasNoWords(text: string): boolean {
  return fold(text) === '';
}

/**
 * Spoken spellings citizens type, each with its written form (folded): "bi" → "bir", "nerde" →
 * "nerede", "napcam" → "ne yapacagim". Suffix forms are handled by `standardSpelling`.
 */
const SPOKEN_WORDS: Record<string, string> = {
  bi: 'bir', bisey: 'bir sey', bisi: 'bir sey', bisiy: 'bir sey', biseyler: 'bir seyler',
  napcam: 'ne yapacagim', napicam: 'ne yapacagim', napcem: 'ne yapacagim', napcaz: 'ne yapacagiz', napicaz: 'ne yapacagiz',
  napim: 'ne yapayim', napiyim: 'ne yapayim', napiyon: 'ne yapiyorsun', napiyosun: 'ne yapiyorsun', napiyonuz: 'ne yapiyorsunuz',
  napmam: 'ne yapmam', napmamiz: 'ne yapmamiz', napmak: 'ne yapmak', napilir: 'ne yapilir', napildi: 'ne yapildi', nap: 'ne yap',
  napabiliyoz: 'ne yapabiliyoruz', napilacak: 'ne yapilacak',
  nasi: 'nasil', nerde: 'nerede', nerden: 'nereden', noldu: 'ne oldu', nolcak: 'ne olacak', nolur: 'ne olur', nie: 'niye',
  tmm: 'tamam', tm: 'tamam', slm: 'selam', mrb: 'merhaba', mrhb: 'merhaba', mrhba: 'merhaba', eyv: 'eyvallah',
  tsk: 'tesekkurler', tskler: 'tesekkurler', tsklr: 'tesekkurler', saol: 'sag ol', saolun: 'sag olun', sagol: 'sag ol',
  dakka: 'dakika', herkez: 'herkes', yada: 'ya da', cnm: 'canim', bsk: 'baska', slmlar: 'selamlar',
};

const CONSONANT = 'bcdfghjklmnprstvyz';
/** Contracted future tense ("gelcek", "alcam"): only after a consonant, and not these words. */
const NOT_CONTRACTED = new Set(['ancak', 'gercek', 'gercekten', 'gerceken', 'sincap']);

/**
 * The written form of a folded word typed as spoken, or undefined when it is written already:
 * "basliyo" → "basliyor", "istiyom" → "istiyorum", "yapiyolar" → "yapiyorlar", "yanmio" →
 * "yanmiyor", "gelcek" → "gelecek", "alcam" → "alacagim", "bi" → "bir". Used beside the word as
 * typed (features.ts), never instead of it: a wrong guess adds a weak feature, it removes none.
 */
export function standardSpelling(word: string): string | undefined {
  const spoken = SPOKEN_WORDS[word];
  if (spoken) return spoken;
  if (word.length < 4) return undefined;
  // The present continuous without its r: -iyo, -iyom, -iyoz, -iyon, -iyonuz, -iyolar (folded).
  const progressive = /^(.*[iu])yo(lar|nuz|sun|mus|m|z|n)?$/.exec(word);
  if (progressive) {
    const person = { lar: 'rlar', nuz: 'rsunuz', sun: 'rsun', mus: 'rmus', m: 'rum', z: 'ruz', n: 'rsun' }[progressive[2] ?? ''] ?? 'r';
    return `${progressive[1]}yo${person}`;
  }
  const negative = /^(.*m[iu])o$/.exec(word);
  if (negative) return `${negative[1]}yor`;
  if (word.length < 5 || NOT_CONTRACTED.has(word)) return undefined;
  // The future tense without its vowel: "gelcek" → "gelecek", "alcam" → "alacagim", "gelcez" → "gelecegiz".
  const future = new RegExp(`^(.*[${CONSONANT}])c([ae])(k|klar|kler|m|z)$`).exec(word);
  if (future) {
    const [, stem, vowel, ending] = future;
    const rest = ending === 'm' ? 'gim' : ending === 'z' ? 'giz' : ending;
    return `${stem}${vowel}c${vowel}${rest}`;
  }
  const futureAfterVowel = /^(.*[aeiou])c([ae])(m|z)$/.exec(word);
  if (futureAfterVowel) return `${futureAfterVowel[1]}c${futureAfterVowel[2]}${futureAfterVowel[3] === 'm' ? 'gim' : 'giz'}`;
  return undefined;
}
