// Reads a citizen's answer to one dialog step, by the step's type. Pure checks live in
// validators/; this module adds what a step knows: its options, the message's photo or pin,
// and the "Did you mean…" suggestions offered a turn ago.
import type { ParsedInbound } from '../messaging/message.ts';
import { fold, hasNoWords, westernDigits } from '../nlu/normalize.ts';
import type { Texts } from '../content/bot-texts.ts';
import type { StepSpec } from './spec.ts';
import type { DialogServices } from './services.ts';
import type { Vocabulary } from './vocabulary.ts';
import {
  fail,
  findTicketNumber,
  matchChoice,
  ok,
  validateCount,
  validateName,
  validatePhone,
  validateTcKimlik,
  validateText,
  type Validation,
} from './validators/index.ts';

export interface StepInput {
  text: string;
  message?: ParsedInbound;
  contactId?: string;
}

const MY_TICKETS = new Set(['basvurularim', 'hepsi', 'tumu', 'tum basvurularim', 'basvurularimi goster', 'sikayetlerim', 'taleplerim', 'my applications', 'all my applications', 'all', 'طلباتي', 'كل طلباتي', 'talabati']);
const DAY_WORDS = /\b(pazartesi|sali|carsamba|persembe|cuma|cumartesi|pazar|hafta|haftaici|her gun|farketmez|fark etmez|herhangi|sabah|ogle|ogleden|aksam|yarin|bugun|ay|ocak|subat|mart|nisan|mayis|haziran|temmuz|agustos|eylul|ekim|kasim|aralik|musait|uygun|\d{1,2}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekdays|week|morning|afternoon|evening|any|anytime|tomorrow|today)/;
/** The same in Arabic, folded (\b knows ASCII letters only). */
const DAY_WORDS_ARABIC = /(الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|الاحد|صباح|الصبح|مساء|المسا|الظهر|يوم|ايام|وقت|بكرا|غدا|اليوم)/;

/** A map link for a pin, as agents open it from a ticket. */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.google.com/maps?q=${latitude.toFixed(6)},${longitude.toFixed(6)}`;
}

/** The voice note a message carries without words, if any. */
export function voiceNoteOf(input: StepInput) {
  return input.text === '' ? input.message?.media.find((media) => media.kind === 'audio') : undefined;
}

/** The slot whose voice note is kept as the answer: the problem's description. */
export const DESCRIPTION_SLOT = 'description';

/**
 * A message that carries no text but a photo, sticker or voice note where words were expected. A
 * voice note reached the centre all the same (agents can listen to it): the citizen is told so,
 * and asked to type this answer.
 */
function textExpected(input: StepInput): Validation | undefined {
  if (voiceNoteOf(input)) return fail('voiceTypeAnswer');
  if (input.text === '' && ((input.message?.media.length ?? 0) > 0 || input.message?.location)) {
    return fail('writtenAnswerExpected');
  }
  return undefined;
}

export async function validateStep(step: StepSpec, input: StepInput, services: DialogServices, vocabulary: Vocabulary, say: Texts): Promise<Validation<unknown>> {
  const { text } = input;
  // Digits in any script: "٠٥٣٢ ١٢٣ ٤٥ ٦٧" is the same phone number as "0532 123 45 67". Free text
  // (a description, an address) is kept as the citizen wrote it.
  const digits = westernDigits(text);
  if (step.optional && step.type !== 'photo' && vocabulary.isSkip(text)) return ok(null, say.noAnswer);
  switch (step.type) {
    case 'photo': {
      const image = input.message?.media.find((media) => media.kind === 'image');
      if (image) return ok(image, say.photoAdded);
      if (step.optional && vocabulary.isSkip(text)) return ok(null, say.noAnswer);
      return fail(step.optional ? 'photoOrSkip' : 'photoNeeded');
    }
    case 'address': {
      const pin = input.message?.location;
      if (pin) return ok({ ...pin, map: mapLink(pin.latitude, pin.longitude) }, say.format('pinDisplay', { map: mapLink(pin.latitude, pin.longitude) }));
      return textExpected(input) ?? validateText(text, { minLength: step.minLength ?? 5, maxLength: step.maxLength ?? 300 });
    }
    case 'text': {
      // The description told in a voice note: the note is the answer, the department listens to it.
      const voice = step.slot === DESCRIPTION_SLOT ? voiceNoteOf(input) : undefined;
      if (voice) return ok(voice, say.voiceAdded);
      return textExpected(input) ?? validateText(text, { minLength: step.minLength ?? 2, maxLength: step.maxLength ?? 2000 });
    }
    case 'choice':
      return textExpected(input) ?? matchChoice(digits, step.choices!);
    case 'neighbourhood':
      return textExpected(input) ?? services.neighbourhoods.match(text);
    case 'phone':
      return textExpected(input) ?? validatePhone(digits);
    case 'tc_kimlik':
      return textExpected(input) ?? validateTcKimlik(digits);
    case 'name':
      return textExpected(input) ?? validateName(text);
    case 'count':
      return textExpected(input) ?? validateCount(digits, { min: step.min ?? 1, max: step.max ?? 30 });
    case 'days': {
      const checked = textExpected(input) ?? validateText(text, { minLength: 2, maxLength: step.maxLength ?? 200 });
      if (!checked.ok) return checked;
      if (!DAY_WORDS.test(fold(text)) && !DAY_WORDS_ARABIC.test(fold(text))) return fail('daysNeeded');
      return checked;
    }
    case 'ticket_lookup': {
      if (MY_TICKETS.has(fold(text))) return ok('all', say.allMyTickets);
      const number = findTicketNumber(digits);
      if (number) return ok(number, number);
      if (hasNoWords(text)) return fail('ticketNumberNeeded');
      return fail('ticketNumberUnreadable', { example: services.ticketExample });
    }
  }
}

export type SuggestionAnswer = { picked: string } | { refused: true } | { unclear: true } | undefined;

/**
 * An answer to "“Erzene Mahallesi” mi demek istediniz?" or "Şunlardan birini mi…": "1", a name
 * offered, "evet" when one was offered, "hayır" to none. Undefined when the citizen wrote
 * something else (a new answer to the question).
 */
export function answerToSuggestions(text: string, suggestions: readonly string[], vocabulary: Vocabulary): SuggestionAnswer {
  if (suggestions.length === 0) return undefined;
  const number = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  if (number) {
    const picked = suggestions[Number(number[1]) - 1];
    return picked ? { picked } : { unclear: true };
  }
  const folded = fold(text);
  const named = suggestions.find((s) => fold(s) === folded || (folded.length >= 3 && fold(s).startsWith(folded) && folded === fold(s).split(' ')[0]));
  if (named) return { picked: named };
  const meaning = vocabulary.meaning(text);
  if (meaning === 'yes') return suggestions.length === 1 ? { picked: suggestions[0]! } : { unclear: true };
  if (meaning === 'no') return { refused: true };
  return undefined;
}
