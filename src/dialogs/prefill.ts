// What the citizen already said before the form asked: the first message ("Erzene Mahallesi 112.
// sokakta çöpler 5 gündür alınmadı"), the story told before a rephrase the bot understood, or
// values a FAQ answer's follow-up carries (the water-outage offer means category "water").
// Each fills its slot, so that nothing is asked twice. A wrong pre-fill is worse than a question:
// only what is said plainly counts.
import { fold, words } from '../nlu/normalize.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { DialogSpec, StepSpec } from './spec.ts';
import type { SlotValue } from './spec.ts';
import { findChoiceInText, findTicketNumber, type NeighbourhoodMatcher } from './validators/index.ts';
import { validateCount } from './validators/number.ts';
import { stemMatches } from './validators/turkish-match.ts';
import { validateText } from './validators/text.ts';
import type { Vocabulary } from './vocabulary.ts';

/** "başvurularım ne durumda", "şikayetlerim ne oldu": the citizen asks about all of their own. */
const MY_TICKETS_IN_TEXT = /\b(basvurularim|sikayetlerim|taleplerim|basvurularimin|sikayetlerimin|taleplerimin)\b/;

/** "Gül sokak no 4", "Atatürk Cad. No:12/3": a street with a door number, as an address to keep. */
const STREET_WITH_NUMBER =
  /(?:[\p{L}\d.'’/-]+\s+){1,3}(?:sokak|sokağı|sok\.?|sk\.?|cadde|caddesi|cad\.?|cd\.?|bulvar|bulvarı|blv\.?)\s*(?:no|numara|kapı no)\s*[:.]?\s*\d+[\p{L}\d/-]*(?:\s*(?:daire|d\.?)\s*[:.]?\s*\d+)?/iu;

/** A story: enough words that say something beyond "I want to complain". */
const STORY_WORDS = 6;
/** Fewer story words are enough when the message also named the topic or the place. */
const STORY_WORDS_WITH_TOPIC = 4;

export interface PrefillSources {
  /** The message that started the form. */
  text?: string;
  /** A story the citizen told before, which the bot did not understand then. */
  story?: string;
  /** Values a follow-up brings, by slot: option values for choices, text otherwise. */
  slots?: Record<string, string>;
  /** A reply to an offer (an address): it names a place, it is not the story. */
  answer?: string;
}

export interface PrefillTools {
  neighbourhoods: NeighbourhoodMatcher;
  vocabulary: Vocabulary;
}

function display(text: string): string {
  const checked = validateText(text);
  return maskPersonalData(checked.ok ? checked.display : text);
}

/** The number right before one of the step's units: "5 kişiyiz" → 5, "dört kişilik aile" → 4. */
function countInText(step: StepSpec, text: string): number | undefined {
  const tokens = words(text);
  const units = step.units.map(fold);
  for (let i = 1; i < tokens.length; i++) {
    if (!units.some((unit) => stemMatches(tokens[i]!, unit))) continue;
    const counted = validateCount(tokens.slice(Math.max(0, i - 2), i).join(' '), { min: step.min ?? 1, max: step.max ?? 30 });
    if (counted.ok) return counted.value;
    const single = validateCount(tokens[i - 1]!, { min: step.min ?? 1, max: step.max ?? 30 });
    if (single.ok) return single.value;
  }
  return undefined;
}

/** Slots one text answers plainly. */
function slotsIn(spec: DialogSpec, text: string, tools: PrefillTools): Record<string, SlotValue> {
  const slots: Record<string, SlotValue> = {};
  for (const step of spec.steps.filter((s) => s.prefill)) {
    if (step.type === 'choice') {
      const value = findChoiceInText(text, step.choices!);
      const choice = step.choices!.find((c) => c.value === value);
      if (choice) slots[step.slot] = { value: choice.value, display: choice.label };
    } else if (step.type === 'neighbourhood') {
      const name = tools.neighbourhoods.findInText(text);
      if (name) slots[step.slot] = { value: name, display: name };
    } else if (step.type === 'ticket_lookup') {
      const number = findTicketNumber(text);
      if (number) slots[step.slot] = { value: number, display: number };
      else if (MY_TICKETS_IN_TEXT.test(fold(text))) slots[step.slot] = { value: 'all', display: 'Tüm başvurularım' };
    } else if (step.type === 'count' && step.units.length > 0) {
      const count = countInText(step, text);
      if (count !== undefined) slots[step.slot] = { value: count, display: String(count) };
    } else if (step.type === 'address') {
      // "Erzene mahallesi Gül sokak no 4": the neighbourhood has its own slot; the address starts after it.
      const street = STREET_WITH_NUMBER.exec(text)?.[0]?.replace(/^.*\b(?:mahallesi|mah\.?|mh\.?)\s+/iu, '').trim().replace(/[,.;]+$/, '');
      if (street) slots[step.slot] = { value: street, display: display(street) };
    }
  }
  return slots;
}

/**
 * True when the text tells a story rather than only asking: see STORY_WORDS. A question that
 * reports nothing ("su kesintisi ne zaman biter") is not a story, however long.
 */
export function isStory(text: string, vocabulary: Vocabulary, namedTopic: boolean): boolean {
  if (vocabulary.isQuestion(text) && !vocabulary.reportsProblem(text)) return false;
  const told = vocabulary.storyWords(text).length;
  return told >= STORY_WORDS || (namedTopic && told >= STORY_WORDS_WITH_TOPIC);
}

/** Every slot the sources already answer. The story (told first) is the description when it is one. */
export function prefillSlots(spec: DialogSpec, sources: PrefillSources, tools: PrefillTools): Record<string, SlotValue> {
  const slots: Record<string, SlotValue> = {};
  for (const [slot, value] of Object.entries(sources.slots ?? {})) {
    const step = spec.steps.find((s) => s.slot === slot);
    const choice = step?.choices?.find((c) => c.value === value);
    if (step) slots[slot] = choice ? { value: choice.value, display: choice.label } : { value, display: display(value) };
  }
  const told = [sources.story, sources.text].filter((t): t is string => Boolean(t?.trim()));
  for (const text of [...told, sources.answer ?? '']) for (const [slot, value] of Object.entries(slotsIn(spec, text, tools))) slots[slot] ??= value;

  const storyStep = spec.steps.find((s) => s.prefill && s.type === 'text' && !(s.slot in slots));
  if (storyStep) {
    const namedTopic = Object.keys(slots).length > 0;
    const story = told.find((text) => isStory(text, tools.vocabulary, namedTopic) && Array.from(text.trim()).length <= (storyStep.maxLength ?? 2000));
    if (story) slots[storyStep.slot] = { value: story.trim(), display: display(story.trim()) };
  }
  return slots;
}
