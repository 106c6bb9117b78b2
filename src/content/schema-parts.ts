// Pieces of the content files' schemas that several files share, so that a phrase or a text with
// placeholders is checked, and its problem worded, the same in each.
import { z } from 'zod';
import { phraseProblem } from '../nlu/phrases.ts';
import { unknownPlaceholders } from './template.ts';

/** A phrase of the phrase language (src/nlu/phrases.ts), refused with what is wrong with it. */
export const phrase = z
  .string()
  .trim()
  .superRefine((value, context) => {
    const problem = phraseProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** A text that is not empty and whose every `{{placeholder}}` `values` can fill. */
export function templateText(values: object) {
  return z
    .string()
    .trim()
    .min(1, 'boş olamaz')
    .superRefine((value, context) => {
      const unknown = unknownPlaceholders(value, values);
      if (unknown.length > 0) context.addIssue({ code: 'custom', message: `bilinmeyen yer tutucu: ${unknown.map((name) => `{{${name}}}`).join(', ')}` });
    });
}
