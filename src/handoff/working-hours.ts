// When the solution centre's agents are at their desks, in the municipality's time zone.
import type { Config } from '../config.ts';
import { WEEKDAY_KEYS, type Opening } from '../content/bot-texts.ts';

type Hours = Config['handoff']['workingHours'];

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Day of week (1 = Monday) and minute of day of an instant in a time zone. */
function localTime(date: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: WEEKDAYS[get('weekday')]!, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function isOpen(date: Date, hours: Hours, timeZone: string): boolean {
  const { day, minute } = localTime(date, timeZone);
  return hours.days.includes(day) && minute >= minutes(hours.start) && minute < minutes(hours.end);
}

/**
 * When agents are next at work: today, tomorrow or a weekday, and the time. Undefined when open
 * now. The citizen reads it in their language (bot/texts.yaml `backToday`, `backTomorrow`, `backOn`).
 */
export function nextOpening(date: Date, hours: Hours, timeZone: string): Opening | undefined {
  if (isOpen(date, hours, timeZone) || hours.days.length === 0) return undefined;
  const { day, minute } = localTime(date, timeZone);
  if (hours.days.includes(day) && minute < minutes(hours.start)) return { day: 'today', time: hours.start };
  for (let ahead = 1; ahead <= 7; ahead++) {
    const next = ((day - 1 + ahead) % 7) + 1;
    if (hours.days.includes(next)) return { day: ahead === 1 ? 'tomorrow' : WEEKDAY_KEYS[next - 1]!, time: hours.start };
  }
  return undefined;
}
