// The export's dates (console/stats.ts `minuteFormat`) are what Intl.DateTimeFormat writes, in
// zones with and without summer time, across their changes of offset, and in one whose offset
// is not whole hours.
import { describe, expect, it } from 'vitest';
import { minuteFormat } from '../../src/console/stats.ts';

describe("the export's dates", () => {
  for (const timeZone of ['Europe/Istanbul', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC']) {
    it(`read as Intl writes them in ${timeZone}`, () => {
      const intl = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
      const format = minuteFormat(timeZone);
      const moments: number[] = [];
      // Every 7 h 20 min 13 s over 2015–2027 (Istanbul's change of 2016 among them), every minute
      // around the changes of March and October 2026, and random moments to the millisecond.
      for (let ms = Date.UTC(2015, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 433_000 * 61) moments.push(ms);
      for (let ms = Date.UTC(2026, 2, 28); ms < Date.UTC(2026, 2, 30); ms += 60_000) moments.push(ms);
      for (let ms = Date.UTC(2026, 9, 24); ms < Date.UTC(2026, 10, 3); ms += 60_000) moments.push(ms);
      for (let i = 0; i < 5000; i++) moments.push(Date.UTC(2016, 0, 1) + Math.floor(Math.random() * 11 * 365 * 86_400_000));
      const wrong = moments.filter((ms) => format(ms) !== intl.format(ms)).map((ms) => `${new Date(ms).toISOString()}: ${format(ms)} ≠ ${intl.format(ms)}`);
      expect(wrong.slice(0, 5)).toEqual([]);
    });
  }
});
