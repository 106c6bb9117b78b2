// Ticket numbers ("CZM-2026-000123") as citizens retype them from an SMS or a screenshot: lower
// case, spaces instead of dashes, or the leading zeros left out.

/** Words that could look like a prefix before a year and a number: dates ("mart 2026 15") above all. */
const NOT_A_PREFIX = new Set(['ocak', 'subat', 'mart', 'nisan', 'mayis', 'eylul', 'ekim', 'kasim', 'yil', 'yili', 'sene', 'no', 'tel']);

const TICKET = /(?<![\p{L}\d])([A-Za-z]{2,5})[\s\-_/.#:]*(20\d{2})[\s\-_/.]*(\d{1,6})(?![\p{L}\d])/gu;

/**
 * The first ticket number in the text, normalised to PREFIX-YYYY-NNNNNN, or undefined.
 * Pass `prefix` to accept only this installation's prefix.
 */
export function findTicketNumber(text: string, prefix?: string): string | undefined {
  // Prefixes are ASCII, so ASCII upper-casing: the Turkish rule would turn a typed "i" into "İ".
  const wanted = prefix?.toUpperCase();
  for (const match of text.matchAll(TICKET)) {
    const letters = match[1]!.toUpperCase();
    if (NOT_A_PREFIX.has(match[1]!.toLowerCase())) continue;
    if (wanted !== undefined && letters !== wanted) continue;
    const serial = Number(match[3]);
    if (serial === 0) continue;
    return `${letters}-${match[2]}-${match[3]!.padStart(6, '0')}`;
  }
  return undefined;
}
