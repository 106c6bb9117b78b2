// Loads dialogs/*.yaml. A mistake stops start-up with the file, the line and the step.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { MunicipalityValues } from '../content/municipality.ts';
import type { Intent } from '../content/intents.ts';
import { unknownPlaceholders } from '../content/template.ts';
import { ContentError, loadYamlFile } from '../content/yaml-file.ts';
import { z } from 'zod';
import { DialogSpecSchema, type DialogSpec } from './spec.ts';

/** Placeholders a dialog may use besides the municipality's: its own slots and the ticket's fields. */
const TICKET_FIELDS = ['number', 'department', 'due', 'title'];

/** Every {{placeholder}} of a form's texts must be the municipality's, a slot of the form or a ticket field. */
function checkPlaceholders(file: string, spec: DialogSpec, municipality: MunicipalityValues): void {
  const known = new Set([...spec.steps.map((s) => s.slot), ...TICKET_FIELDS]);
  const texts = [
    spec.intro, spec.done, spec.confirm?.prompt, spec.ticket?.summary, ...spec.steps.map((s) => s.prompt),
    ...spec.steps.flatMap((s) => (s.choices ?? []).map((c) => c.info)),
  ];
  for (const text of texts) {
    const unknown = text ? unknownPlaceholders(text, municipality).filter((p) => !known.has(p)) : [];
    if (unknown.length > 0) throw new ContentError(`${file}: bilinmeyen yer tutucu: ${unknown.map((u) => `{{${u}}}`).join(', ')}`);
  }
}

export function loadDialogs(dir: string, municipality: MunicipalityValues): DialogSpec[] {
  const problems: string[] = [];
  const dialogs: DialogSpec[] = [];
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(dir, name);
    try {
      const spec = loadYamlFile(file, DialogSpecSchema);
      checkPlaceholders(file, spec, municipality);
      dialogs.push(spec);
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
    }
  }
  const seen = new Map<string, string>();
  for (const dialog of dialogs) {
    if (seen.has(dialog.intent)) problems.push(`${dir}: "${dialog.intent}" niyeti iki diyalogda: ${seen.get(dialog.intent)} ve ${dialog.id}`);
    seen.set(dialog.intent, dialog.id);
  }
  if (problems.length > 0) throw new ContentError(`dialogs/ içeriği geçersiz:\n${problems.join('\n')}`);
  return dialogs;
}

/**
 * Every FAQ answer's follow-up (intents/*.yaml `followUp`) must start a form that exists, with
 * slots the form has and option values its choices know: an offer that leads nowhere is a
 * content error found at start-up, not by a citizen.
 */
export function checkFollowUps(intents: readonly Intent[], dialogs: readonly DialogSpec[]): void {
  const problems: string[] = [];
  for (const intent of intents) {
    const followUp = intent.followUp;
    if (!followUp) continue;
    const where = `${path.relative(process.cwd(), intent.file)}: followUp`;
    const dialog = dialogs.find((d) => d.intent === followUp.intent && d.kind === 'form');
    if (!dialog) {
      problems.push(`${where}: "${followUp.intent}" ile başlayan bir başvuru formu (dialogs/) yok`);
      continue;
    }
    for (const [slot, value] of Object.entries(followUp.slots)) {
      const step = dialog.steps.find((s) => s.slot === slot);
      if (!step) problems.push(`${where}.slots: "${slot}", ${dialog.id} formunda bir alan değil`);
      else if (step.choices && !step.choices.some((c) => c.value === value)) {
        problems.push(`${where}.slots.${slot}: "${value}" bir seçenek değil (${step.choices.map((c) => c.value).join(', ')})`);
      }
    }
  }
  if (problems.length > 0) throw new ContentError(`intents/ içeriği geçersiz:\n${problems.join('\n')}`);
}

const word = z.string().trim().min(1, 'boş olamaz');
/** A form's words in another language (locales/<language>/dialogs/<id>.yaml): steps and options by their slot and value. */
const TranslatedDialogSchema = z
  .object({
    title: word,
    intro: word.optional(),
    steps: z.record(
      z.string(),
      z
        .object({
          label: word,
          prompt: word,
          aliases: z.array(word).default([]),
          units: z.array(word).default([]),
          choices: z.record(z.string(), z.object({ label: word, synonyms: z.array(word).default([]), info: word.optional() }).strict()).optional(),
        })
        .strict(),
    ),
    confirm: word.optional(),
    done: word.optional(),
  })
  .strict();

/**
 * Each form in `dir` (locales/<language>/dialogs/): the Turkish form with its words replaced. The
 * steps, checks, routing and ticket stay the Turkish file's; every step, option and text of the
 * Turkish form must have its translation, and nothing else may be there.
 */
export function loadDialogTranslations(dir: string, specs: readonly DialogSpec[], municipality: MunicipalityValues): DialogSpec[] {
  const problems: string[] = [];
  const translated: DialogSpec[] = [];
  for (const spec of specs) {
    const file = path.join(dir, `${spec.id}.yaml`);
    try {
      const words = loadYamlFile(file, TranslatedDialogSchema);
      const missing: string[] = [];
      const extra = Object.keys(words.steps).filter((slot) => !spec.steps.some((step) => step.slot === slot)).map((slot) => `steps.${slot}`);
      for (const [key, has] of [['intro', spec.intro], ['confirm', spec.confirm], ['done', spec.done]] as const) {
        if (Boolean(has) !== Boolean(words[key])) (has ? missing : extra).push(key);
      }
      const steps = spec.steps.map((step) => {
        const own = words.steps[step.slot];
        if (!own) return missing.push(`steps.${step.slot}`), step;
        const choices = step.choices?.map((choice) => {
          const theirs = own.choices?.[choice.value];
          if (!theirs) return missing.push(`steps.${step.slot}.choices.${choice.value}`), choice;
          if (Boolean(theirs.info) !== Boolean(choice.info)) (choice.info ? missing : extra).push(`steps.${step.slot}.choices.${choice.value}.info`);
          // The Turkish synonyms still count: a citizen may name an option in Turkish.
          return { ...choice, label: theirs.label, synonyms: [...theirs.synonyms, ...choice.synonyms], info: theirs.info };
        });
        extra.push(...Object.keys(own.choices ?? {}).filter((value) => !step.choices?.some((c) => c.value === value)).map((value) => `steps.${step.slot}.choices.${value}`));
        return { ...step, label: own.label, prompt: own.prompt, aliases: [...own.aliases, ...step.aliases], units: [...own.units, ...step.units], choices };
      });
      if (missing.length > 0) throw new ContentError(`${file}: eksik çeviri: ${missing.join(', ')}`);
      if (extra.length > 0) throw new ContentError(`${file}: Türkçe formda olmayan: ${extra.join(', ')}`);
      const result: DialogSpec = { ...spec, title: words.title, intro: words.intro, steps, confirm: spec.confirm && { ...spec.confirm, prompt: words.confirm! }, done: words.done };
      checkPlaceholders(file, result, municipality);
      translated.push(result);
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ContentError(`${dir} içeriği geçersiz:\n${problems.join('\n')}`);
  return translated;
}
