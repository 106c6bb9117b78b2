// bot/emergencies.yaml: the kinds of emergency the assistant recognises, the words that reveal
// each, the contexts that make those words ordinary, the number to call (from the municipality's
// phones) and what to do now. A municipality edits it like its texts; validated at start-up with
// file and line.
import path from 'node:path';
import { z } from 'zod';
import type { Municipality } from '../config.ts';
import { municipalityValues, type MunicipalityValues } from './municipality.ts';
import { contentFolder, DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages.ts';
import { phrase, templateText } from './schema-parts.ts';
import { fillTemplate } from './template.ts';
import { loadYamlFile } from './yaml-file.ts';

const text = z.string().trim().min(1, 'boş olamaz');

/** A text filled from the municipality, and from the moment's `allowed` values. */
function template(municipality: MunicipalityValues, allowed: string[] = []) {
  return templateText({ ...municipality, ...Object.fromEntries(allowed.map((name) => [name, ''])) });
}

const word = z.string().trim().regex(/^[\p{Ll}\p{N}\u0621-\u064a]+$/u, 'tek kelime, küçük harflerle');

const choice = z.object({ label: text.max(40, 'en fazla 40 karakter'), words: z.array(text).default([]) }).strict();

/** What every language's table has alike: its words around the phrases, the offer and the texts after the answer. */
function tableFields(municipality: MunicipalityValues) {
  return {
    commonWords: z.array(z.string().regex(/^[a-z]+$/, 'yalnızca Türkçe harfsiz küçük harfler')).default([]),
    negationsBefore: z.array(word).default([]),
    negationFillers: z.array(word).default([]),
    offer: z.object({ prompt: template(municipality), ticket: choice, person: choice, no: choice }).strict(),
    texts: z
      .object({
        ticketFiled: template(municipality, ['ticketNumber', 'number']),
        declined: template(municipality),
        markedUrgent: template(municipality),
      })
      .strict(),
    alarm: z.object({ words: z.array(text).min(1, 'en az bir kelime gerekli'), answer: template(municipality) }).strict(),
  };
}

function fileSchema(municipality: MunicipalityValues) {
  const phones = Object.keys(municipality.phones);
  return z
    .object({
      ...tableFields(municipality),
      negations: z.array(word).min(1),
      kinds: z
        .array(
          z
            .object({
              id: z.string().regex(/^[a-z_]+$/, 'küçük harf ve _'),
              title: text,
              call: z.string().refine((key) => phones.includes(key), { message: `municipality.phones içinde olmalı: ${phones.join(', ')}` }),
              department: text.optional(),
              phrases: z.array(phrase).min(1, 'en az bir ifade gerekli'),
              except: z.array(phrase).default([]),
              unless: z.array(phrase).default([]),
              answer: template(municipality, ['number']),
            })
            .strict(),
        )
        .min(1),
    })
    .strict()
    .superRefine((file, context) => {
      const seen = new Set<string>();
      file.kinds.forEach((kind, index) => {
        if (seen.has(kind.id)) context.addIssue({ code: 'custom', message: `aynı id iki kez: ${kind.id}`, path: ['kinds', index, 'id'] });
        seen.add(kind.id);
      });
    });
}

export interface EmergencyKind {
  id: string;
  /** What agents read: "Doğalgaz kaçağı". */
  title: string;
  /** The number to call now, from municipality.phones. */
  number: string;
  /** Where an emergency ticket of this kind goes; the handoff default when absent. */
  department?: string;
  phrases: string[];
  /** Phrases that, where they cover the matched words, make them ordinary ("yangın merdiveni"). */
  except: string[];
  /** Phrases that, anywhere in the same sentence, make the match ordinary ("köpek" for "yaralı"). */
  unless: string[];
  /** What to do now, with the number filled in. */
  answer: string;
}

export interface EmergencyChoice {
  label: string;
  words: string[];
}

export interface EmergencyContent {
  commonWords: string[];
  negations: string[];
  /** Words that negate a match standing before it ("no gas smell", "ما في ريحة غاز"): Arabic and English. */
  negationsBefore: string[];
  negationFillers: string[];
  offer: { prompt: string; ticket: EmergencyChoice; person: EmergencyChoice; no: EmergencyChoice };
  texts: { ticketFiled(moment: { ticketNumber: string; number: string }): string; declined: string; markedUrgent: string };
  /** A message that is only a cry of alarm ("acil!!"), matched whole, and what to say to it. */
  alarm: { words: string[]; answer: string };
  kinds: EmergencyKind[];
}

/** A table as read: what every language's has alike (tableFields), and its negations. */
type Table = { [field in keyof ReturnType<typeof tableFields>]: z.output<ReturnType<typeof tableFields>[field]> } & { negations: string[] };

/** Everything but the kinds, from a language's table, its texts filled from its municipality. */
function tableContent(raw: Table, municipality: MunicipalityValues): Omit<EmergencyContent, 'kinds'> {
  const fill = (value: string) => fillTemplate(value, municipality);
  return {
    commonWords: raw.commonWords,
    negations: raw.negations,
    negationsBefore: raw.negationsBefore,
    negationFillers: raw.negationFillers,
    offer: { ...raw.offer, prompt: fill(raw.offer.prompt) },
    texts: {
      ticketFiled: (moment) => fillTemplate(raw.texts.ticketFiled, moment, municipality),
      declined: fill(raw.texts.declined),
      markedUrgent: fill(raw.texts.markedUrgent),
    },
    alarm: { words: raw.alarm.words, answer: fill(raw.alarm.answer) },
  };
}

export function loadEmergencies(dir: string, municipality: MunicipalityValues): EmergencyContent {
  const raw = loadYamlFile(path.join(dir, 'emergencies.yaml'), fileSchema(municipality));
  return {
    ...tableContent(raw, municipality),
    kinds: raw.kinds.map(({ call, answer, ...kind }) => {
      const number = municipality.phones[call as keyof Municipality['phones']];
      return { ...kind, number, answer: fillTemplate(answer, { number }, municipality) };
    }),
  };
}

/**
 * Another language's emergencies (locales/<language>/bot/emergencies.yaml): its own phrases and
 * negations, and the words of every Turkish kind's answer and of the offer. The kinds, their order,
 * numbers and departments stay the Turkish file's; a Turkish kind missing there stops start-up.
 */
function translationSchema(municipality: MunicipalityValues, kindIds: string[]) {
  // A list of phrases may take in a shared one (a YAML alias, `*hypothetical`): read as one list.
  const phrases = z.array(z.union([phrase, z.array(phrase)])).default([]).transform((items) => items.flat());
  return z
    .object({
      // Lists of phrases several kinds share, named with YAML anchors (&hypothetical).
      shared: z.record(z.string(), z.array(phrase)).default({}),
      ...tableFields(municipality),
      negations: z.array(word).default([]),
      kinds: z
        .record(
          z.string(),
          z
            .object({
              phrases: z.array(phrase).min(1, 'en az bir ifade gerekli'),
              except: phrases,
              unless: phrases,
              answer: template(municipality, ['number']),
            })
            .strict(),
        )
        .superRefine((kinds, context) => {
          const missing = kindIds.filter((id) => !(id in kinds));
          if (missing.length > 0) context.addIssue({ code: 'custom', message: `bot/emergencies.yaml'deki türlerin çevirisi eksik: ${missing.join(', ')}` });
          for (const id of Object.keys(kinds)) {
            if (!kindIds.includes(id)) context.addIssue({ code: 'custom', message: `bot/emergencies.yaml'de böyle bir tür yok: ${id}`, path: [id] });
          }
        }),
    })
    .strict();
}

/** Every language's emergencies: Turkish from bot/, the others from locales/<language>/bot/. */
export function loadEmergencyLanguages(contentDir: string, settings: Municipality): Record<Language, EmergencyContent> {
  // The settings as each language writes them ({{hours}}).
  const values = municipalityValues(contentDir, settings);
  const turkish = loadEmergencies(contentFolder(contentDir, 'bot', DEFAULT_LANGUAGE), values[DEFAULT_LANGUAGE]);
  const ids = turkish.kinds.map((kind) => kind.id);
  const translated = (language: Language): EmergencyContent => {
    const municipality = values[language];
    const file = path.join(contentFolder(contentDir, 'bot', language), 'emergencies.yaml');
    const raw = loadYamlFile(file, translationSchema(municipality, ids));
    return {
      ...tableContent(raw, municipality),
      kinds: turkish.kinds.map((kind) => {
        const own = raw.kinds[kind.id]!;
        return { ...kind, phrases: own.phrases, except: own.except, unless: own.unless, answer: fillTemplate(own.answer, { number: kind.number }, municipality) };
      }),
    };
  };
  return Object.fromEntries(LANGUAGES.map((language) => [language, language === DEFAULT_LANGUAGE ? turkish : translated(language)])) as Record<Language, EmergencyContent>;
}
