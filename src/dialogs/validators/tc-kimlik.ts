// T.C. kimlik numarası (Turkish national ID). The checksum catches most mistyped digits, so a
// wrong number is refused here instead of reaching a case worker. The number is personal data:
// it is never echoed back in full.
import { fail, ok, type Validation } from './validation.ts';

/** Labels people put in front of the number: "TC: …", "T.C. kimlik no: …", "kimlik numaram …". */
const LABEL = /^(?:t\s*\.?\s*c\s*\.?)?\s*(?:kimlik)?\s*(?:numaramız|numarası|numaram|no)?\s*[:=]?\s*/u;

/** Positive remainder: JavaScript's % keeps the sign, and the 10th-digit formula can go negative. */
function mod10(n: number): number {
  return ((n % 10) + 10) % 10;
}

/** True when the 11 digits satisfy the two check digits. `digits` must be 11 digits. */
export function tcKimlikChecksumOk(digits: string): boolean {
  const d = Array.from(digits, Number);
  if (d.length !== 11 || d.some((x) => Number.isNaN(x))) return false;
  const at = (i: number): number => d[i] ?? 0;
  const odd = at(0) + at(2) + at(4) + at(6) + at(8);
  const even = at(1) + at(3) + at(5) + at(7);
  const tenth = mod10(odd * 7 - even);
  const firstTen = d.slice(0, 10).reduce((sum, x) => sum + x, 0);
  return at(9) === tenth && at(10) === mod10(firstTen);
}

/** "12345678950" → "123******50". Anything else keeps only its first 3 and last 2 characters. */
export function maskTcKimlik(digits: string): string {
  const chars = Array.from(digits);
  if (chars.length <= 5) return '*'.repeat(chars.length);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 5) + chars.slice(-2).join('');
}

export function validateTcKimlik(text: string): Validation {
  const trimmed = text.trim().toLocaleLowerCase('tr').replace(LABEL, '');
  if (trimmed === '') return fail('Lütfen 11 haneli T.C. kimlik numaranızı yazın.');
  // Spaces, dots and dashes are how people group the digits when reading them off the card.
  const compact = trimmed.replace(/[\s.\-]/g, '');
  if (!/^\d+$/.test(compact)) {
    return fail('T.C. kimlik numarası yalnızca rakamlardan oluşur. Lütfen 11 haneli numaranızı harf ya da başka işaret kullanmadan yazın.');
  }
  if (compact.length !== 11) {
    return fail(
      `T.C. kimlik numarası 11 haneli olmalı, sizin yazdığınız numarada ${compact.length} rakam var. Lütfen numaranızı kontrol ederek tekrar yazar mısınız?`,
    );
  }
  if (compact.startsWith('0')) {
    return fail('T.C. kimlik numarası 0 ile başlamaz. Lütfen kimlik kartınızdaki numarayı kontrol ederek tekrar yazar mısınız?');
  }
  if (!tcKimlikChecksumOk(compact)) {
    return fail('Bu numarada bir hata var gibi görünüyor, kimlik kartınızdaki numarayı kontrol ederek tekrar yazar mısınız?');
  }
  return ok(compact, maskTcKimlik(compact));
}
