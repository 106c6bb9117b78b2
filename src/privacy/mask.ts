// Personal data inside any text the bot shows back or logs: T.C. kimlik numbers (11 digits that
// pass the checksum), phone numbers (what libphonenumber-js recognises as a Turkish or
// international number), IBANs and e-mail addresses. Each is cut down to enough to recognise one's
// own ("100••••••46", "0532 ••• •• 67", "TR33 •••• … 26", "a•••@g•••.com"), never enough to read it.
// Hidden digits are bullets, not asterisks: WhatsApp and Telegram read "*…*" as bold, and two
// masked numbers in one message would turn the text between them bold and eat the marks.
// The one place every reader (summaries, confirmations, status answers, notifications, logs) masks
// with, so that a new kind of personal data is added once.
import { findPhoneNumbersInText } from 'libphonenumber-js/max';

/** What a hidden character is shown as. Logs (maskForLog) use asterisks: no channel renders them. */
const HIDDEN = '•';

/** Positive remainder: JavaScript's % keeps the sign, and the 10th-digit formula can go negative. */
function mod10(n: number): number {
  return ((n % 10) + 10) % 10;
}

/** True when the 11 digits satisfy the two check digits of a T.C. kimlik number. */
export function tcKimlikChecksumOk(digits: string): boolean {
  const d = Array.from(digits, Number);
  if (d.length !== 11 || d.some((x) => Number.isNaN(x))) return false;
  const at = (i: number): number => d[i] ?? 0;
  const odd = at(0) + at(2) + at(4) + at(6) + at(8);
  const even = at(1) + at(3) + at(5) + at(7);
  const tenth = mod10(odd * 7 - even);
  const firstTen = d.slice(0, 10).reduce((sum, x) => sum + x, 0);
  return at(9) === tenth && at(10) === mod10(firstTen);
}

/** "12345678950" → "123••••••50". Anything else keeps only its first 3 and last 2 characters. */
export function maskTcKimlik(digits: string, hidden = HIDDEN): string {
  const chars = Array.from(digits);
  if (chars.length <= 5) return hidden.repeat(chars.length);
  return chars.slice(0, 3).join('') + hidden.repeat(chars.length - 5) + chars.slice(-2).join('');
}

/** "+905321234567" → "+90 5•• ••• •• 67": enough to recognise one's own number, not to read it. */
export function maskPhone(e164: string, hidden = HIDDEN): string {
  const nsn = e164.replace(/^\+90/, '').replace(/\D/g, '');
  if (nsn.length !== 10) return `${e164.slice(0, 3)}${hidden.repeat(Math.max(0, e164.length - 5))}${e164.slice(-2)}`;
  return `+90 ${nsn[0]}${hidden.repeat(2)} ${hidden.repeat(3)} ${hidden.repeat(2)} ${nsn.slice(8)}`;
}

/** A Turkish number as Turks write it, with the middle hidden: "0532 ••• •• 67". */
export function maskNationalPhone(nationalNumber: string, hidden = HIDDEN): string {
  if (nationalNumber.length !== 10) return maskTcKimlik(nationalNumber, hidden);
  return `0${nationalNumber.slice(0, 3)} ${hidden.repeat(3)} ${hidden.repeat(2)} ${nationalNumber.slice(8)}`;
}

/** "TR330006100519786457841326" → "TR33 •••• •••• •••• •••• •••• 26". */
export function maskIban(iban: string, hidden = HIDDEN): string {
  const compact = iban.replace(/\s/g, '').toUpperCase();
  const middle = hidden.repeat(compact.length - 6);
  return `${compact.slice(0, 4)} ${middle.replace(/(.{4})(?=.)/gu, '$1 ')} ${compact.slice(-2)}`.replace(/\s+/g, ' ');
}

