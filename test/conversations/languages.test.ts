// Whole conversations in Arabic and in English through the in-process channel (issue 15): the
// citizen reads every reply in their language, from content; the ticket the department gets keeps
// its Turkish categories and fields, and the citizen's own words as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NeighbourhoodMatcher } from '../../src/dialogs/validators/index.ts';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { recordContentTexts } from '../support/content-words.ts';

const content = recordContentTexts();
afterAll(() => content.stop());
const cozum = useTestCozum();
let agent: AgentActor;
beforeAll(async () => {
  content.allow(new NeighbourhoodMatcher(cozum.config.municipality.city, cozum.config.municipality.district).names);
  const row = await cozum.db.agent.create({ data: { username: 'leyla', displayName: 'Leyla Kaya', passwordHash: 'x', role: 'supervisor', department: 'Çözüm Merkezi' } });
  agent = { id: row.id, username: 'leyla', displayName: 'Leyla Kaya', role: 'supervisor', department: 'Çözüm Merkezi' };
});

/** A citizen whose every reply is checked to come from content (or from their own words). */
function citizen(): { say(text: string, extra?: Record<string, unknown>): Promise<string>; userId: string } {
  const person = new Citizen(cozum);
  const written: string[] = [];
  return {
    userId: person.userId,
    async say(text, extra) {
      written.push(text);
      const reply = await person.sayAll(text, extra);
      expect(content.strangers(reply, written), `“${text}” got:\n${reply}\nwords from no content file`).toEqual([]);
      return reply;
    },
  };
}

async function contactOf(userId: string) {
  return cozum.db.contact.findFirstOrThrow({ where: { platformUserId: userId }, include: { tickets: { orderBy: { createdAt: 'asc' } } } });
}

describe('a citizen writing Arabic', () => {
  it('is greeted, answered, files a complaint, asks its status, and is handed to a person, all in Arabic', async () => {
    const ahmad = citizen();
    const hello = await ahmad.say('مرحبا');
    expect(hello).toContain('أهلاً بكم في المساعد الرقمي');
    expect(hello).toContain('1. ياكين كارت (بطاقة المساعدة)');

    const faq = await ahmad.say('كيف بطلع ياكين كارت');
    expect(faq).toContain('بطاقة مساعدة تمنحها');
    expect(faq).toContain('قدّم الطلب');
    expect(await ahmad.say('لا، شكراً')).toContain('اكتب *القائمة*');

    const started = await ahmad.say('في حفرة كبيرة بشارعنا');
    expect(started).toContain('الموضوع: طريق / حفرة');
    expect(started).toContain('في أي حي (محلة) المشكلة؟');
    expect(await ahmad.say('Erzene')).toContain('الشارع ورقم البناء');
    expect(await ahmad.say('شارع ٤ رقم ١٢')).toContain('إن وجدت، أرسل صورة');
    expect(await ahmad.say('تخطي')).toContain('هل توافق؟');
    expect(await ahmad.say('نعم')).toContain('اسمك وكنيتك');
    expect(await ahmad.say('أحمد الحسن')).toContain('رقم الهاتف');
    // Arabic-Indic digits are a phone number like any other.
    const summary = await ahmad.say('٠٥٣٢ ١١١ ٢٢ ٣٣');
    expect(summary).toContain('ملخص شكوى / طلب:');
    expect(summary).toContain('• الهاتف: 0532 ••• •• 33');
    const done = await ahmad.say('إرسال');
    expect(done).toContain('وصلنا بلاغك، شكراً لك.');
    expect(done).toMatch(/رقم طلبك: \*CZM-\d{4}-\d{6}\*/);

    const contact = await contactOf(ahmad.userId);
    expect(contact.language).toBe('ar');
    const [ticket] = contact.tickets;
    expect(ticket).toMatchObject({ type: 'complaint', category: 'road', department: 'Fen İşleri Müdürlüğü', summary: 'Yol / çukur · Erzene Mahallesi' });
    const data = JSON.parse(ticket!.data) as Record<string, unknown>;
    // The department reads its own Turkish words, and the citizen's as written.
    expect(data).toMatchObject({ phone: '+905321112233', address: 'شارع ٤ رقم ١٢', fullName: 'أحمد الحسن' });
    expect(data._display).toMatchObject({ category: 'Yol / çukur', photo: 'Yok' });

    expect(await ahmad.say('شو صار بطلبي')).toContain('اكتب *طلباتي*');
    const status = await ahmad.say('طلباتي');
    expect(status).toContain(`*${ticket!.number}* · شكوى / طلب`);
    expect(status).toContain('الحالة: تم الاستلام');

    // An agent's change of status reaches the citizen in Arabic.
    await cozum.handoff.setStatus(agent, ticket!.id, 'in_progress', 'Ekip yarın geliyor.');
    const told = await cozum.db.message.findFirstOrThrow({ where: { conversation: { contactId: contact.id }, author: 'system' }, orderBy: { createdAt: 'desc' } });
    expect(told.text).toContain(`حالة طلبك رقم *${ticket!.number}*: قيد المعالجة.`);
    // The agent's note is sent as written.
    expect(told.text).toContain('ملاحظة: Ekip yarın geliyor.');

    // Nobody at work speaks Arabic yet: the citizen is told so, in Arabic.
    const queued = await ahmad.say('بدي احكي مع موظف');
    expect(queued).toContain('أحوّلك إلى أحد موظفينا');
    expect(queued).toContain('لا يوجد الآن موظف يتحدث العربية في الخدمة');
  });

  it('is told when a member of staff who speaks Arabic is at work', async () => {
    await cozum.db.agent.create({ data: { username: 'omar', displayName: 'Omar Yıldız', passwordHash: 'x', role: 'agent', department: 'Çözüm Merkezi', languages: 'tr,ar' } });
    const layla = citizen();
    await layla.say('مرحبا');
    expect(await layla.say('بدي احكي مع موظف')).toContain('يوجد الآن موظف يتحدث العربية في الخدمة.');
  });

  it('reads Arabizi as Arabic', async () => {
    const sara = citizen();
    expect(await sara.say('marhaba')).toContain('مرحباً');
    const aid = await sara.say('baddi mosa3ade akel');
    expect(aid).toContain('سأستلم طلب المساعدة');
  });
});

