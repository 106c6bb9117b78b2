// One masking module for everything shown back or logged: TC kimlik numbers, phone numbers, IBANs
// and e-mail addresses inside any free text.
import { describe, expect, it } from 'vitest';
import { maskForLog, maskPersonalData } from '../../src/privacy/mask.ts';

describe('maskPersonalData', () => {
  it.each([
    ["TC'm 10000000146, bilginize", "TC'm 100••••••46, bilginize"],
    ['kimlik no: 100 000 001 46', 'kimlik no: 100••••••46'],
    ['numaram 0532 123 45 67 arayın', 'numaram 0532 ••• •• 67 arayın'],
    ['05321234567', '0532 ••• •• 67'],
    ['+90 532 123 4567 ya da 532 1234567', '0532 ••• •• 67 ya da 0532 ••• •• 67'],
    ['ev: 0232 343 12 34', 'ev: 0232 ••• •• 34'],
    ['IBAN: TR33 0006 1005 1978 6457 8413 26 lütfen', 'IBAN: TR33 •••• •••• •••• •••• •••• 26 lütfen'],
    ['iban tr330006100519786457841326', 'iban TR33 •••• •••• •••• •••• •••• 26'],
    ['DE89 3704 0044 0532 0130 00 hesabım', 'DE89 •••• •••• •••• •••• 00 hesabım'],
    ['yazın: ayse.yilmaz@gmail.com', 'yazın: a•••@g•••.com'],
  ])('masks %s', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  it.each([
    'Erzene mah 112. sokak no 7 daire 3, 35040 Bornova',
    'CZM-2026-000123 numaralı başvuru',
    'tarih 12.03.2026 saat 14:30',
    '12345678901 abone numarası', // 11 digits that are no TC kimlik number (checksum) and no phone
    'AB12 3456 7890 1234 5678', // IBAN-shaped, checksum wrong
    '3 gündür, 5 kişiyiz, 2 çocuk',
  ])('leaves %s as it is', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('keeps the municipality\'s own numbers readable when asked to', () => {
    expect(maskPersonalData('Bizi 0 (232) 000 01 88 numarasından arayın, sizin 0532 123 45 67', { keepPhones: ['0 (232) 000 01 88'] })).toBe(
      'Bizi 0 (232) 000 01 88 numarasından arayın, sizin 0532 ••• •• 67',
    );
  });
});

describe('maskForLog', () => {
  it('masks what maskPersonalData masks and, as a safety net, any long digit run', () => {
    expect(maskForLog('abone 12345678901, e-posta a@b.co, 0532 123 45 67')).toBe('abone 123******01, e-posta a***@b***.co, 0532 *** ** 67');
    expect(maskForLog('20261124000000_init')).toBe('20261124000000_init');
  });
});
