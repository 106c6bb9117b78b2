// Reads a content file (intents/, dialogs/, bot/) and validates it with a zod schema. Content is edited
// by municipality staff, not programmers, so every problem is reported with the file and line.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { renderedStrings } from './rendered.ts';

export class ContentError extends Error {}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  if (!existsSync(file)) throw new ContentError(`${relative(file)}: dosya bulunamadı`);
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(file, 'utf8'), { lineCounter, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? '?' : String(lineCounter.linePos(offset).line));
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    throw new ContentError(`${relative(file)}:${lineOf(error.pos[0])}: YAML hatası: ${error.message.split('\n')[0]}`);
  }
  const result = schema.safeParse(document.toJS());
  if (result.success) {
    renderedStrings(result.data);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const node = document.getIn(issue.path as (string | number)[], true);
    const where = isNode(node) ? lineOf(node.range?.[0]) : lineOf(document.contents?.range?.[0]);
    const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return `${relative(file)}:${where}: ${field}${issue.message}`;
  });
  throw new ContentError(problems.join('\n'));
}
