// Structured logs (pino). Citizens' data is personal data (KVKK): message bodies, phone numbers
// and TC kimlik numbers never reach a log in clear. Fields that may hold them are redacted, and
// `maskPersonal` blanks any 10–11 digit run that slips into a free-text log line.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const REDACTED_FIELDS = ['text', 'phone', 'tcKimlik', 'body', '*.text', '*.phone', '*.tcKimlik', '*.body'];

/** JSON lines for log collectors; readable lines when a person watches a terminal (LOG_FORMAT=json forces JSON). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const options = { level, base: undefined, redact: { paths: REDACTED_FIELDS, censor: '[gizli]' } };
  const human = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return human ? pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })) : pino(options);
}

/** Masks digit runs long enough to be a phone or TC kimlik number: "05321234567" → "053******67". */
export function maskPersonal(text: string): string {
  return text.replace(/\+?\d[\d ]{8,}\d/g, (run) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length < 10) return run;
    return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
  });
}
