// Measures the emergency detector both ways on nlu/emergencies.yaml (messages that are and are not
// emergencies) and on every intent example (none is one). `npm run nlu:eval` prints the counts;
// the tests demand zero of each.
import { z } from 'zod';
import type { Intent } from '../content/intents.ts';
import { loadYamlFile } from '../content/yaml-file.ts';
import type { EmergencyDetector } from './emergencies.ts';

const TableSchema = z
  .object({
    urgent: z.record(z.string(), z.array(z.string().trim().min(1))),
    ordinary: z.array(z.string().trim().min(1)),
  })
  .strict();
export type EmergencyTable = z.infer<typeof TableSchema>;

export function loadEmergencyTable(file: string): EmergencyTable {
  return loadYamlFile(file, TableSchema);
}

export interface EmergencyScore {
  urgent: number;
  ordinary: number;
  /** Emergencies not recognised. */
  missed: { text: string; kind: string }[];
  /** Recognised, but as another kind (another number to call). */
  wrongKind: { text: string; kind: string; found: string }[];
  /** Ordinary messages taken for an emergency. */
  falseAlarms: { text: string; found: string; words: string }[];
}

export function scoreEmergencies(detector: Pick<EmergencyDetector, 'detect'>, table: EmergencyTable, intents: Intent[] = []): EmergencyScore {
  const score: EmergencyScore = { urgent: 0, ordinary: 0, missed: [], wrongKind: [], falseAlarms: [] };
  for (const [kind, texts] of Object.entries(table.urgent)) {
    for (const text of texts) {
      score.urgent++;
      const found = detector.detect(text);
      if (!found) score.missed.push({ text, kind });
      else if (found.kind.id !== kind) score.wrongKind.push({ text, kind, found: found.kind.id });
    }
  }
  const ordinary = [...table.ordinary, ...intents.flatMap((intent) => intent.examples)];
  for (const text of ordinary) {
    score.ordinary++;
    const found = detector.detect(text);
    if (found) score.falseAlarms.push({ text, found: found.kind.id, words: found.words });
  }
  return score;
}
