// schema.prisma read as text: its models and their fields, for the tests that hold other things
// (the SQL migrations, the KVKK inventory) to it.

export interface FieldSpec { name: string; type: string; optional: boolean; list: boolean; relation: boolean; attributes: string }
export interface ModelSpec { name: string; fields: FieldSpec[]; blockAttributes: string[] }

export const SQLITE_TYPES: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', Float: 'REAL', Boolean: 'BOOLEAN', DateTime: 'DATETIME' };

export function parseSchema(source: string): ModelSpec[] {
  const models: ModelSpec[] = [];
  const modelNames = [...source.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);
  for (const block of source.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields: FieldSpec[] = [];
    const blockAttributes: string[] = [];
    for (const rawLine of block[2]!.split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (line.startsWith('@@')) { blockAttributes.push(line); continue; }
      const match = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!match) continue;
      const [, name, type, list, optional, attributes] = match;
      fields.push({ name: name!, type: type!, list: Boolean(list), optional: Boolean(optional), relation: modelNames.includes(type!), attributes: attributes! });
    }
    models.push({ name: block[1]!, fields, blockAttributes });
  }
  return models;
}
