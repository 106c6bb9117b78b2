// Loads dialogs/*.yaml. A mistake stops start-up with the file, the line and the step.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Municipality } from '../config.ts';
import { unknownPlaceholders } from '../content/template.ts';
import { ContentError, loadYamlFile } from '../content/yaml-file.ts';
import { DialogSpecSchema, type DialogSpec } from './spec.ts';

/** Placeholders a dialog may use besides the municipality's: its own slots and the ticket's fields. */
const TICKET_FIELDS = ['number', 'department', 'due', 'title'];

export function loadDialogs(dir: string, municipality: Municipality): DialogSpec[] {
  const problems: string[] = [];
  const dialogs: DialogSpec[] = [];
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(dir, name);
    try {
      const spec = loadYamlFile(file, DialogSpecSchema);
      const known = new Set([...spec.steps.map((s) => s.slot), ...TICKET_FIELDS]);
      const texts = [spec.intro, spec.done, spec.confirm?.prompt, spec.ticket?.summary, ...spec.steps.map((s) => s.prompt)];
      for (const text of texts) {
        const unknown = text ? unknownPlaceholders(text, municipality).filter((p) => !known.has(p)) : [];
        if (unknown.length > 0) throw new ContentError(`${file}: bilinmeyen yer tutucu: ${unknown.map((u) => `{{${u}}}`).join(', ')}`);
      }
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