describe('a citizen writing English', () => {
  it('is answered, applies for aid with a foreigner ID, and switches to Arabic in the middle', async () => {
    const john = citizen();
    expect(await john.say('hello')).toContain('welcome to the Yeşilova Belediyesi digital assistant');
    expect(await john.say('what time does the municipality open')).toContain('🕘 Opening hours');

    const started = await john.say('I need food aid');
    expect(started).toContain('Type of aid: Food aid');
    expect(started).toContain('Do you agree?');
    expect(await john.say('yes')).toContain('Could you write your T.C. ID number');
    expect(await john.say('12345')).toContain('the number you wrote has 5');
    expect(await john.say('10000000146')).toContain('What is your first name and surname?');
    expect(await john.say('John Smith')).toContain('What phone number');
    expect(await john.say('0532 111 22 34')).toContain('Which neighbourhood');
    expect(await john.say('Erzene')).toContain('full address');
    expect(await john.say('Gül sokak no 4 daire 2')).toContain('How many people');
    expect(await john.say('three of us')).toContain('number from 1 to');
    // The first message told the situation already: the summary comes next.
    const summary = await john.say('٣');
    expect(summary).toContain('Aid application summary:');
    expect(summary).toContain('• People in the household: 3');
    expect(summary).toContain('• Type of aid: Food aid');
    const done = await john.say('send');
    expect(done).toContain('Your aid application has been received.');
    expect(done).toContain('For food parcels the household income');

    const contact = await contactOf(john.userId);
    expect(contact.language).toBe('en');
    const data = JSON.parse(contact.tickets[0]!.data) as Record<string, unknown>;
    expect(contact.tickets[0]).toMatchObject({ type: 'aid', category: 'food' });
    expect(data).toMatchObject({ situation: 'I need food aid', household: 3, tcKimlik: '10000000146' });
    expect(data._display).toMatchObject({ aidType: 'Gıda yardımı' });

    const switched = await john.say('العربية');
    expect(switched).toContain('حسناً، لنكمل بالعربية.');
    expect(switched).toContain('1. ياكين كارت (بطاقة المساعدة)');
    expect((await contactOf(john.userId)).language).toBe('ar');
    // The menu's language option lists the languages, each in its own script.
    const languages = await john.say('13');
    expect(languages).toContain('بأي لغة تريد أن نتحدث؟');
    expect(languages).toMatch(/1\. Türkçe\n2\. العربية\n3\. English/);
    expect(await john.say('3')).toContain("All right, let's continue in English.");
  });

  it('is offered the neighbourhood nearest the pin they send, in English, and the ticket keeps the coordinates', async () => {
    const olivia = citizen();
    expect(await olivia.say('hello')).toContain('welcome to the Yeşilova Belediyesi digital assistant');
    expect(await olivia.say('the rubbish bins on our street have not been emptied')).toContain('Which neighbourhood');
    const offered = await olivia.say('', { location: { latitude: 38.4612, longitude: 27.2236 } });
    expect(offered).toContain('From your location, your neighbourhood may be “Erzene Mahallesi”. Is that right?');
    expect(await olivia.say('yes')).toContain('street and the door number');
    // The first message told the problem: the photo comes next.
    expect(await olivia.say('Gül sokak no 4')).toContain('send a photo');
    expect(await olivia.say('skip')).toContain('Do you agree?');
    expect(await olivia.say('yes')).toContain('first name and surname');
    expect(await olivia.say('Olivia Brown')).toContain('What phone number');
    expect(await olivia.say('0532 111 22 35')).toContain('• Neighbourhood: Erzene Mahallesi');
    await olivia.say('send');
    const [ticket] = (await contactOf(olivia.userId)).tickets;
    expect(ticket).toMatchObject({ type: 'complaint', category: 'rubbish', neighbourhood: 'Erzene Mahallesi', latitude: 38.4612, longitude: 27.2236 });
  });

  it('is offered the neighbourhood nearest the pin in Arabic, and after "لا" asked to write it', async () => {
    const layla = citizen();
    expect(await layla.say('الزبالة ما انشالت من شارعنا من أسبوع')).toContain('في أي حي (محلة) المشكلة؟');
    const offered = await layla.say('', { location: { latitude: 38.4612, longitude: 27.2236 } });
    expect(offered).toContain('بحسب موقعك، قد يكون حيّك “Erzene Mahallesi”. هل هذا صحيح؟');
    expect(await layla.say('لا')).toContain('في أي حي (محلة) المشكلة؟');
    expect(await layla.say('Kazımdirik')).toContain('هل يمكنك كتابة الشارع ورقم البناء إن وجد؟');
  });

  it('goes on in Turkish in the middle of a form when asked, and the next conversation starts in the language kept', async () => {
    const emma = citizen();
    expect(await emma.say('I want an appointment with the mayor')).toContain('appointment request');
    const turkish = await emma.say('Türkçe');
    expect(turkish).toContain('Tamam, bundan sonra Türkçe yazışalım.');
    expect(turkish).toMatch(/Görüşmek istediğiniz konuyu|Kiminle görüşmek/);
    expect((await contactOf(emma.userId)).language).toBe('tr');
  });
});

describe('a Turkish citizen', () => {
  it('stays in Turkish when a sentence holds one English word, or the answer is a bare "ok"', async () => {
    const ayse = citizen();
    expect(await ayse.say('merhaba')).toContain('dijital asistanına hoş geldiniz');
    const form = await ayse.say('sokak lambası yanmıyor, very bad');
    expect(form).toContain('Sorun hangi mahallede?');
    expect(await ayse.say('Erzene')).toContain('Sokak, cadde');
    expect(await ayse.say('ok')).not.toContain('Could you');
    expect((await contactOf(ayse.userId)).language).toBe('tr');
    expect(await ayse.say('iptal')).toContain('İşleminiz iptal edildi');
    expect(await ayse.say('thanks')).not.toContain('You are welcome');
    expect((await contactOf(ayse.userId)).language).toBe('tr');
  });
});
