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
  if (trimmed === '') return fail('Lütfen 11 haneli T.C. kimlik numaranızı yazın.');
  // Spaces, dots and dashes are how people group the digits when reading them off the card.
  const compact = trimmed.replace(/[\s.-]/g, '');
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
