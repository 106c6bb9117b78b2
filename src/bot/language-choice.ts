// Which language the assistant answers a message in. The citizen's language is remembered (on the
// contact); a message changes it only when it clearly is another language: Arabic script, or two
// words or more that the detector reads with confidence. One stray English word inside a Turkish
// sentence, a name or a number in the middle of a form, a bare "ok", never switch.
import { CONFIDENT_GUESS, type Language, type LanguageGuess } from '../nlu/language.ts';
import { fold, words } from '../nlu/normalize.ts';

/** A detector's guess on the first message is trusted from this confidence; below it, Turkish. */
const FIRST_MESSAGE_CONFIDENCE = 0.6;

export function chooseLanguage(remembered: Language | undefined, guess: LanguageGuess | undefined, text: string, inForm: boolean): Language {
  if (!guess) return remembered ?? 'tr';
  if (!remembered) return guess.by === 'model' && guess.confidence < FIRST_MESSAGE_CONFIDENCE ? 'tr' : guess.language;
  if (guess.language === remembered) return remembered;
  // A form's answers are names, streets and numbers: only a change of script says the citizen changed language.
  // Arabic script is Arabic, even one word of it.
  if (guess.by === 'script') return guess.language;
  if (inForm) return remembered;
  if (words(text).length < 2) return remembered;
  if (guess.by !== 'model') return guess.language;
  // A remembered language gives way to another one only on a confident guess.
  return guess.confidence >= CONFIDENT_GUESS ? guess.language : remembered;
}

/**
 * The language after an emergency read in another language's table than the turn's ("there is a
 * gas smell in my flat" in a Turkish conversation, even inside a form): the citizen wrote a whole
 * urgent sentence in it, and will read what follows (the offer, the form's next question, an
 * agent's reply) best in it, so it becomes the remembered language. A single word ("fire",
 * "help") is answered in its language but switches nothing: it may be the one word a Turkish
 * speaker knows, or a stray one.
 */
export function languageAfterEmergency(turn: Language, emergency: Language, text: string): Language {
  if (emergency === turn) return turn;
  return words(text).length >= 2 ? emergency : turn;
}

/** The citizen asks for a language by its name ("English", "العربية", "Türkçe", a button of the language menu). */
const BY_NAME: Record<string, Language> = {
  turkce: 'tr', turkish: 'tr', 'in turkish': 'tr', 'turkce lutfen': 'tr', 'التركيه': 'tr', 'تركي': 'tr',
  english: 'en', ingilizce: 'en', 'in english': 'en', 'english please': 'en', 'الانجليزيه': 'en', 'انجليزي': 'en', 'انكليزي': 'en',
  'العربيه': 'ar', 'عربي': 'ar', 'بالعربي': 'ar', 'بالعربيه': 'ar', arabic: 'ar', arapca: 'ar', 'in arabic': 'ar', '3arabi': 'ar', arabi: 'ar',
};

export function languageAskedFor(text: string): Language | undefined {
  return BY_NAME[fold(text)];
}
