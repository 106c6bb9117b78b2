// The intents a municipality edits: intents/<label>.yaml, one per intent, with training examples
// and, for FAQ intents, the answer. Validated at start-up; a bad file stops start-up with its name.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { MunicipalityValues } from './municipality.ts';
import { fillTemplate, unknownPlaceholders } from './template.ts';
import { ContentError, loadYamlFile } from './yaml-file.ts';

/** The labels every installation has (shared/nlu/intents.md); a municipality may add its own. */
export const REQUIRED_INTENTS = [
  'greeting', 'goodbye',
  'faq.yakin_kart', 'faq.social_aid', 'faq.contact', 'faq.funeral', 'faq.marriage',
  'faq.tax_payment', 'faq.water_outage', 'faq.public_transport',
  'request.aid', 'complaint.create', 'ticket.status', 'handoff.agent', 'appointment.request',
  'none',
] as const;

export const MIN_EXAMPLES = 40;

/**
 * What an answer offers to do next ("adresinizi yazın, arıza kaydınızı iletelim"): the form it
 * starts, with what the answer already knows, shown as two buttons under the answer.
 */
export const FollowUpSchema = z
  .object({
    /** The intent whose form starts (dialogs/*.yaml), e.g. complaint.create. */
    intent: z.string().trim().min(1),
    /** Slots the form starts with, e.g. { category: water }: option values for choices. */
    slots: z.record(z.string(), z.string().trim().min(1)).default({}),
    /** The button that starts it ("Arıza kaydı aç") and the one that declines ("Hayır, teşekkürler"). */
    accept: z.string().trim().min(1).max(40, 'en fazla 40 karakter'),
    decline: z.string().trim().min(1).max(40, 'en fazla 40 karakter'),
    /** A reply that is neither button (an address typed straight away) answers the form's first open question. */
    takesAnswer: z.boolean().default(false),
  })
  .strict();
export type FollowUp = z.infer<typeof FollowUpSchema>;

export const IntentFileSchema = z
  .object({
    intent: z.string().regex(/^[a-z]+(\.[a-z_]+)?$/, 'etiket küçük harf ve nokta ile yazılır, örn. faq.funeral'),
    examples: z.array(z.string().trim().min(1, 'boş örnek')).min(MIN_EXAMPLES, `en az ${MIN_EXAMPLES} örnek gerekli`),
    answer: z.string().trim().min(1).optional(),
    followUp: FollowUpSchema.optional(),
  })
  .strict()
  .refine((file) => !file.followUp || file.answer !== undefined, { message: 'followUp bir yanıtın (answer) ardından gelir', path: ['followUp'] })
  .refine((file) => !file.intent.startsWith('faq.') || file.answer !== undefined, {
    message: 'SSS niyetlerinin bir yanıtı (answer) olmalı',
    path: ['answer'],
  });
export type IntentFile = z.infer<typeof IntentFileSchema>;

export interface Intent {
  name: string;
  examples: string[];
  /** The answer with placeholders filled, when the intent has one. */
  answer?: string;
  /** What the answer offers to do next. */
  followUp?: FollowUp;
  file: string;
}

export function loadIntents(dir: string, municipality: MunicipalityValues): Intent[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml') || name.endsWith('.yml')).sort();
  const intents: Intent[] = [];
  const problems: string[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const data = loadYamlFile(file, IntentFileSchema);
      const expectedName = name.replace(/\.ya?ml$/, '');
      if (data.intent !== expectedName) throw new ContentError(`${file}: dosya adı "${expectedName}", intent "${data.intent}": ikisi aynı olmalı`);
      const missing = data.answer ? unknownPlaceholders(data.answer, municipality) : [];
      if (missing.length > 0) throw new ContentError(`${file}: answer: bilinmeyen yer tutucu: ${missing.map((m) => `{{${m}}}`).join(', ')}`);
      intents.push({ name: data.intent, examples: data.examples, answer: data.answer && fillTemplate(data.answer, municipality), followUp: data.followUp, file });
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
    }
  }
  const present = new Set(intents.map((intent) => intent.name));
  const absent = REQUIRED_INTENTS.filter((name) => !present.has(name));
  if (absent.length > 0) problems.push(`${dir}: eksik niyet dosyaları: ${absent.map((n) => `${n}.yaml`).join(', ')}`);
  if (problems.length > 0) throw new ContentError(`intents/ içeriği geçersiz:\n${problems.join('\n')}`);
  return intents;
}

/** An intent in another language (locales/<language>/intents/): its examples, and the words of its answer and offer. */
const TranslatedIntentSchema = z
  .object({
    intent: z.string(),
    examples: z.array(z.string().trim().min(1, 'boş örnek')).min(MIN_EXAMPLES, `en az ${MIN_EXAMPLES} örnek gerekli`),
    answer: z.string().trim().min(1).optional(),
    followUp: FollowUpSchema.pick({ accept: true, decline: true }).optional(),
  })
  .strict();

/**
 * The intents in `language`, one file per Turkish intent: the examples are the language's own; the
 * answer and the offer's buttons are translated, and must be there exactly where the Turkish file has
 * them. What an offer starts (its form and slots) stays the Turkish file's.
 */
export function loadIntentTranslations(dir: string, reference: readonly Intent[], municipality: MunicipalityValues): Intent[] {
  const problems: string[] = [];
  const intents: Intent[] = [];
  for (const turkish of reference) {
    const file = path.join(dir, `${turkish.name}.yaml`);
    try {
      const data = loadYamlFile(file, TranslatedIntentSchema);
      if (data.intent !== turkish.name) throw new ContentError(`${file}: dosya adı "${turkish.name}", intent "${data.intent}": ikisi aynı olmalı`);
      if (Boolean(data.answer) !== Boolean(turkish.answer)) {
        throw new ContentError(`${file}: answer: ${turkish.answer ? 'Türkçe dosyada yanıt var, çevirisi eksik' : 'Türkçe dosyada yanıt yok'}`);
      }
      if (Boolean(data.followUp) !== Boolean(turkish.followUp)) {
        throw new ContentError(`${file}: followUp: ${turkish.followUp ? 'Türkçe dosyada öneri var, düğmelerinin çevirisi (accept, decline) eksik' : 'Türkçe dosyada öneri yok'}`);
      }
      const missing = data.answer ? unknownPlaceholders(data.answer, municipality) : [];
      if (missing.length > 0) throw new ContentError(`${file}: answer: bilinmeyen yer tutucu: ${missing.map((m) => `{{${m}}}`).join(', ')}`);
      intents.push({
        name: turkish.name,
        examples: data.examples,
        answer: data.answer && fillTemplate(data.answer, municipality),
        followUp: turkish.followUp && data.followUp && { ...turkish.followUp, ...data.followUp },
        file,
      });
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ContentError(`${dir} içeriği geçersiz:\n${problems.join('\n')}`);
  return intents;
}

/** Each intent's answer (placeholders filled), by intent name. */
export function answersByIntent(intents: Intent[]): Map<string, string> {
  return new Map(intents.flatMap((intent) => (intent.answer ? [[intent.name, intent.answer] as const] : [])));
}
