// Turkish phone numbers in the shapes people actually type them. libphonenumber-js knows which
// prefixes are real mobile and fixed-line ranges; the "max" metadata is needed for getType().
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskNationalPhone, maskPhone } from '../../privacy/mask.ts';
import { fail, ok, type Validation } from './validation.ts';

export { maskPhone };

/** Labels typed before the number: "Tel: …", "cep no: …", "numaram …". */
const LABEL = /^(?:tel(?:efon)?|cep|gsm|numaram|no)(?:\s+(?:no|numaram|numarası))?\s*[:.]?\s*/iu;
/** Types a case worker can call back; service numbers (444, 0850, 0800) are not a citizen's own line. */
const REACHABLE = new Set(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/**
 * The national significant number the citizen most likely meant (no 0, no 90), or 'foreign' when
 * they wrote another country's calling code. Used only to explain a failure precisely.
 */
function nationalDigits(text: string): string | 'foreign' {
  const digits = text.replace(/\D/g, '');
  const international = text.trim().startsWith('+') ? digits : digits.startsWith('00') ? digits.slice(2) : undefined;
  if (international !== undefined && !international.startsWith('0')) {
    return international.startsWith('90') ? international.slice(2) : 'foreign';
  }
  if (digits.startsWith('90') && digits.length === 12) return digits.slice(2);
  return digits.startsWith('0') ? digits.slice(1) : digits;
}

export function validatePhone(text: string): Validation {
  const trimmed = text.trim().replace(LABEL, '');
  if (trimmed === '') return fail('phoneEmpty');
  if (!/^[\d\s+().\-/]+$/.test(trimmed) || !/\d/.test(trimmed)) {
    return fail('phoneDigitsOnly');
  }

  const national = nationalDigits(trimmed);
  const parsed = parsePhoneNumberFromString(trimmed, 'TR');
  if (national === 'foreign' || (parsed && parsed.countryCallingCode !== '90')) {
    return fail('phoneForeign');
  }
  if (parsed?.isValid()) {
    if (!REACHABLE.has(parsed.getType() ?? '')) {
      return fail('phoneService');
    }
    // Shown back masked (summaries, confirmations): the case worker reads the stored E.164 value.
    return ok(parsed.number, maskNationalPhone(parsed.nationalNumber));
  }
  if (!/^0*$/.test(national) && !national.startsWith('0')) {
    if (national.length < 10) {
      return fail('phoneTooShort');
    }
    if (national.length > 10) {
      return fail('phoneTooLong');
    }
  }
  return fail('phoneInvalid');
}
