// locales/<language>/: a translation missing a step, an option, an answer or its offer's buttons stops
// start-up with the file that lacks it.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadIntents, loadIntentTranslations } from '../../src/content/intents.ts';
import { loadDialogs, loadDialogTranslations } from '../../src/dialogs/load.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const { municipality } = loadConfig({ env: {}, file: null });
const intents = loadIntents('intents', valuesOf(municipality));
const specs = loadDialogs('dialogs', valuesOf(municipality));

/** A copy of locales/<language>/<folder> with one file edited; what loading it says. */
function problemsWith(folder: string, file: string, edit: (text: string) => string, load: (dir: string) => unknown): string {
  const dir = tempDir().dir;
  cpSync(folder, dir, { recursive: true });
  writeFileSync(path.join(dir, file), edit(readFileSync(path.join(folder, file), 'utf8')));
  try {
    load(dir);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('loaded without complaint');
}

describe('translations as shipped', () => {
  it('cover every intent and form, with the Turkish routing kept', () => {
    for (const language of ['ar', 'en'] as const) {
      const translated = loadIntentTranslations(`locales/${language}/intents`, intents, valuesOf(municipality, language));
      expect(translated.map((intent) => intent.name)).toEqual(intents.map((intent) => intent.name));
      expect(translated.find((intent) => intent.name === 'faq.water_outage')?.followUp).toMatchObject({ intent: 'complaint.create', slots: { category: 'water' }, takesAnswer: true });
      const forms = loadDialogTranslations(`locales/${language}/dialogs`, specs, valuesOf(municipality, language));
      const complaint = forms.find((form) => form.id === 'complaint')!;
      expect(complaint.ticket).toEqual(specs.find((form) => form.id === 'complaint')!.ticket);
      expect(complaint.steps.map((step) => step.slot)).toEqual(specs.find((form) => form.id === 'complaint')!.steps.map((step) => step.slot));
    }
  });
});

describe('translations edited badly', () => {
  it('names a missing option and an option the Turkish form lacks', () => {
    const load = (dir: string) => loadDialogTranslations(dir, specs, valuesOf(municipality, 'en'));
    const missing = problemsWith('locales/en/dialogs', 'complaint.yaml', (text) => text.replace(/^ {6}rubble:.*\n(?: {8}.*\n)*/m, ''), load);
    expect(missing).toContain('complaint.yaml: eksik çeviri: steps.category.choices.rubble');
    const extra = problemsWith('locales/en/dialogs', 'status.yaml', (text) => text.replace('steps:', 'steps:\n  color:\n    label: Colour\n    prompt: Which colour?'), load);
    expect(extra).toContain("status.yaml: Türkçe formda olmayan: steps.color");
  });

  it('names an answer missing where the Turkish intent has one', () => {
    const load = (dir: string) => loadIntentTranslations(dir, intents, valuesOf(municipality, 'ar'));
    const message = problemsWith('locales/ar/intents', 'faq.funeral.yaml', (text) => text.replace(/^answer: \|-\n(?: {2}.*\n)*/m, ''), load);
    expect(message).toContain('faq.funeral.yaml: answer: Türkçe dosyada yanıt var, çevirisi eksik');
  });
});
