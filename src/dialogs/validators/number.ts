// Small counts (household size, number of children) typed as digits or as Turkish words,
// with or without Turkish letters ("dört", "dort", "on iki", "4 kişiyiz").
import { words } from '../../nlu/normalize.ts';
import { fail, ok, type Validation } from './validation.ts';

export interface CountRange {
  min: number;
  max: number;
}

/** Folded number words; "tek" is how people say one ("tek kişiyim"). */
const UNITS: Record<string, number> = {
  bir: 1, tek: 1, iki: 2, uc: 3, dort: 4, dord: 4, bes: 5, alti: 6, yedi: 7, sekiz: 8, dokuz: 9,
};
const TENS: Record<string, number> = { on: 10, yirmi: 20, otuz: 30, kirk: 40, elli: 50, altmis: 60, yetmis: 70, seksen: 80, doksan: 90 };

/** "dördüz", "ikiyiz", "beşiz": "we are N" glued to the number word. */
const WE_ARE = /^(?:y?[iu]z|y?[iu]m)$/;

function wordValue(word: string, table: Record<string, number>): number | undefined {
  if (table[word] !== undefined) return table[word];
  for (const [stem, value] of Object.entries(table)) {
    if (word.startsWith(stem) && WE_ARE.test(word.slice(stem.length))) return value;
  }
  return undefined;
}

/** Numbers written with words: "on iki" → 12, "onbir" → 11, "dört" → 4. */
function numbersFromWords(tokens: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const glued = Object.entries(TENS).find(([stem]) => token.startsWith(stem) && wordValue(token.slice(stem.length), UNITS) !== undefined);
    if (glued) {
      found.push(glued[1] + (wordValue(token.slice(glued[0].length), UNITS) ?? 0));
      continue;
    }
    const tens = wordValue(token, TENS);
    if (tens !== undefined) {
      const unit = wordValue(tokens[i + 1] ?? '', UNITS);
      if (unit !== undefined) i++;
      found.push(tens + (unit ?? 0));
      continue;
    }
    const unit = wordValue(token, UNITS);
    if (unit !== undefined) found.push(unit);
  }
  return found;
}

export function validateCount(text: string, { min, max }: CountRange): Validation<number> {
  const example = Math.max(min, Math.min(4, max));
  const tokens = words(text);
  if (tokens.length === 0) return fail('numberEmpty', { example });

  // Digits win over words: in "4 kişiyiz, bir de bebek var" the 4 is the answer.
  const digits = tokens.map((t) => /^(\d+)[a-z]*$/.exec(t)?.[1]).filter((d): d is string => d !== undefined).map(Number);
  const candidates = digits.length > 0 ? digits : numbersFromWords(tokens);
  const distinct = [...new Set(candidates)];
  if (distinct.length === 0) return fail('numberNotFound', { min, max, example });
  if (distinct.length > 1) return fail('numberSeveral', { min, max });
  const value = distinct[0]!;
  if (value < min || value > max) return fail('numberOutOfRange', { min, max });
  return ok(value, String(value));
}
