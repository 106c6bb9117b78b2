// Emergencies written in Arabic and English, through the in-process channel (issue 15): the first
// reply is what to do now and the number to call, in the citizen's language, then the offer of an
// urgent record or a person in that language; the same inside an open form. Ordinary messages that
// mention gas or fire get no emergency answer.
import { describe, expect, it } from 'vitest';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { checkRepliesComeFromContent } from '../support/content-words.ts';

// Every reply a citizen reads here comes from content or from their own words.
checkRepliesComeFromContent();
const cozum = useTestCozum();

async function ticketsOf(citizen: Citizen) {
  return cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } }, orderBy: { createdAt: 'asc' } });
}

async function conversationOf(citizen: Citizen) {
  return cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
}

const ARABIC_OFFER = /1\. فتح بلاغ عاجل\n2\. التحدث مع موظف\n3\. لا حاجة/;
const ENGLISH_OFFER = /1\. Open urgent record\n2\. Connect to staff\n3\. No need/;
/** Any emergency's answer names a number in bold, in any language; the offer's Turkish buttons too. */
const ANY_EMERGENCY = /Hemen \d+|اتصلوا فورًا|Call the .* now|Acil kayıt aç|فتح بلاغ عاجل|Open urgent record/;

describe('an emergency in Arabic', () => {
  it('"ريحة غاز قوية بالبيت": the gas line 187 and what to do first, in Arabic; "1" opens an urgent record, confirmed in Arabic', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('ريحة غاز قوية بالبيت');
    expect(whatToDo).toMatch(/^\*اتصلوا فورًا بخط طوارئ الغاز 187\.\*/);
    expect(whatToDo).toContain('لا تلمسوا مفاتيح الإضاءة');
    expect(offer).toContain('إذا أردتم، يمكنني أيضًا إبلاغ البلدية');
    expect(offer).toMatch(ARABIC_OFFER);
    expect(await ticketsOf(citizen)).toEqual([]);

    const filed = await citizen.sayAll('1');
    const [ticket] = await ticketsOf(citizen);
    // The department reads its Turkish kind, and the citizen's words as written.
    expect(ticket).toMatchObject({ type: 'emergency', category: 'gas', urgent: true });
    expect(ticket!.summary).toBe('Doğalgaz kaçağı · ريحة غاز قوية بالبيت');
    expect(filed).toBe(`تم فتح بلاغكم العاجل برقم *${ticket!.number}* ووضعه في أعلى قائمة موظفينا. لا تنسوا الاتصال أيضًا بالرقم *187*.`);
  });

  it('"في حريق بالبناية" and Arabizi "fi ri7et ghaz" are answered first, in Arabic', async () => {
    const fire = new Citizen(cozum);
    const [whatToDo, offer] = await fire.say('في حريق بالبناية');
    expect(whatToDo).toMatch(/^\*اتصلوا فورًا بخط الطوارئ 112\.\*/);
    expect(whatToDo).toContain('لا تستخدموا المصعد');
    expect(offer).toMatch(ARABIC_OFFER);

    const arabizi = new Citizen(cozum);
    const [gas] = await arabizi.say('fi ri7et ghaz');
    expect(gas).toMatch(/^\*اتصلوا فورًا بخط طوارئ الغاز 187\.\*/);
  });

  it('"فاتورة الغاز" and "شو رقم الإطفائية" are ordinary questions', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['فاتورة الغاز عالية كتير', 'شو رقم الإطفائية']) {
      const reply = await citizen.sayAll(text);
      expect(reply, text).not.toMatch(ANY_EMERGENCY);
    }
    expect(await ticketsOf(citizen)).toEqual([]);
  });
});

