// An emergency written in another language than the conversation's (issue 15): a whole urgent
// sentence in English inside a Turkish conversation, even inside a Turkish form, is answered in
// English and makes English the citizen's language (Contact.language): what follows (the offer,
// the form's question asked again, the next conversation) is in English. A single word switches
// nothing (src/bot/language-choice.ts, languageAfterEmergency).
import { describe, expect, it } from 'vitest';
import { languageAfterEmergency } from '../../src/bot/language-choice.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { checkRepliesComeFromContent } from '../support/content-words.ts';

// Every reply a citizen reads here comes from content or from their own words.
checkRepliesComeFromContent();
const cozum = useTestCozum();

async function languageOf(citizen: Citizen) {
  return (await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } })).language;
}

const ENGLISH_OFFER = /1\. Open urgent record\n2\. Connect to staff\n3\. No need/;

describe('an emergency in another language than the conversation', () => {
  it('a whole English urgent sentence inside a Turkish form switches the conversation to English', async () => {
    // The same form in English, for its first question as an English speaker reads it.
    const english = new Citizen(cozum);
    const englishQuestion = (await english.sayAll('I want to report a big pothole in our street')).trim().split('\n').at(-1)!;

    const citizen = new Citizen(cozum);
    const question = await citizen.sayAll('sokağımızda büyük bir çukur var, şikayet etmek istiyorum');
    expect(await languageOf(citizen)).toBe('tr');
    expect(question).not.toContain(englishQuestion);

    const [whatToDo, offer] = await citizen.say('wait, there is a gas smell in my flat');
    expect(whatToDo).toMatch(/^\*Call the gas emergency line 187 now\.\*/);
    expect(offer).toMatch(ENGLISH_OFFER);
    expect(await languageOf(citizen)).toBe('en');

    // "No need": the form goes on, its question asked again in English.
    const back = await citizen.sayAll('3');
    expect(back).toContain('All right. Take care.');
    expect(back).toContain(englishQuestion);
  });

  it('an Arabizi urgent sentence in a Turkish conversation switches it to Arabic', async () => {
    const citizen = new Citizen(cozum);
    await citizen.sayAll('merhaba');
    expect(await languageOf(citizen)).toBe('tr');
    const [gas] = await citizen.say('fi ri7et ghaz');
    expect(gas).toMatch(/^\*اتصلوا فورًا بخط طوارئ الغاز 187\.\*/);
    expect(await languageOf(citizen)).toBe('ar');
  });

  it('a Turkish emergency in a Turkish conversation keeps Turkish', async () => {
    const citizen = new Citizen(cozum);
    await citizen.sayAll('merhaba');
    const [whatToDo] = await citizen.say('evde doğalgaz kokusu var');
    expect(whatToDo).toContain('187');
    expect(await languageOf(citizen)).toBe('tr');
  });
});

describe('the rule', () => {
  it('switches on a sentence of two words or more, never on one word', () => {
    expect(languageAfterEmergency('tr', 'en', 'there is a gas smell in my flat')).toBe('en');
    expect(languageAfterEmergency('tr', 'en', 'house fire')).toBe('en');
    expect(languageAfterEmergency('tr', 'en', 'fire!')).toBe('tr');
    expect(languageAfterEmergency('tr', 'en', 'HELP')).toBe('tr');
    expect(languageAfterEmergency('en', 'en', 'fire')).toBe('en');
    expect(languageAfterEmergency('ar', 'tr', 'yangın var')).toBe('tr');
  });
});
