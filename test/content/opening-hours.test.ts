// The municipality's opening hours (config `municipality.hours`, days and times) as each language
// writes them wherever content says {{hours}} (src/content/municipality.ts): an Arabic or English
// reply never carries the Turkish "hafta içi".
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { municipalityValues } from '../../src/content/municipality.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';

const inWords = (hours: unknown) => {
  const municipality = loadConfig({ env: {}, file: null, overrides: { 'municipality.hours': hours } }).municipality;
  const values = municipalityValues('.', municipality);
  return [values.tr.hours, values.ar.hours, values.en.hours];
};

describe('opening hours in words', () => {
  it('writes the default in each language', () => {
    expect(inWords('hafta içi 08.30–17.30')).toEqual(['hafta içi 08.30–17.30', 'من الاثنين إلى الجمعة من 08:30 إلى 17:30', 'Monday to Friday 08:30–17:30']);
  });

  it('writes several periods, a run of days and single days', () => {
    expect(
      inWords([
        { days: [1, 2, 3, 4], from: '08:00', to: '17:00' },
        { days: [5], from: '08:00', to: '12:00' },
        { days: [6, 7], from: '10:00', to: '14:00' },
      ]),
    ).toEqual([
      'Pazartesi–Perşembe 08.00–17.00, Cuma 08.00–12.00 ve hafta sonu 10.00–14.00',
      'من الاثنين إلى الخميس من 08:00 إلى 17:00 والجمعة من 08:00 إلى 12:00 والسبت والأحد من 10:00 إلى 14:00',
      'Monday to Thursday 08:00–17:00, Friday 08:00–12:00, and Saturday and Sunday 10:00–14:00',
    ]);
    expect(inWords({ days: [2, 4], from: '09:00', to: '12:00' })).toEqual(['Salı ve Perşembe 09.00–12.00', 'الثلاثاء والخميس من 09:00 إلى 12:00', 'Tuesday and Thursday 09:00–12:00']);
  });
});

const cozum = useTestCozum();

describe('a citizen asking when the municipality is open', () => {
  it('reads the hours in Arabic, in English and in Turkish', async () => {
    const arabic = await new Citizen(cozum).sayAll('ما هي ساعات عمل البلدية؟');
    expect(arabic).toContain('ساعات العمل: من الاثنين إلى الجمعة من 08:30 إلى 17:30');
    expect(arabic).not.toContain('hafta içi');
    const english = await new Citizen(cozum).sayAll('what time does the municipality open');
    expect(english).toContain('Opening hours: Monday to Friday 08:30–17:30');
    expect(english).not.toContain('hafta içi');
    const turkish = await new Citizen(cozum).sayAll('belediye kaçta açılıyor');
    expect(turkish).toContain('Çalışma saatleri: hafta içi 08.30–17.30');
  });
});
