// T.C. kimlik numarası (Turkish national ID). The checksum catches most mistyped digits, so a
// wrong number is refused here instead of reaching a case worker. The number is personal data:
// it is never echoed back in full.
import { maskTcKimlik, tcKimlikChecksumOk } from '../../privacy/mask.ts';
import { fail, ok, type Validation } from './validation.ts';

export { maskTcKimlik, tcKimlikChecksumOk };

/** Labels people put in front of the number: "TC: …", "T.C. kimlik no: …", "kimlik numaram …". */
const LABEL = /^(?:t\s*\.?\s*c\s*\.?)?\s*(?:kimlik)?\s*(?:numaramız|numarası|numaram|no)?\s*[:=]?\s*/u;

export function validateTcKimlik(text: string): Validation {
  const trimmed = text.trim().toLocaleLowerCase('tr').replace(LABEL, '');
  if (trimmed === '') return fail('tcEmpty');
  // Spaces, dots and dashes are how people group the digits when reading them off the card.
  const compact = trimmed.replace(/[\s.-]/g, '');
  if (!/^\d+$/.test(compact)) {
    return fail('tcDigitsOnly');
  }
  if (compact.length !== 11) {
    return fail('tcLength', { count: compact.length });
  }
  if (compact.startsWith('0')) {
    return fail('tcLeadingZero');
  }
  if (!tcKimlikChecksumOk(compact)) {
    return fail('tcChecksum');
  }
  return ok(compact, maskTcKimlik(compact));
}
