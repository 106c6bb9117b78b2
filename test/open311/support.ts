// Helpers for the Open311 tests: a client speaking GeoReport v2 over real HTTP, in JSON or XML,
// and an admin creating keys through the console's API.
import { XMLParser } from 'fast-xml-parser';
import type { Cozum } from '../../src/main.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON body, or the XML body read into objects (every element a string). */
  body: unknown;
}

const xml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name) });

export function readXml(text: string): unknown {
  return xml.parse(text);
}

export class Open311Client {
  constructor(readonly base: string) {}

  async get(path: string): Promise<Answer> {
    return this.answer(await fetch(`${this.base}${path}`));
  }

  /** A form post, as the specification describes (`attribute[code]` fields included). */
  async post(path: string, fields: Record<string, string>): Promise<Answer> {
    return this.answer(await fetch(`${this.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() }));
  }

  private async answer(response: Response): Promise<Answer> {
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('xml') ? readXml(text) : type.includes('json') ? (JSON.parse(text) as unknown) : text;
    return { status: response.status, headers: response.headers, text, body };
  }
}

/** An admin logged into the console, and a fresh key made through its API. */
export async function adminWithKey(cozum: Cozum, username = 'yonetici'): Promise<{ admin: ConsoleClient; key: string; keyId: string }> {
  if (!(await cozum.db.agent.findUnique({ where: { username } }))) await createAgent(cozum.db, username, 'Deniz Yönetici', 'admin', null);
  const admin = await ConsoleClient.loggedIn(cozum, username);
  const created = await admin.post('/console/api/api-keys', { name: 'Belediye mobil uygulaması' });
  if (created.status !== 201) throw new Error(`key creation failed: ${created.status} ${created.text}`);
  return { admin, key: String(created.json.key), keyId: String(created.json.id) };
}
