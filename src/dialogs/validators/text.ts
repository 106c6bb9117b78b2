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
  if (value === '') return fail('Mesajınız boş görünüyor. Lütfen birkaç kelimeyle yazar mısınız?');
  if (hasNoWords(value)) return fail('Mesajınızda yazı göremedim. Lütfen durumu birkaç kelimeyle yazar mısınız?');
  const count = length(value);
  if (count < minLength) return fail(`Biraz daha ayrıntı yazar mısınız? En az ${minLength} karakter olmalı.`);
  if (count > maxLength) {
    return fail(`Mesajınız çok uzun (${count} karakter). Lütfen en fazla ${maxLength} karakterle, kısaltarak yazar mısınız?`);
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
  if (name === '') return fail('Lütfen adınızı ve soyadınızı yazın, örneğin Ayşe Yılmaz.');
  if (!/^[\p{L}\p{M}' -]+$/u.test(name)) {
    return fail('Ad ve soyadda yalnızca harf kullanılabilir. Lütfen adınızı ve soyadınızı rakam ya da işaret olmadan yazın, örneğin Ayşe Yılmaz.');
  }
  const parts = name.split(' ').filter((p) => /\p{L}/u.test(p));
  if (parts.length < 2) return fail('Lütfen adınızla birlikte soyadınızı da yazın, örneğin Ayşe Yılmaz.');
  const count = length(name);
  if (count < 4) return fail('Bu ad soyad çok kısa görünüyor. Lütfen adınızı ve soyadınızı tam olarak yazın.');
  if (count > 80) return fail('Ad soyad en fazla 80 karakter olabilir. Lütfen yalnızca adınızı ve soyadınızı yazın.');
  const display = titleCaseTr(name);
  return ok(display, display);
}
