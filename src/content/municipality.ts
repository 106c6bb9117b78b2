// The municipality's settings as content reads them ({{name}}, {{phones.callCenter}}, {{hours}}…),
// once per language: the opening hours are configured as days and times (config.ts
// `municipality.hours`) and written out in each language with its texts.yaml `openingHours` and
// `weekdays`, so that an Arabic reply names them in Arabic.
import path from 'node:path';
import { z } from 'zod';
import type { Municipality, OpeningPeriod } from '../config.ts';
import { contentFolder, LANGUAGES, type Language } from './languages.ts';
import { templateText } from './schema-parts.ts';
import { fillTemplate } from './template.ts';
import { ContentError, loadYamlFile } from './yaml-file.ts';

/** The settings content fills its placeholders from: the configuration, with the hours in words. */
export type MunicipalityValues = Omit<Municipality, 'hours'> & { hours: string };

const DAY_KEYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** A text of `openingHours` with the placeholders it may use. */
function words(...placeholders: string[]) {
  return templateText(Object.fromEntries(placeholders.map((name) => [name, ''])));
}

/** texts.yaml `openingHours`: how a language writes "hafta içi 08.30–17.30". */
export const OpeningWordsSchema = z
  .object({
    /** One period: {{days}} {{from}}–{{to}}. */
    period: words('days', 'from', 'to'),
    /** A time: {{hour}} and {{minute}}, two digits each. */
    time: words('hour', 'minute'),
    /** Monday to Friday, Saturday and Sunday, all seven days. */
    weekdays: words(),
    weekend: words(),
    everyDay: words(),
    /** Three or more days in a row: {{first}} to {{last}}. */
    dayRange: words('first', 'last'),
  })
  .strict();
type OpeningWords = z.infer<typeof OpeningWordsSchema>;

const HoursWordsSchema = z.looseObject({
  openingHours: OpeningWordsSchema,
  weekdays: z.object(Object.fromEntries(DAY_KEYS.map((key) => [key, words()])) as Record<(typeof DAY_KEYS)[number], ReturnType<typeof words>>),
});

const same = (a: number[], b: number[]) => a.length === b.length && a.every((value, index) => value === b[index]);

/** The periods as one language writes them: "hafta içi 08.30–17.30", "Monday to Friday 08:30–17:30". */
export function openingHoursIn(language: Language, periods: readonly OpeningPeriod[], opening: OpeningWords, dayNames: Record<(typeof DAY_KEYS)[number], string>): string {
  const time = (value: string) => fillTemplate(opening.time, { hour: value.slice(0, 2), minute: value.slice(3, 5) });
  const list = (items: string[]) => new Intl.ListFormat(language, { type: 'conjunction' }).format(items);
  const dayName = (day: number) => dayNames[DAY_KEYS[day - 1]!];
  const daysOf = (days: number[]) => {
    const sorted = [...new Set(days)].sort((a, b) => a - b);
    if (same(sorted, [1, 2, 3, 4, 5])) return opening.weekdays;
    if (same(sorted, [6, 7])) return opening.weekend;
    if (same(sorted, [1, 2, 3, 4, 5, 6, 7])) return opening.everyDay;
    const consecutive = sorted.every((day, index) => index === 0 || day === sorted[index - 1]! + 1);
    if (consecutive && sorted.length >= 3) return fillTemplate(opening.dayRange, { first: dayName(sorted[0]!), last: dayName(sorted.at(-1)!) });
    return list(sorted.map(dayName));
  };
  return list(periods.map((period) => fillTemplate(opening.period, { days: daysOf(period.days), from: time(period.from), to: time(period.to) })));
}

/** The municipality's settings for each language's content, the hours written in that language. */
export function municipalityValues(contentDir: string, municipality: Municipality): Record<Language, MunicipalityValues> {
  const problems: string[] = [];
  const values = LANGUAGES.map((language) => {
    try {
      const file = path.join(contentFolder(path.resolve(contentDir), 'bot', language), 'texts.yaml');
      const { openingHours, weekdays } = loadYamlFile(file, HoursWordsSchema);
      return [language, { ...municipality, hours: openingHoursIn(language, municipality.hours, openingHours, weekdays) }] as const;
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
      return [language, undefined] as const;
    }
  });
  if (problems.length > 0) throw new ContentError(`bot/ içeriği geçersiz:\n${problems.join('\n')}`);
  return Object.fromEntries(values) as Record<Language, MunicipalityValues>;
}
