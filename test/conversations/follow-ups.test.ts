// Every offer leads somewhere (issue 11, finding 6): each FAQ answer that invites a next step
// declares it (intents/*.yaml `followUp`), and this walks every one of them from the question to
// the ticket it promises, through the in-process channel, answering whatever the form asks.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDialogs } from '../../src/dialogs/load.ts';
import type { DialogSpec } from '../../src/dialogs/spec.ts';
import { Citizen, useTestCozum, valuesOf } from '../support/cozum.ts';
import { checkRepliesComeFromContent } from '../support/content-words.ts';

// Every reply a citizen reads here comes from content or from their own words.
checkRepliesComeFromContent();
const cozum = useTestCozum();

/** Words with which an answer invites the citizen to act: each needs a follow-up to act on. */
const INVITATION = /ister misiniz|adresinizi yaz|seçmeniz yeterli|iletelim|iletsin|buradan da alabilirim|kaydı açalım/i;

/** A plausible answer to each kind of question a form asks. */
const ANSWERS: Record<string, string> = {
  choice: '1',
  neighbourhood: 'Erzene',
  address: 'Erzene mahallesi 3. sokak no 1',
  text: 'Üç gündür devam ediyor, lütfen yardımcı olun.',
  photo: 'geç',
  name: 'Ayşe Yılmaz',
  phone: '0532 123 45 67',
  tc_kimlik: '10000000146',
  count: '3',
  days: 'fark etmez',
};

/** Answers the form until its ticket is created; returns everything the citizen read. */
async function completeForm(citizen: Citizen, spec: DialogSpec, firstReply: string): Promise<string> {
  let reply = firstReply;
  const read = [reply];
  for (let turn = 0; turn < 30; turn++) {
    if (/Başvuru numaranız|Talep numaranız/.test(reply)) return read.join('\n');
    let answer: string | undefined;
    if (reply.includes('KVKK')) answer = 'evet';
    else if (reply.includes('özeti:')) answer = 'Gönder';
    else {
      const lastLine = reply.split('\n---\n').at(-1)!;
      const step = spec.steps.find((s) => lastLine.startsWith(s.prompt.slice(0, 25)));
      answer = step && ANSWERS[step.type];
    }
    if (!answer) throw new Error(`no answer for:\n${reply}`);
    reply = await citizen.sayAll(answer);
    read.push(reply);
  }
  throw new Error(`the form did not end:\n${read.join('\n')}`);
}

describe('FAQ answers and their follow-ups', () => {
  it('every answer that invites a next step declares it, and every declared follow-up is offered in words', () => {
    for (const intent of cozum.intents.filter((i) => i.answer && i.name.startsWith('faq.'))) {
      if (INVITATION.test(intent.answer!)) expect(intent.followUp, `${intent.name} invites without a follow-up`).toBeDefined();
    }
    const withFollowUp = cozum.intents.filter((i) => i.followUp);
    expect(withFollowUp.map((i) => i.name).sort()).toEqual(['faq.social_aid', 'faq.water_outage', 'faq.yakin_kart']);
    for (const intent of withFollowUp) expect(intent.answer, intent.name).toMatch(INVITATION);
  });

  it('each follow-up, accepted with its button, starts its form with what the answer knew and ends in a ticket', async () => {
    const specs = loadDialogs(path.resolve(cozum.config.contentDir, 'dialogs'), valuesOf(cozum.config.municipality));
    for (const intent of cozum.intents.filter((i) => i.followUp)) {
      const followUp = intent.followUp!;
      const spec = specs.find((s) => s.intent === followUp.intent)!;
      // An example the classifier reads as this intent, as a citizen would ask it.
      const question = intent.examples.find((example) => cozum.nlu.understand(example).intent === intent.name)!;
      const citizen = new Citizen(cozum);
      const answer = await citizen.sayAll(question);
      expect(answer, intent.name).toContain(intent.answer!.split('\n')[0]!);
      expect(answer, intent.name).toMatch(new RegExp(`^1\\. ${followUp.accept}$`, 'm'));
      expect(answer, intent.name).toMatch(new RegExp(`^2\\. ${followUp.decline}$`, 'm'));

      const started = await citizen.sayAll(followUp.accept);
      if (spec.intro) expect(started, intent.name).toContain(spec.intro.slice(0, 30));
      for (const [slot, value] of Object.entries(followUp.slots)) {
        const step = spec.steps.find((s) => s.slot === slot)!;
        const label = step.choices?.find((c) => c.value === value)?.label ?? value;
        expect(started, intent.name).toContain(`${step.label}: ${label}`);
      }
      const read = await completeForm(citizen, spec, started);
      for (const slot of Object.keys(followUp.slots)) {
        const step = spec.steps.find((s) => s.slot === slot)!;
        // What the answer knew is never asked again.
        expect(read, intent.name).not.toContain(step.prompt);
      }
      const [ticket] = await cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } } });
      expect(ticket, intent.name).toMatchObject({ type: spec.ticket!.type });
      const data = JSON.parse(ticket!.data) as Record<string, unknown>;
      for (const [slot, value] of Object.entries(followUp.slots)) expect(data[slot], `${intent.name}: ${slot}`).toBe(value);
    }
  });

  it('each follow-up declined with its button leaves no ticket and says so politely', async () => {
    for (const intent of cozum.intents.filter((i) => i.followUp)) {
      const question = intent.examples.find((example) => cozum.nlu.understand(example).intent === intent.name)!;
      const citizen = new Citizen(cozum);
      await citizen.say(question);
      expect(await citizen.sayAll(intent.followUp!.decline), intent.name).toContain('Peki.');
      expect(await cozum.db.ticket.count({ where: { contact: { platformUserId: citizen.userId } } }), intent.name).toBe(0);
    }
  });

  it('a follow-up that takes an answer reads a typed address as the form\'s first answer, and asks for it no more', async () => {
    for (const intent of cozum.intents.filter((i) => i.followUp?.takesAnswer)) {
      const spec = loadDialogs(path.resolve(cozum.config.contentDir, 'dialogs'), valuesOf(cozum.config.municipality)).find((s) => s.intent === intent.followUp!.intent)!;
      const question = intent.examples.find((example) => cozum.nlu.understand(example).intent === intent.name)!;
      const citizen = new Citizen(cozum);
      await citizen.say(question);
      const started = await citizen.sayAll('Kazımdirik mah. 370/2 sokak no 8');
      expect(started, intent.name).toContain('Mahalle: Kazımdirik Mahallesi');
      const read = await completeForm(citizen, spec, started);
      for (const step of spec.steps.filter((s) => s.type === 'neighbourhood' || s.type === 'address')) expect(read, intent.name).not.toContain(step.prompt);
      const [ticket] = await cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } } });
      expect(JSON.parse(ticket!.data), intent.name).toMatchObject({ ...intent.followUp!.slots, neighbourhood: 'Kazımdirik Mahallesi', address: '370/2 sokak no 8' });
    }
  });
});
