// Free text (a complaint's description, an address) and a person's name. Text is stored as the
// citizen wrote it: it is never cut, because a case worker must read all of it.
import { hasNoWords, lowerTr } from '../../nlu/normalize.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import { fail, ok, type Validation } from './validation.ts';

export interface TextLimits {
  minLength?: number;
  maxLength?: number;
}

/** How much of a long text is echoed back in a confirmation; the stored value stays whole. */
const DISPLAY_LIMIT = 120;

function length(text: string): number {
  return Array.from(text).length; // code points, so an emoji or "ş" counts as one
}

export function validateText(text: string, { minLength = 1, maxLength = 2000 }: TextLimits = {}): Validation {
  const value = text.trim();
  if (value === '') return fail('textEmpty');
  if (hasNoWords(value)) return fail('textNoWords');
  const count = length(value);
  if (count < minLength) return fail('textTooShort', { min: minLength });
  if (count > maxLength) {
    return fail('textTooLong', { count, max: maxLength });
  }
  // Masked before it is cut short, so that a cut never leaves half a TC number readable.
  const chars = Array.from(maskPersonalData(value.replace(/\s+/g, ' ')));
  const display = chars.length > DISPLAY_LIMIT ? `${chars.slice(0, DISPLAY_LIMIT - 1).join('')}…` : chars.join('');
  return ok(value, display);
}

/** "ayşe-nur yılmaz" → "Ayşe-Nur Yılmaz"; Turkish rules for i/İ and ı/I. */
export function titleCaseTr(text: string): string {
  return lowerTr(text).replace(/(^|[\s-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toLocaleUpperCase('tr'));
}

export function validateName(text: string): Validation {
  const name = text.trim().replace(/\s+/g, ' ').replace(/’/g, "'");
  if (name === '') return fail('nameEmpty');
  if (!/^[\p{L}\p{M}' -]+$/u.test(name)) {
    return fail('nameLettersOnly');
  }
  const parts = name.split(' ').filter((p) => /\p{L}/u.test(p));
  if (parts.length < 2) return fail('nameSurnameNeeded');
  const count = length(name);
  if (count < 4) return fail('nameTooShort');
  if (count > 80) return fail('nameTooLong');
  const display = titleCaseTr(name);
  return ok(display, display);
}
