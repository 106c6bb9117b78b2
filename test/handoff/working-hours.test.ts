import { describe, expect, it } from 'vitest';
import { loadBotContent } from '../../src/content/bot-texts.ts';
import { loadConfig } from '../../src/config.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { isOpen, nextOpening } from '../../src/handoff/working-hours.ts';
import { valuesOf } from '../support/cozum.ts';

const hours = { days: [1, 2, 3, 4, 5], start: '08:30', end: '17:30' };
const tz = 'Europe/Istanbul';

describe('working hours in the municipality\'s time zone', () => {
  it('are open on a weekday afternoon and closed at night and at the weekend', () => {
    expect(isOpen(new Date('2026-11-24T11:00:00Z'), hours, tz)).toBe(true); // Tuesday 14:00 in Istanbul
    expect(isOpen(new Date('2026-11-24T14:45:00Z'), hours, tz)).toBe(false); // 17:45
    expect(isOpen(new Date('2026-11-28T09:00:00Z'), hours, tz)).toBe(false); // Saturday
  });

  it('say when agents are back, in the citizen\'s language', () => {
    const municipality = loadConfig({ env: {}, file: null }).municipality;
    const { languages } = loadBotContent('bot', municipality, loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name));
    const read = (at: string) => {
      const opening = nextOpening(new Date(at), hours, tz);
      return opening && [languages.tr.texts.opening(opening), languages.en.texts.opening(opening), languages.ar.texts.opening(opening)];
    };
    expect(read('2026-11-24T11:00:00Z')).toBeUndefined();
    expect(read('2026-11-24T03:00:00Z')).toEqual(['bugün 08:30', 'today at 08:30', 'اليوم الساعة 08:30']); // 06:00
    expect(read('2026-11-24T16:00:00Z')).toEqual(['yarın 08:30', 'tomorrow at 08:30', 'غداً الساعة 08:30']); // 19:00 Tuesday
    expect(read('2026-11-27T16:00:00Z')).toEqual(['Pazartesi 08:30', 'Monday at 08:30', 'يوم الاثنين الساعة 08:30']); // Friday evening
  });
});
