// Structured logs (pino). Citizens' data is personal data (KVKK): message bodies, phone numbers,
// TC kimlik numbers, IBANs and e-mail addresses never reach a log in clear. Fields that may hold
// them are redacted, and every string that is logged passes `maskPersonal` (privacy/mask.ts), as a
// safety net for what slips into a free-text line or an error.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskForLog } from './privacy/mask.ts';

export type { Logger };

// api_key: an Open311 key (open311/keys.ts) is never logged; redacted as a safety net all the same.
const REDACTED_FIELDS = ['text', 'phone', 'tcKimlik', 'body', 'address', 'api_key', '*.text', '*.phone', '*.tcKimlik', '*.body', '*.address', '*.api_key'];

/** Masks personal data in a log line: see privacy/mask.ts (`maskForLog`). */
export const maskPersonal = maskForLog;

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonal(value);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPersonal(value.message), stack: value.stack && maskPersonal(value.stack) };
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, depth + 1)]));
}

/**
 * JSON lines for log collectors; readable lines when a person watches a terminal
 * (LOG_FORMAT=json forces JSON). Tests pass their own destination to read what was logged.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: REDACTED_FIELDS, censor: '[gizli]' },
    formatters: { log: (object) => maskDeep(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskPersonal(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (destination) return pino(options, destination);
  const human = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return human ? pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })) : pino(options);
}
