// bot/institutions.yaml: other institutions' work (MHRS, nüfus, noter, SGK, vergi dairesi…), the
// phrases that reveal a question about it, and a short pointer to where it is done. Edited by the
// municipality; validated at start-up with file and line.
import path from 'node:path';
import { z } from 'zod';
import type { MunicipalityValues } from './municipality.ts';
import { phrase, templateText } from './schema-parts.ts';
import { fillTemplate } from './template.ts';
import { loadYamlFile } from './yaml-file.ts';

function fileSchema(municipality: MunicipalityValues) {
  const text = templateText(municipality);
  return z
    .object({
      footer: text,
      institutions: z
        .array(
          z
            .object({
              id: z.string().regex(/^[a-z_]+$/, 'küçük harf ve _'),
              name: text,
              phrases: z.array(phrase).min(1, 'en az bir ifade gerekli'),
              unless: z.array(phrase).default([]),
              answer: text,
            })
            .strict(),
        )
        .min(1),
    })
    .strict();
}

export interface Institution {
  id: string;
  name: string;
  phrases: string[];
  /** Phrases that, anywhere in the message, show the question is the municipality's own after all. */
  unless: string[];
  /** The pointer, footer included, placeholders filled. */
  answer: string;
}

export function loadInstitutions(dir: string, municipality: MunicipalityValues): Institution[] {
  const raw = loadYamlFile(path.join(dir, 'institutions.yaml'), fileSchema(municipality));
  const footer = fillTemplate(raw.footer, municipality);
  return raw.institutions.map(({ answer, ...institution }) => ({ ...institution, answer: `${fillTemplate(answer, municipality)}\n\n${footer}` }));
}
