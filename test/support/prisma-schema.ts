// schema.prisma read as text: its models and their fields, for the tests that hold other things
// (the SQL migrations, the KVKK inventory) to it.

export interface FieldSpec { name: string; type: string; optional: boolean; list: boolean; relation: boolean; attributes: string }
export interface ModelSpec { name: string; fields: FieldSpec[]; blockAttributes: string[] }

export const SQLITE_TYPES: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', Float: 'REAL', Boolean: 'BOOLEAN', DateTime: 'DATETIME', Bytes: 'BLOB', BigInt: 'BIGINT' };
/** As PostgreSQL's information_schema names the types Prisma gives these fields. */
export const POSTGRES_TYPES: Record<string, string> = { String: 'text', Int: 'integer', Float: 'double precision', Boolean: 'boolean', DateTime: 'timestamp without time zone', Bytes: 'bytea', BigInt: 'bigint' };

/** The model's unique constraints and indexes, as `unique(a,b)` / `index(a,b)`, sorted. */
export function expectedIndexes(model: ModelSpec): string[] {
  return [
    ...model.fields.filter((f) => /@unique\b/.test(f.attributes)).map((f) => `unique(${f.name})`),
    // A composite primary key (@@id) is the table's key, not an index of its own.
    ...model.blockAttributes.filter((attribute) => !attribute.startsWith('@@id')).map((attribute) => {
      const cols = /\[([^\]]+)\]/.exec(attribute)![1]!.split(',').map((c) => c.trim()).join(',');
      return `${attribute.startsWith('@@unique') ? 'unique' : 'index'}(${cols})`;
    }),
  ].sort();
}

/** The fields in the model's primary key: `@id`, or each column of a composite `@@id([a, b])`. */
export function primaryKeyFields(model: ModelSpec): string[] {
  const composite = model.blockAttributes.filter((a) => a.startsWith('@@id')).flatMap((a) => /\[([^\]]+)\]/.exec(a)![1]!.split(',').map((c) => c.trim()));
  return [...model.fields.filter((f) => f.attributes.includes('@id')).map((f) => f.name), ...composite];
}

/** The model's foreign keys, as `from->Table.to ON DELETE action`, sorted. */
export function expectedForeignKeys(model: ModelSpec): string[] {
  return model.fields
    .filter((f) => f.relation && !f.list && f.attributes.includes('fields:'))
    .map((f) => {
      const from = /fields:\s*\[(\w+)\]/.exec(f.attributes)![1];
      const to = /references:\s*\[(\w+)\]/.exec(f.attributes)![1];
      const onDelete = /onDelete:\s*(\w+)/.exec(f.attributes)?.[1];
      const action = onDelete ? onDelete.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase() : f.optional ? 'SET NULL' : 'RESTRICT';
      return `${from}->${f.type}.${to} ${action}`;
    })
    .sort();
}

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
