import { describe, expect, it } from 'vitest';
import { isOpen, nextOpening } from '../../src/handoff/working-hours.ts';

const hours = { days: [1, 2, 3, 4, 5], start: '08:30', end: '17:30' };
const tz = 'Europe/Istanbul';

describe('working hours in the municipality\'s time zone', () => {
  it('are open on a weekday afternoon and closed at night and at the weekend', () => {
    expect(isOpen(new Date('2026-11-24T11:00:00Z'), hours, tz)).toBe(true); // Tuesday 14:00 in Istanbul
    expect(isOpen(new Date('2026-11-24T14:45:00Z'), hours, tz)).toBe(false); // 17:45
    expect(isOpen(new Date('2026-11-28T09:00:00Z'), hours, tz)).toBe(false); // Saturday
  });

  it('say when agents are back', () => {
    expect(nextOpening(new Date('2026-11-24T11:00:00Z'), hours, tz)).toBeUndefined();
    expect(nextOpening(new Date('2026-11-24T03:00:00Z'), hours, tz)).toBe('bugün 08:30'); // 06:00
    expect(nextOpening(new Date('2026-11-24T16:00:00Z'), hours, tz)).toBe('yarın 08:30'); // 19:00 Tuesday
    expect(nextOpening(new Date('2026-11-27T16:00:00Z'), hours, tz)).toBe('Pazartesi 08:30'); // Friday evening
  });
});
