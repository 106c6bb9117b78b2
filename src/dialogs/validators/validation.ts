// The one result shape every validator returns, so a dialog step can treat them all alike:
// store `value`, echo `display`, or show `problem` (and offer `suggestions` as "Did you mean…?").
// A problem names a text of bot/texts.yaml, so the citizen reads it in their own language.

import type { Problem } from '../../content/bot-texts.ts';
import { maskPersonalData } from '../../privacy/mask.ts';

export type { Problem };

export type Validation<T = string> =
  | { ok: true; value: T; display: string }
  | { ok: false; problem: Problem; suggestions?: string[] };

export function ok<T>(value: T, display: string): Validation<T> {
  return { ok: true, value, display };
}

export function fail<T = string>(text: Problem['text'], values?: Problem['values'], suggestions?: string[]): Validation<T> {
  const problem = values ? { text, values } : { text };
  return suggestions && suggestions.length > 0 ? { ok: false, problem, suggestions } : { ok: false, problem };
}

/** Quotes what the citizen typed inside an error, cut short so a pasted paragraph does not flood the reply. */
export function quote(text: string, max = 40): string {
  // What the citizen typed may be a TC kimlik or phone number written in the wrong place.
  const chars = Array.from(maskPersonalData(text.trim().replace(/\s+/g, ' ')));
  const shown = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  return `“${shown}”`;
}