/** "ayse.yilmaz@gmail.com" → "a•••@g•••.com". */
export function maskEmail(email: string, hidden = HIDDEN): string {
  const at = email.indexOf('@');
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${email[0]}${hidden.repeat(3)}@${domain[0]}${hidden.repeat(3)}${domain.slice(dot)}`;
}

/** Digits with the spaces, dots and dashes people group them with: candidates for a TC number. */
const DIGIT_GROUPS = /(?<![\d*•])\d(?:[ .-]?\d){10,}(?![\d*•])/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** A Turkish IBAN, in groups of four or not, in capitals or not: TR and 24 digits. */
const TR_IBAN = /\bTR ?\d{2}(?: ?\d){22}(?!\d)/gi;
/** Another country's IBAN: two capitals, two check digits, then groups of letters and digits. */
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;

/** The IBAN check (ISO 13616): the rearranged number, letters as 10–35, modulo 97 is 1. */
function ibanChecksumOk(compact: string): boolean {
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`.toUpperCase();
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** A Turkish IBAN is recognised by its shape even with a typo; another country's needs its checksum. */
function looksLikeIban(candidate: string): boolean {
  const compact = candidate.replace(/\s/g, '').toUpperCase();
  return compact.length >= 15 && compact.length <= 34 && /\d{6,}/.test(compact) && ibanChecksumOk(compact);
}

export interface MaskOptions {
  /** Public numbers that stay readable (the municipality's own lines), as national digits or E.164. */
  keepPhones?: Iterable<string>;
  /** What a hidden character is shown as: "•" by default. */
  hidden?: string;
}

function nationalDigitsOf(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.startsWith('90') && digits.length === 12) return digits.slice(2);
  return digits.replace(/^0+/, '');
}

/** The text with every TC kimlik number, phone number, IBAN and e-mail address in it masked. */
export function maskPersonalData(text: string, options: MaskOptions = {}): string {
  if (!text) return text;
  const hidden = options.hidden ?? HIDDEN;
  let masked = text.replace(EMAIL, (email) => maskEmail(email, hidden));
  masked = masked.replace(TR_IBAN, (iban) => maskIban(iban, hidden));
  masked = masked.replace(IBAN, (candidate) => (looksLikeIban(candidate) ? maskIban(candidate, hidden) : candidate));
  masked = masked.replace(DIGIT_GROUPS, (run) => {
    const digits = run.replace(/\D/g, '');
    return digits.length === 11 && !digits.startsWith('0') && tcKimlikChecksumOk(digits) ? maskTcKimlik(digits, hidden) : run;
  });
  if (!/\d{3}/.test(masked.replace(/[\s().-]/g, ''))) return masked;
  const keep = new Set([...(options.keepPhones ?? [])].map(nationalDigitsOf));
  const found = findPhoneNumbersInText(masked, 'TR');
  // Replaced from the end, so that earlier positions stay valid.
  for (const match of [...found].reverse()) {
    const phone = match.number;
    if (keep.has(String(phone.nationalNumber))) continue;
    const shown = phone.countryCallingCode === '90' ? maskNationalPhone(String(phone.nationalNumber), hidden) : maskPhone(String(phone.number), hidden);
    masked = `${masked.slice(0, match.startsAt)}${shown}${masked.slice(match.endsAt)}`;
  }
  return masked;
}

/**
 * For logs, where no number needs to stay readable: everything `maskPersonalData` masks, and then
 * every digit run long enough to be a phone or TC kimlik number ("05321234567" → "053******67"),
 * as a safety net for a mistyped number or one in a form no parser recognises.
 */
/**
 * A Telegram bot token ("123456789:AA…", 35 characters after the colon) as an error's request URL
 * carries it (https://api.telegram.org/bot<token>/sendMessage): a secret that gives the bot away.
 */
const BOT_TOKEN = /(\bbot)?\d{6,12}:[A-Za-z0-9_-]{30,}/g;

export function maskForLog(text: string): string {
  return maskPersonalData(text, { hidden: '*' }).replace(BOT_TOKEN, '$1[gizli]').replace(/\+?\d[\d ]{8,}\d/g, (run) => {
    const digits = run.replace(/\D/g, '');
    // 10–13 digits: a TC kimlik number or a phone number with or without its country code.
    // A longer unbroken run is a timestamp or an id; a longer run with spaces may be two numbers.
    if (digits.length < 10 || (digits.length > 13 && !run.includes(' '))) return run;
    return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
  });
}
