// Picking one option from a numbered list. On WhatsApp and Telegram many citizens answer with the
// number, others retype the option, often without Turkish letters or with a typo, or describe it
// in a sentence. Anything we are not sure about is asked again rather than guessed.
import { words } from '../../nlu/normalize.ts';
import { findPhrase, nearMissDistance, stemMatches } from './turkish-match.ts';
import { fail, ok, quote, type Validation } from './validation.ts';

export interface ChoiceOption {
  value: string;
  label: string;
  synonyms?: string[];
}

/** Words that say nothing about which option is meant ("çukur ve yol" → "çukur", "yol"). */
const FILLER = new Set(['ve', 'ile', 'veya', 'ya', 'da', 'de', 'ki', 'bir', 'bu', 'o', 'icin', 'gibi', 'cok', 'mi', 'mu', 'ama', 'ben', 'biz', 'lutfen']);

/** "2", "2.", "2)", "2 -", "2️⃣": a list number and nothing else. */
const NUMBER_ANSWER = /^(\d{1,3})\s*[.):-]?$/;

// Match strength tiers; only the best tier decides, and two options in it are a tie.
const EXACT = 100;
const CONTAINS = 80; // + words in the phrase: "sokak lambası" beats "sokak"
const PART_OF_LABEL = 60;
const NEAR_MISS = 50; // − typos

/** Options come from the dialog files and live as long as the process: their words are folded once. */
const phrasesOf = new WeakMap<ChoiceOption, string[][]>();

function phrases(option: ChoiceOption): string[][] {
  let folded = phrasesOf.get(option);
  if (!folded) {
    folded = [option.label, ...(option.synonyms ?? [])].map((p) => words(p)).filter((w) => w.length > 0);
    phrasesOf.set(option, folded);
  }
  return folded;
}

/** The phrase occurs in the text as whole words (inflection allowed), and is not a one- or two-letter scrap. */
function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  return phrase.join('').length >= 3 && findPhrase(tokens, phrase) >= 0;
}

function phraseScore(tokens: readonly string[], phrase: readonly string[]): number {
  if (tokens.join(' ') === phrase.join(' ')) return EXACT;
  if (containsPhrase(tokens, phrase)) return CONTAINS + Math.min(phrase.length, 9);

  const content = tokens.filter((t) => !FILLER.has(t));
  const phraseContent = phrase.filter((p) => !FILLER.has(p));
  if (content.length === 0 || phraseContent.length === 0) return 0;

  // The citizen typed part of a longer label: "yol" for "Çukur / yol bozukluğu".
  if (content.length < phraseContent.length && content.every((t) => t.length >= 3 && phraseContent.some((p) => stemMatches(t, p)))) {
    return PART_OF_LABEL;
  }

  // Every word of the phrase is in the text, apart or mistyped ("cukr" → "çukur"); fewer typos rank higher.
  let typos = 0;
  for (const p of phraseContent) {
    if (tokens.some((t) => stemMatches(t, p))) continue;
    const distances = tokens.map((t) => nearMissDistance(t, p)).filter((d): d is number => d !== undefined);
    if (distances.length === 0) {
      typos = -1;
      break;
    }
    typos += Math.min(...distances);
  }
  if (typos >= 0) return NEAR_MISS - typos;

  // One mistyped word for one word of a longer label: "bozuklgu" for "yol bozukluğu".
  if (content.length === 1) {
    const distances = phraseContent.map((p) => nearMissDistance(content[0]!, p)).filter((d): d is number => d !== undefined);
    if (distances.length > 0) return NEAR_MISS - 10 - Math.min(...distances);
  }
  return 0;
}

function best(tokens: readonly string[], options: readonly ChoiceOption[], scoreOf: (tokens: readonly string[], phrase: readonly string[]) => number) {
  const scored = options.map((option) => ({ option, score: Math.max(0, ...phrases(option).map((p) => scoreOf(tokens, p))) }));
  const top = Math.max(0, ...scored.map((s) => s.score));
  return { top, winners: top > 0 ? scored.filter((s) => s.score === top).map((s) => s.option) : [] };
}

export function matchChoice(text: string, options: readonly ChoiceOption[]): Validation {
  const trimmed = text.trim().replace(/[\uFE0F\u20E3]/g, ''); // keycap emoji "2️⃣" is a plain "2"
  if (trimmed === '') return fail('choiceEmpty');

  const number = NUMBER_ANSWER.exec(trimmed);
  if (number) {
    const option = options[Number(number[1]) - 1];
    if (option) return ok(option.value, option.label);
    return fail('choiceOutOfRange', { count: options.length });
  }

  const tokens = words(trimmed);
  const { winners } = best(tokens, options, phraseScore);
  if (winners.length === 1) return ok(winners[0]!.value, winners[0]!.label);
  if (winners.length > 1) {
    return fail(
      'choiceAmbiguous',
      { answer: quote(trimmed) },
      winners.map((o) => o.label),
    );
  }
  return fail('choiceNoMatch', { answer: quote(trimmed) });
}

/**
 * The option a free sentence clearly names by a label or synonym as whole words ("sokak lambası
 * yanmıyor" → the street-light option), for pre-filling a slot from the citizen's first message.
 * No typo tolerance and no partial labels here: a wrong pre-fill is worse than asking.
 */
export function findChoiceInText(text: string, options: readonly ChoiceOption[]): string | undefined {
  const tokens = words(text);
  const { winners } = best(tokens, options, (t, p) => (containsPhrase(t, p) ? CONTAINS + Math.min(p.length, 9) : 0));
  if (winners.length <= 1) return winners[0]?.value;
  // Options tied on their best phrase ("bez" names two): the one the text names more often wins
  // ("bez ve mama" is the baby's), else nobody does.
  const named = winners.map((option) => ({ option, count: phrases(option).filter((p) => containsPhrase(tokens, p)).length }));
  const most = Math.max(...named.map((n) => n.count));
  const top = named.filter((n) => n.count === most);
  return top.length === 1 ? top[0]!.option.value : undefined;
}
