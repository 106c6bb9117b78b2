// Writes an Open311 answer in the format the URL names: `.json` or `.xml`. Both come from the same
// value: JSON as it is; XML through fast-xml-parser's builder (it escapes text), under the
// element names of the GeoReport v2 specification (<services><service>…, <errors><error>…).
import type { Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'json' | 'xml';

/** "requests.json" → { name: "requests", format: "json" }; undefined for another extension. */
export function splitFormat(file: string): { name: string; format: Format } | undefined {
  const match = /^(.+)\.(json|xml)$/.exec(file);
  return match ? { name: match[1]!, format: match[2] as Format } : undefined;
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

/** Characters XML 1.0 cannot carry at all (escaping does not help): dropped. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xmlSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NOT_XML, '');
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, xmlSafe(item)]));
  return value;
}

/** Sends `items` as a JSON array, or as XML: `<root><item>…</item>…</root>`. */
export function sendList(response: Response, format: Format, status: number, root: string, item: string, items: object[]): void {
  if (format === 'json') return void response.status(status).json(items);
  sendXml(response, status, { [root]: { [item]: items } });
}

export function sendObject(response: Response, format: Format, status: number, root: string, value: object, xmlValue: object = value): void {
  if (format === 'json') return void response.status(status).json(value);
  sendXml(response, status, { [root]: xmlValue });
}

function sendXml(response: Response, status: number, value: object): void {
  const body = `<?xml version="1.0" encoding="utf-8"?>\n${builder.build(xmlSafe(value)) as string}`;
  response.status(status).type('application/xml; charset=utf-8').send(body);
}

export interface Open311Error {
  code: number;
  description: string;
}

/** The specification's error answer: a list of { code, description }, with the HTTP status of the first. */
export function sendErrors(response: Response, format: Format, errors: Open311Error[]): void {
  sendList(response, format, errors[0]!.code, 'errors', 'error', errors);
}
