// The one result shape every validator returns, so a dialog step can treat them all alike:
// store `value`, echo `display`, or show `error` (and offer `suggestions` as "Did you mean…?").

import { maskPersonalData } from '../../privacy/mask.ts';

export type Validation<T = string> =
  | { ok: true; value: T; display: string }
  | { ok: false; error: string; suggestions?: string[] };

export function ok<T>(value: T, display: string): Validation<T> {
  return { ok: true, value, display };
}

export function fail<T = string>(error: string, suggestions?: string[]): Validation<T> {
  return suggestions && suggestions.length > 0 ? { ok: false, error, suggestions } : { ok: false, error };
}

/** Quotes what the citizen typed inside an error, cut short so a pasted paragraph does not flood the reply. */
export function quote(text: string, max = 40): string {
  // What the citizen typed may be a TC kimlik or phone number written in the wrong place.
  const chars = Array.from(maskPersonalData(text.trim().replace(/\s+/g, ' ')));
  const shown = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  return `“${shown}”`;
}
