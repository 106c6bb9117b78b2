// Turkish text normalisation shared by the classifier, entity extraction and choice matching.
//
// Citizens type on phones: often without Turkish letters ("yakin kart basvurusu"), in capitals
// ("YAKIN KART"), with stretched letters ("merhabaaa"), emoji and stray punctuation. Everything
// that compares text goes through `fold`, so that all of these meet the same form.

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
    if (recentFolds.size >= MAX_REMEMBERED) recentFolds.clear();
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
const recentFolds = new Map<string, string>();

function foldNow(text: string): string {
  const lowered = asciiFold(lowerTr(text.normalize('NFC')));
  return lowered
    .replace(/['’`´]/g, '') // apostrophes join suffixes: "Bornova'da" → "bornovada"
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/([a-z])\1{2,}/g, '$1')
    .trim()
    .replace(/\s+/g, ' ');
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
