// Fills `{{placeholders}}` in content with values from the municipality's configuration
// ("{{phones.callCenter}}" → "444 0 153") and, in dialogs, with the citizen's answers.
// An unknown placeholder is a content error found at
// start-up, not a broken answer found by a citizen.
import { rendered } from './rendered.ts';

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

function lookup(values: unknown, dottedPath: string): string | undefined {
  let node: unknown = values;
  for (const key of dottedPath.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
}

/** The placeholders in a text that the values cannot fill. */
export function unknownPlaceholders(text: string, values: object): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => lookup(values, name) === undefined);
}

/** Fills the placeholders from the first of `layers` that has a value for each. */
export function fillTemplate(text: string, ...layers: object[]): string {
  if (!text.includes('{{')) return rendered(text);
  return rendered(
    text.replace(PLACEHOLDER, (whole, name: string) => {
      for (const values of layers) {
        const value = lookup(values, name);
        if (value !== undefined) return value;
      }
      return whole;
    }),
  );
}
