// The conversation suite: whole conversations written as citizens write them
// (conversations.yaml), each run through the in-process channel against a real Çözüm. Every turn
// checks what the citizen reads; every conversation checks what ended up in the database (the
// ticket's type, category, department and fields) and that nothing personal the citizen wrote (a
// TC kimlik or phone number, an IBAN, an e-mail) was ever shown back in clear.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NeighbourhoodMatcher } from '../../src/dialogs/validators/index.ts';
import { z } from 'zod';
import { loadYamlFile } from '../../src/content/yaml-file.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { recordContentTexts } from '../support/content-words.ts';

/** YAML reads 10000000146 as a number: what a citizen types is always text. */
const typed = z.union([z.string(), z.number().transform(String)]);

const Turn = z.union([
  typed,
  z
    .object({
      say: typed,
      /** Each must be in the replies of this turn. */
      sees: z.array(z.string()).default([]),
      /** None may be in the replies of this turn. */
      notSees: z.array(z.string()).default([]),
      photo: z.boolean().default(false),
      location: z.tuple([z.number(), z.number()]).optional(),
    })
    .strict(),
]);

const ExpectedTicket = z
  .object({
    type: z.string(),
    category: z.string().nullable().optional(),
    department: z.string().optional(),
    /** Fields of the ticket's data, as stored for the department (not masked). */
    data: z.record(z.string(), z.unknown()).default({}),
    /** Fields of the ticket's data that must be absent. */
    without: z.array(z.string()).default([]),
    /** Text the queue line (summary) contains. */
    summary: z.string().optional(),
    /** The ticket's neighbourhood column. */
    neighbourhood: z.string().nullable().optional(),
    /** The ticket's coordinates (latitude, longitude), or null for none. */
    location: z.tuple([z.number(), z.number()]).nullable().optional(),
  })
  .strict();

const Conversation = z
  .object({
    name: z.string(),
    /** The numbered findings this conversation guards (issue 11). */
    finding: z.array(z.number().int().min(1).max(8)).min(1),
    turns: z.array(Turn).min(1),
    /** None of these may be in any reply of the conversation. */
    never: z.array(z.string()).default([]),
    /** The tickets the conversation leaves, oldest first ([] for none). */
    tickets: z.array(ExpectedTicket),
    /** Who answers the citizen at the end: bot, waiting or agent. */
    mode: z.enum(['bot', 'waiting', 'agent']).default('bot'),
  })
  .strict();

const conversations = loadYamlFile(path.join(import.meta.dirname, 'conversations.yaml'), z.array(Conversation));

/** Digits, e-mails and IBANs a citizen wrote that no reply may repeat. */
function personalData(text: string): string[] {
  const found: string[] = [];
  // Ticket numbers (CZM-2026-000123) are the citizen's to quote and the bot's to repeat.
  for (const run of text.replace(/[A-Za-z]{2,5}-\d{4}-\d{1,6}/g, '').match(/\+?\d[\d\s().-]{8,}\d/g) ?? []) {
    const digits = run.replace(/\D/g, '');
    if (digits.length >= 10) found.push(digits.replace(/^(90|0)/, ''));
  }
  found.push(...(text.match(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu) ?? []));
  found.push(...(text.match(/\bTR ?\d{2}(?: ?\d){22}/gi) ?? []).map((iban) => iban.replace(/\s/g, '').slice(4, 20)));
  return found;
}

// Listening from before Çözüm starts, so the content it loads is recorded too.
const content = recordContentTexts();
afterAll(() => content.stop());
const cozum = useTestCozum();
beforeAll(() => content.allow(new NeighbourhoodMatcher(cozum.config.municipality.city, cozum.config.municipality.district).names));

describe('conversations as citizens write them', () => {
  it('has at least 80 conversations, covering every finding of issue 11 but emergency detection (1, 2)', () => {
    expect(conversations.length).toBeGreaterThanOrEqual(80);
    const covered = new Set(conversations.flatMap((c) => c.finding));
    for (const finding of [3, 4, 5, 6, 7, 8]) expect(covered, `finding ${finding}`).toContain(finding);
    expect(new Set(conversations.map((c) => c.name)).size).toBe(conversations.length);
  });

  for (const conversation of conversations) {
    it(conversation.name, async () => {
      const citizen = new Citizen(cozum);
      const everything: string[] = [];
      const written: string[] = [];
      for (const [index, raw] of conversation.turns.entries()) {
        const turn = typeof raw === 'string' ? { say: raw, sees: [], notSees: [], photo: false, location: undefined } : raw;
        const extra: Record<string, unknown> = {};
        if (turn.photo) extra.media = [{ kind: 'image', mimeType: 'image/jpeg', fileId: `foto-${index}` }];
        if (turn.location) extra.location = { latitude: turn.location[0], longitude: turn.location[1] };
        const reply = await citizen.sayAll(turn.say, extra);
        written.push(turn.say);
        everything.push(reply);
        const where = `turn ${index + 1} “${turn.say}” got:\n${reply}\n`;
        for (const wanted of turn.sees) expect(reply, where).toContain(wanted);
        for (const unwanted of turn.notSees) expect(reply, where).not.toContain(unwanted);
        // Every word the citizen reads comes from content (bot/, intents/, dialogs/) or from the citizen.
        expect(content.strangers(reply, written), `${where}words from no content file`).toEqual([]);
      }
      const all = everything.join('\n');
      for (const unwanted of conversation.never) expect(all, `never “${unwanted}”`).not.toContain(unwanted);

      // Nothing personal shown back: compared without the spaces and dashes numbers are grouped with.
      const compact = all.replace(/[\s().-]/g, '');
      for (const secret of written.flatMap(personalData)) expect(compact, `echoed “${secret}”`).not.toContain(secret.replace(/[\s().-]/g, ''));

      const tickets = await cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } }, orderBy: { createdAt: 'asc' } });
      expect(tickets.map((t) => t.type), 'ticket types').toEqual(conversation.tickets.map((t) => t.type));
      for (const [i, expected] of conversation.tickets.entries()) {
        const ticket = tickets[i]!;
        if (expected.category !== undefined) expect(ticket.category, 'category').toBe(expected.category);
        if (expected.department !== undefined) expect(ticket.department, 'department').toBe(expected.department);
        if (expected.summary !== undefined) expect(ticket.summary, 'summary').toContain(expected.summary);
        if (expected.neighbourhood !== undefined) expect(ticket.neighbourhood, 'neighbourhood').toBe(expected.neighbourhood);
        if (expected.location !== undefined) {
          expect(ticket.latitude === null ? null : [ticket.latitude, ticket.longitude], 'location').toEqual(expected.location);
        }
        const data = JSON.parse(ticket.data) as Record<string, unknown>;
        expect(data, 'ticket data').toMatchObject(expected.data);
        for (const field of expected.without) expect(data, `data.${field}`).not.toHaveProperty(field);
      }
      // An erased citizen's contact no longer carries their platform id: nothing to find then.
      const mode = (await cozum.db.conversation.findFirst({ where: { contact: { platformUserId: citizen.userId } } }))?.mode ?? 'bot';
      expect(mode, 'mode').toBe(conversation.mode);
    });
  }
});