describe('an emergency in English', () => {
  it('"my neighbour\'s house is on fire": 112 and what to do first, in English; "Connect to staff" queues an urgent case', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say("my neighbour's house is on fire");
    expect(whatToDo).toMatch(/^\*Call the emergency line 112 now\.\*/);
    expect(whatToDo).toContain('do not use the lift');
    expect(offer).toContain('If you wish, I can also report this to the municipality');
    expect(offer).toMatch(ENGLISH_OFFER);

    expect(await citizen.sayAll('Connect to staff')).toContain('I am passing you to one of our staff');
    const conversation = await conversationOf(citizen);
    expect(conversation.mode).toBe('waiting');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(ticket).toMatchObject({ type: 'handoff', category: 'emergency', urgent: true, summary: 'Acil durum: Yangın' });
  });

  it('"THERE IS A GAS SMELL IN MY FLAT", in capitals: the gas line 187 first; "no need" ends it politely in English', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('THERE IS A GAS SMELL IN MY FLAT');
    expect(whatToDo).toMatch(/^\*Call the gas emergency line 187 now\.\*/);
    expect(offer).toMatch(ENGLISH_OFFER);
    expect(await citizen.sayAll('no need')).toContain('All right. Take care.');
    expect(await ticketsOf(citizen)).toEqual([]);
  });

  it('mid-complaint, "there is a gas smell in my flat" gets 187 first, then the form asks its question again', async () => {
    const citizen = new Citizen(cozum);
    const question = await citizen.sayAll('I want to report a big pothole in our street');
    const [whatToDo, offer] = await citizen.say('wait, there is a gas smell in my flat');
    expect(whatToDo).toMatch(/^\*Call the gas emergency line 187 now\.\*/);
    expect(offer).toMatch(ENGLISH_OFFER);
    const back = await citizen.sayAll('3');
    expect(back).toContain('All right. Take care.');
    // The form's open question, asked again (its last line, whatever the form asked).
    expect(back).toContain(question.trim().split('\n').at(-1)!);
    expect(await ticketsOf(citizen)).toEqual([]);
  });

  it('"fire department phone number?" and "the gas bill is too high" are ordinary questions', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['fire department phone number?', 'the gas bill is too high']) {
      const reply = await citizen.sayAll(text);
      expect(reply, text).not.toMatch(ANY_EMERGENCY);
    }
    expect(await ticketsOf(citizen)).toEqual([]);
  });
});

describe("one or two words in a hurry, as a new citizen's first message", () => {
  // The language classifier reads a lone "fire" as Turkish: the bot still tries every table.
  it('"fire": 112 and what to do first, in English, then the offer in English', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('fire');
    expect(whatToDo).toMatch(/^\*Call the emergency line 112 now\.\*/);
    expect(offer).toMatch(ENGLISH_OFFER);
  });

  it('"7ari2!!" (Arabizi): 112 first, in Arabic', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('7ari2!!');
    expect(whatToDo).toMatch(/^\*اتصلوا فورًا بخط الطوارئ 112\.\*/);
    expect(offer).toMatch(ARABIC_OFFER);
  });

  it('"fire orani ne kadar" and "fire var", Turkish for a lost share typed without Turkish letters, are no emergency', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['fire orani ne kadar', 'fire var']) expect(await citizen.sayAll(text), text).not.toMatch(ANY_EMERGENCY);
    expect(await ticketsOf(citizen)).toEqual([]);
  });
});

describe('only a cry of alarm ("acil!!", "emergency", "النجدة"), no word of what happened', () => {
  const TURKISH_ALARM = /^Bir can ya da güvenlik tehlikesi varsa hemen \*112\* numaralı acil çağrı hattını arayın\. Ne olduğunu kısaca yazarsanız/;

  it('"ACİL!!!": the emergency number and a question, no form; "evde gaz kokusu var" then gets the gas answer', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.say('ACİL!!!')).toEqual([expect.stringMatching(TURKISH_ALARM)]);
    const [whatToDo] = await citizen.say('evde gaz kokusu var');
    expect(whatToDo).toMatch(/187/);
    expect(await ticketsOf(citizen)).toEqual([]);
  });

  it('"emergency" and "النجدة" from new citizens are answered in their own language', async () => {
    expect(await new Citizen(cozum).say('emergency')).toEqual([expect.stringMatching(/^If anyone's life or safety is in danger, call the emergency line \*112\* now\./)]);
    expect(await new Citizen(cozum).say('النجدة')).toEqual([expect.stringMatching(/^إذا كانت حياة أحد أو سلامته في خطر فاتصلوا فورًا برقم الطوارئ \*112\*/)]);
  });

  it('inside a form, "acil" is not taken as the answer: the number, then the question again', async () => {
    const citizen = new Citizen(cozum);
    const question = await citizen.sayAll('yardım başvurusu yapmak istiyorum');
    const reply = await citizen.sayAll('acil');
    expect(reply).toMatch(TURKISH_ALARM);
    expect(reply).toContain(question.trim().split('\n').at(-1)!);
  });

  it('"acil gıda yardımı istiyorum" is still an aid request', async () => {
    const reply = await new Citizen(cozum).sayAll('acil gıda yardımı istiyorum');
    expect(reply).not.toMatch(TURKISH_ALARM);
    expect(reply).toContain('Yardım başvurunuzu');
  });
});
