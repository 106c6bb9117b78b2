// Structured dialogs end to end through the in-process channel: what the citizen reads, and the
// ticket the municipality gets.
import { describe, expect, it } from 'vitest';
import { answersByIntent } from '../../src/content/intents.ts';
import { DialogServices } from '../../src/dialogs/services.ts';
import { Citizen, startTestCozum, tempDir, useTestCozum } from '../support/cozum.ts';

const cozum = useTestCozum();

const PHOTO = { media: [{ kind: 'image', mimeType: 'image/jpeg', fileId: 'foto-1' }] };

async function ticketsOf(citizen: Citizen) {
  return cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } }, include: { events: true }, orderBy: { createdAt: 'asc' } });
}

/** Says each message in turn and returns the last reply. */
async function converse(citizen: Citizen, messages: (string | [string, Record<string, unknown>])[]): Promise<string> {
  let last = '';
  for (const message of messages) last = Array.isArray(message) ? await citizen.sayAll(message[0], message[1]) : await citizen.sayAll(message);
  return last;
}

describe('complaint', () => {
  it('turns "Erzene Mahallesi 112. sokakta çöpler 5 gündür alınmadı" into a routed ticket', async () => {
    const citizen = new Citizen(cozum);
    const opening = await citizen.sayAll('Erzene Mahallesi 112. sokakta çöpler 5 gündür alınmadı');
    expect(opening).toContain('Konu: Çöp toplama · Mahalle: Erzene Mahallesi');
    expect(opening).toContain('Sokak, cadde ve varsa kapı numarasını');
    expect(await citizen.sayAll('112. sokak no 7')).toContain('fotoğrafını gönderebilirsiniz');
    expect(await citizen.sayAll('', PHOTO)).toContain('KVKK');
    expect(await citizen.sayAll('Evet, onaylıyorum')).toContain('adınızı ve soyadınızı');
    await citizen.say('ayşe yılmaz');
    const summary = await citizen.sayAll('0532 123 45 67');
    expect(summary).toContain('• Konu: Çöp toplama');
    expect(summary).toContain('• Mahalle: Erzene Mahallesi');
    expect(summary).toContain('• Açıklama: Erzene Mahallesi 112. sokakta çöpler 5 gündür alınmadı');
    expect(summary).toContain('• Fotoğraf: Fotoğraf eklendi');
    expect(summary).toContain('• Ad soyad: Ayşe Yılmaz');
    expect(summary).toContain('• Telefon: 0532 ••• •• 67');
    expect(summary).toMatch(/^1\. Gönder$/m);
    expect(summary).toMatch(/^2\. Düzelt$/m);
    const done = await citizen.sayAll('Gönder');
    expect(done).toMatch(/Başvuru numaranız: \*CZM-\d{4}-\d{6}\*/);
    expect(done).toContain('İlgili birim: Temizlik İşleri Müdürlüğü');
    expect(done).toContain('Son yanıt tarihi:');

    const [ticket] = await ticketsOf(citizen);
    expect(ticket).toMatchObject({ type: 'complaint', category: 'rubbish', department: 'Temizlik İşleri Müdürlüğü', status: 'new', summary: 'Çöp toplama · Erzene Mahallesi' });
    expect(done).toContain(ticket!.number);
    // Rubbish is promised within 24 hours.
    expect(ticket!.dueAt.getTime() - ticket!.createdAt.getTime()).toBe(24 * 3_600_000);
    const data = JSON.parse(ticket!.data);
    expect(data).toMatchObject({ category: 'rubbish', neighbourhood: 'Erzene Mahallesi', address: '112. sokak no 7', phone: '+905321234567', fullName: 'Ayşe Yılmaz', photo: { kind: 'image', fileId: 'foto-1' } });
    expect(ticket!.events).toMatchObject([{ status: 'new', actor: 'bot' }]);
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    expect(contact.consentAt).toBeInstanceOf(Date);
  });

  it('takes a shared location pin as the address and asks only what is missing', async () => {
    const citizen = new Citizen(cozum);
    const opening = await citizen.sayAll('sokak lambası yanmıyor');
    expect(opening).toContain('Konu: Sokak lambası');
    expect(opening).toContain('hangi mahallede');
    await citizen.say('kazımdirik');
    const pinned = await citizen.sayAll('', { location: { latitude: 38.4622, longitude: 27.2197 } });
    // Four words are a topic, not yet a description: the citizen is asked for one.
    expect(pinned).toContain('Sorunu kısaca anlatır mısınız');
    expect(await citizen.sayAll('Lamba iki gündür yanmıyor.')).toContain('fotoğrafını');
    await converse(citizen, ['geç', 'evet', 'Mehmet Öz', '+90 (532) 555 44 33']);
    await citizen.say('evet');
    const [ticket] = await ticketsOf(citizen);
    expect(ticket).toMatchObject({ category: 'street_light', department: 'Fen İşleri Müdürlüğü (Aydınlatma)' });
    expect(JSON.parse(ticket!.data).address).toMatchObject({ latitude: 38.4622, longitude: 27.2197, map: expect.stringContaining('38.462200,27.219700') });
  });

  it('routes every category to its department', async () => {
    const cases: [string, string][] = [
      ['yolda büyük bir çukur var', 'Fen İşleri Müdürlüğü'],
      ['sokakta yaralı bir köpek var', 'Veteriner İşleri Müdürlüğü'],
      ['komşunun düğününde yüksek müzik gürültü', 'Zabıta Müdürlüğü'],
      ['parktaki ağaç budama istiyoruz', 'Park ve Bahçeler Müdürlüğü'],
    ];
    for (const [message, department] of cases) {
      const citizen = new Citizen(cozum);
      await converse(citizen, [message, 'Erzene', '5. sokak no 1', 'Bu sorun bir haftadır devam ediyor.', 'geç', 'evet', 'Ali Kaya', '05551234567']);
      const done = await citizen.sayAll('evet');
      expect(done, message).toContain(`İlgili birim: ${department}`);
    }
  });
});

describe('validation that helps the citizen', () => {
  it('refuses wrong answers with a clear Turkish message and asks the same question again', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('şikayet etmek istiyorum');
    const badChoice = await citizen.sayAll('99');
    expect(badChoice).toContain('numara');
    expect(badChoice).toContain('Hangi konuda bildirimde');
    expect(await citizen.sayAll('cukr')).toContain('hangi mahallede'); // near miss of "çukur"
    const unknown = await citizen.sayAll('Atlantis');
    expect(unknown).toContain('bulamadım');
    expect(unknown).toContain('hangi mahallede');
    const suggested = await citizen.sayAll('erzen');
    expect(suggested).toContain('“Erzene Mahallesi” mi demek istediniz?');
    expect(await citizen.sayAll('1')).toContain('Sokak, cadde');
    expect(await citizen.sayAll('🙏🙏')).toContain('Sokak, cadde');
    expect(await citizen.sayAll('', PHOTO)).toContain('yazılı bir yanıt bekliyorum');
    await citizen.say('Gül sokak no 4');
    const tooLong = await citizen.sayAll('a'.repeat(10_000));
    expect(tooLong).toContain('çok uzun');
    expect(tooLong).toContain('Sorunu kısaca anlatır mısınız');
    const tooShort = await citizen.sayAll('çukur');
    expect(tooShort).toContain('Biraz daha ayrıntı');
    await citizen.say('Yolun ortasında derin bir çukur var, araçlar zarar görüyor.');
    expect(await citizen.sayAll('bir şey yok ki')).toContain('fotoğraf');
    await citizen.say('geç');
    await citizen.say('evet');
    const badName = await citizen.sayAll('123');
    expect(badName).toContain('adınızı');
    await citizen.say('Zeynep Arslan');
    const badPhone = await citizen.sayAll('12345');
    expect(badPhone).toMatch(/telefon/i);
    expect(badPhone).toContain('telefon numaranız nedir');
    expect(await citizen.sayAll('0532 987 65 43')).toContain('özeti');
  });

  it('never stores a TC kimlik number that fails its checksum', async () => {
    const citizen = new Citizen(cozum);
    await converse(citizen, ['bebek bezi yardımı istiyorum', 'evet']);
    const wrong = await citizen.sayAll('12345678901');
    expect(wrong).toContain('bir hata var gibi');
    expect(wrong).toContain('T.C. kimlik numaranızı');
    expect(await citizen.sayAll('1234')).toContain('11');
    const stored = await cozum.db.stateEntry.findMany();
    expect(stored.some((row) => row.value.includes('12345678901'))).toBe(false);
    expect(await citizen.sayAll('10000000146')).toContain('Bebeğinizin T.C. kimlik numarasını');
    expect(await citizen.sayAll('10000000146')).toContain('Adınız ve soyadınız');
  });

  it('counts household members written as digits or words', async () => {
    const citizen = new Citizen(cozum);
    await converse(citizen, ['kömür yardımı almak istiyorum', 'evet', '10000000146', 'Hasan Çelik', '0532 111 22 33', 'Erzene', 'Erzene mah. 12. sokak no 3 daire 4']);
    expect(await citizen.sayAll('çok kalabalığız')).toContain('kaç kişi');
    const next = await citizen.sayAll('beş');
    expect(next).toContain('Durumunuzu kısaca');
  });
});

describe('aid request', () => {
  it('collects everything, masks the TC number, tells what to prepare and that a visit may follow', async () => {
    const citizen = new Citizen(cozum);
    const opening = await citizen.sayAll('Çocuğum için bez ve mama yardımı almak istiyorum');
    expect(opening).toContain('Yardım türü: Bebek bezi / mama');
    expect(opening).toContain('KVKK');
    const summary = await converse(citizen, ['evet', '10000000146', '10000000146', 'fatma demir', '0 532 222 33 44', 'Kazımdirik', 'Kazımdirik mah. 370/2 sokak no 8', '3', 'Eşim işsiz, iki küçük çocuğum var.']);
    expect(summary).toContain('T.C. kimlik no: 100••••••46');
    expect(summary).toContain('Bebeğin T.C. kimlik no: 100••••••46');
    expect(summary).not.toContain('10000000146');
    const done = await citizen.sayAll('evet');
    expect(done).toContain('Sosyal Yardım İşleri Müdürlüğü');
    expect(done).toContain('nüfus cüzdanı');
    expect(done).toContain('ziyarete');
    expect(done).toContain('bebeğin kimlik bilgileriyle');
    const [ticket] = await ticketsOf(citizen);
    expect(ticket).toMatchObject({ type: 'aid', category: 'diapers', summary: 'Bebek bezi / mama · Kazımdirik Mahallesi · 3 kişi' });
    expect(JSON.parse(ticket!.data)).toMatchObject({ tcKimlik: '10000000146', household: 3, phone: '+905322223344' });
  });

  it('offers the call centre and stores nothing personal when consent is refused', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('yakın kart başvurusu yapmak istiyorum');
    const refused = await citizen.sayAll('hayır');
    expect(refused).toContain('444 0 153');
    expect(refused).toContain('kaydedilmedi');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    expect(contact.consentAt).toBeNull();
    expect(await ticketsOf(citizen)).toEqual([]);
    // The dialog is over: the next message is understood afresh.
    expect(await citizen.sayAll('cenaze aracı nasıl çağırırım')).toContain('0 (232) 000 01 88');
  });
});

describe('appointment', () => {
  it('asks which department only when the citizen wants a department, and routes there', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('randevu almak istiyorum')).toContain('Kiminle görüşmek');
    expect(await citizen.sayAll('bir müdürlük')).toContain('Hangi müdürlük');
    await citizen.say('imar');
    await citizen.say('Evimin imar durumu hakkında bilgi almak istiyorum');
    expect(await citizen.sayAll('yarın')).toContain('KVKK');
    expect(await citizen.sayAll('evet')).toContain('Adınız');
    const done = await converse(citizen, ['Kemal Şahin', '05324445566', 'evet']);
    expect(done).toContain('İmar ve Şehircilik Müdürlüğü');
    expect(done).toContain('sizi arayacağız');
  });

  it('goes to the mayor\'s office for the mayor, with the days checked', async () => {
    const citizen = new Citizen(cozum);
    const opening = await citizen.sayAll('Başkanla görüşmek için randevu almak istiyorum');
    expect(opening).toContain('Görüşülecek kişi: Belediye Başkanı');
    await citizen.say('Mahallemizdeki park projesi hakkında');
    expect(await citizen.sayAll('bilmem')).toContain('Hangi gün ve saatler');
    await converse(citizen, ['salı öğleden sonra', 'evet', 'Elif Yıldız', '05325556677']);
    expect(await citizen.sayAll('evet')).toContain('Özel Kalem Müdürlüğü');
  });
});

describe('moving around in a dialog', () => {
  it('iptal leaves the dialog and says so; nothing is created', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('çukur var');
    expect(await citizen.sayAll('iptal')).toContain('iptal edildi');
    expect(await citizen.sayAll('iptal')).toContain('iptal edilecek bir işleminiz yok');
    expect(await ticketsOf(citizen)).toEqual([]);
  });

  it('geri goes back one step and asks it again', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('şikayet');
    expect(await citizen.sayAll('geri')).toContain('ilk soru');
    await citizen.say('çöp');
    await citizen.say('Erzene');
    expect(await citizen.sayAll('geri')).toContain('hangi mahallede');
    expect(await citizen.sayAll('Kazımdirik')).toContain('Sokak, cadde');
    const summary = await converse(citizen, ['1. sokak', 'Çöpler haftalardır alınmıyor.', 'geç', 'evet', 'Can Er', '05321231212']);
    expect(summary).toContain('Mahalle: Kazımdirik Mahallesi');
  });

  it('answers a FAQ question asked in the middle and carries on at the same step', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('çöpler alınmadı');
    const faq = await citizen.sayAll('Belediyenin telefon numarası nedir?');
    expect(faq).toContain('444 0 153');
    expect(faq).toContain('kaldığımız yerden');
    expect(faq).toContain('hangi mahallede');
    expect(await citizen.sayAll('Erzene')).toContain('Sokak, cadde');
  });

  it('lets the citizen correct any field at the confirmation before submitting', async () => {
    const citizen = new Citizen(cozum);
    await converse(citizen, ['parkta kırık salıncak var', 'Erzene', 'Park sokak', 'Salıncağın zinciri kopmuş, çocuklar için tehlikeli.', 'geç', 'evet', 'Deniz Ak']);
    await citizen.say('05320001122');
    const which = await citizen.sayAll('Düzelt');
    expect(which).toContain('Hangi bilgiyi düzeltmek');
    expect(which).toMatch(/^7\. Telefon$/m);
    expect(await citizen.sayAll('7')).toContain('telefon numaranız');
    const fixed = await citizen.sayAll('0533 000 11 22');
    expect(fixed).toContain('• Telefon: 0533 ••• •• 22');
    await citizen.say('hayır');
    expect(await citizen.sayAll('mahalle')).toContain('hangi mahallede');
    expect(await citizen.sayAll('Kazımdirik')).toContain('• Mahalle: Kazımdirik Mahallesi');
    await citizen.say('evet');
    const [ticket] = await ticketsOf(citizen);
    expect(JSON.parse(ticket!.data)).toMatchObject({ phone: '+905330001122', neighbourhood: 'Kazımdirik Mahallesi' });
  });

  it('menü in the middle closes the dialog so that the menu numbers mean the menu', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('çöpler alınmadı');
    expect(await citizen.sayAll('menü')).toContain('Yarım kalan işleminizi kapattım');
    expect(await citizen.sayAll('12')).toContain('444 0 153');
  });
});

describe('status', () => {
  it('shows the owner their ticket by number, and a stranger the same answer as for no ticket', async () => {
    const owner = new Citizen(cozum);
    await converse(owner, ['yolda çukur var', 'Erzene', '3. sokak', 'Çukur derin, araçlar zarar görüyor.', 'geç', 'evet', 'Burak Tan', '05327778899', 'evet']);
    const [ticket] = await ticketsOf(owner);
    const mine = await owner.sayAll(`${ticket!.number} numaralı başvurum ne durumda`);
    expect(mine).toContain(ticket!.number);
    expect(mine).toContain('Durum: Alındı');
    expect(mine).toContain('Birim: Fen İşleri Müdürlüğü');
    expect(mine).toContain('Beklenen yanıt: en geç');

    await cozum.tickets.changeStatus(ticket!.id, 'in_progress', 'fen.isleri', 'Ekip yönlendirildi');
    expect(await owner.sayAll(`başvuru sorgula ${ticket!.number.toLowerCase()}`)).toContain('Durum: İşlemde');

    const stranger = new Citizen(cozum);
    const theirs = await stranger.sayAll(`${ticket!.number} ne durumda`);
    const nonexistent = await new Citizen(cozum).sayAll('CZM-2026-999999 ne durumda');
    expect(theirs).not.toContain('Fen İşleri');
    expect(theirs.replaceAll(ticket!.number, 'X')).toBe(nonexistent.replaceAll('CZM-2026-999999', 'X'));
  });

  it('gives a rejected ticket\'s reason, never an agent\'s internal note written after it', async () => {
    const citizen = new Citizen(cozum);
    await converse(citizen, ['sokak lambası yanmıyor', 'Erzene', 'Lale sokak no 2', 'Lamba üç gündür yanmıyor.', 'geç', 'evet', 'Oya Er', '05320009988', 'evet']);
    const [ticket] = await ticketsOf(citizen);
    await cozum.tickets.changeStatus(ticket!.id, 'rejected', 'fen.isleri', 'Lamba TEDAŞ sorumluluğunda, 186 aranmalı.');
    await cozum.db.ticketEvent.create({ data: { ticketId: ticket!.id, kind: 'note', actor: 'fen.isleri', note: 'İç not: vatandaş daha önce de aradı.' } });
    const answer = await citizen.sayAll(`${ticket!.number} ne durumda`);
    expect(answer).toContain('Durum: Reddedildi');
    expect(answer).toContain('Gerekçe: Lamba TEDAŞ sorumluluğunda, 186 aranmalı.');
    expect(answer).not.toContain('İç not');
    expect(answer).not.toContain('Beklenen yanıt');
  });

  it('lists "my requests" with the expected answer time, open ones first', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('başvurularım ne durumda')).toContain('başvurunuz bulunamadı');
    await converse(citizen, ['gıda yardımı istiyorum', 'evet', '10000000146', 'Selin Koç', '05321110000', 'Erzene', 'Erzene mah. 1. sokak no 1', '2', 'Yalnız yaşıyorum, gelirim yok.', 'evet']);
    await converse(citizen, ['şikayetime dönüş olmadı']);
    const list = await citizen.sayAll('başvurularım');
    expect(list).toContain('Son başvurularınız');
    expect(list).toContain('Yardım başvurusu');
    expect(list).toContain('Durum: Alındı');
  });
});

describe('after a restart in the middle of a dialog', () => {
  it('asks the same question and keeps the answers given before', async () => {
    const dir = tempDir();
    try {
      const before = await startTestCozum(dir.dir);
      const citizen = new Citizen(before, 'yarim-kalan');
      await citizen.say('sokak lambası yanmıyor');
      await citizen.say('Erzene');
      await before.close();

      const after = await startTestCozum(dir.dir);
      const same = new Citizen(after, 'yarim-kalan');
      expect(await same.sayAll('geri')).toContain('hangi mahallede');
      await same.say('Erzene');
      const summary = await converse(same, ['Lale sokak no 2', 'Lamba üç gündür yanmıyor, sokak karanlık.', 'geç', 'evet', 'Oya Er', '05320009988']);
      expect(summary).toContain('• Konu: Sokak lambası');
      expect(await same.sayAll('evet')).toContain('Fen İşleri Müdürlüğü (Aydınlatma)');
      await after.close();
    } finally {
      dir.remove();
    }
  });
});

describe('consent', () => {
  it('is recorded for every applicant consenting at the same moment; an unknown contact fails alone', async () => {
    const services = new DialogServices(cozum.config, cozum.db, cozum.tickets, cozum.nlu, answersByIntent(cozum.intents));
    const contacts = await Promise.all([1, 2, 3].map((i) => cozum.db.contact.create({ data: { channel: 'test', platformUserId: `onay-${i}` } })));
    expect(await services.hasConsent(contacts[0]!.id)).toBe(false);
    const results = await Promise.allSettled([...contacts.map((c) => services.recordConsent(c.id)), services.recordConsent('olmayan-kişi')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    for (const contact of contacts) {
      expect((await cozum.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).consentAt).toBeInstanceOf(Date);
      expect(await services.hasConsent(contact.id)).toBe(true);
    }
    expect(await services.hasConsent('olmayan-kişi')).toBe(false);
  });
});

describe('status questions asked at the same moment', () => {
  it('each citizen sees only their own tickets, an old one is still found by number', async () => {
    const [many, one] = await Promise.all(['çok-başvuru', 'tek-başvuru'].map((id) => cozum.db.contact.create({ data: { channel: 'test', platformUserId: id } })));
    const ticket = (contactId: string, summary: string) =>
      cozum.tickets.create({ contactId, type: 'complaint', category: 'rubbish', department: 'Temizlik İşleri Müdürlüğü', slaHours: 24, summary, data: {} });
    const oldest = await ticket(many!.id, 'ilk başvuru');
    for (let i = 0; i < 55; i++) await ticket(many!.id, `başvuru ${i}`);
    const theirs = await ticket(one!.id, 'tek başvuru');
    await cozum.tickets.changeStatus(oldest.id, 'rejected', 'ayse', 'Bu adres ilçemiz sınırları dışında.');

    const [oldFound, stranger, listMany, listOne, unknown] = await Promise.all([
      cozum.tickets.findOwn(many!.id, oldest.number),
      cozum.tickets.findOwn(one!.id, oldest.number),
      cozum.tickets.listOwn(many!.id, 100),
      cozum.tickets.listOwn(one!.id),
      cozum.tickets.findOwn(many!.id, theirs.number),
    ]);
    expect(oldFound).toMatchObject({ number: oldest.number, summary: 'ilk başvuru', status: 'rejected', statusNote: 'Bu adres ilçemiz sınırları dışında.' });
    expect(oldFound!.dueAt).toBeInstanceOf(Date);
    expect(stranger).toBeUndefined();
    expect(unknown).toBeUndefined();
    expect(listMany).toHaveLength(50);
    expect(listMany[0]!.summary).toBe('başvuru 54');
    expect(listMany.map((t) => t.number)).not.toContain(theirs.number);
    expect(listOne).toEqual([expect.objectContaining({ number: theirs.number, summary: 'tek başvuru', status: 'new' })]);
  });
});

describe('ticket numbers', () => {
  it('are unique and sequential when 50 tickets are created at once', async () => {
    const contact = await cozum.db.contact.create({ data: { channel: 'test', platformUserId: 'toplu' } });
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        cozum.tickets.create({ contactId: contact.id, type: 'complaint', category: 'rubbish', department: 'Temizlik İşleri Müdürlüğü', slaHours: 24, summary: `#${i}`, data: {} }),
      ),
    );
    const numbers = created.map((t) => t.number);
    expect(new Set(numbers).size).toBe(50);
    const sequences = numbers.map((n) => Number(n.split('-')[2])).sort((a, b) => a - b);
    expect(sequences[49]! - sequences[0]!).toBe(49);
    for (const number of numbers) expect(number).toMatch(/^CZM-\d{4}-\d{6}$/);
  });

  it('are read back by the console as written: dates, status, first event', async () => {
    const contact = await cozum.db.contact.create({ data: { channel: 'test', platformUserId: 'okunan' } });
    const before = Date.now();
    const created = await cozum.tickets.create({ contactId: contact.id, type: 'aid', category: 'food', neighbourhood: 'Erzene', department: 'Sosyal Yardım İşleri Müdürlüğü', slaHours: 48, summary: 'Gıda yardımı', data: { aidType: 'food' } });
    const row = await cozum.db.ticket.findUniqueOrThrow({ where: { id: created.id }, include: { events: true } });
    expect(row).toMatchObject({ number: created.number, status: 'new', type: 'aid', category: 'food', neighbourhood: 'Erzene', summary: 'Gıda yardımı', conversationId: null });
    expect(JSON.parse(row.data)).toEqual({ aidType: 'food' });
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.dueAt.getTime() - row.createdAt.getTime()).toBe(48 * 3_600_000);
    expect(row.events).toEqual([expect.objectContaining({ kind: 'status', status: 'new', actor: 'bot' })]);
  });

  it('fail only the ticket that cannot be stored, and burn no number for it', async () => {
    const contact = await cozum.db.contact.create({ data: { channel: 'test', platformUserId: 'yarım' } });
    const ticket = (contactId: string, summary: string) =>
      cozum.tickets.create({ contactId, type: 'complaint', category: 'rubbish', department: 'Temizlik İşleri Müdürlüğü', slaHours: 24, summary, data: {} });
    // Submitted together, so they share a batch: the unknown contact fails the batch's transaction.
    const results = await Promise.allSettled([ticket(contact.id, 'ilk'), ticket('olmayan-kişi', 'hatalı'), ticket(contact.id, 'son')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const [first, , last] = results.map((r) => (r.status === 'fulfilled' ? Number(r.value.number.split('-')[2]) : 0));
    expect(last! - first!).toBe(1);
    const next = await ticket(contact.id, 'sonraki');
    expect(Number(next.number.split('-')[2])).toBe(last! + 1);
    expect(await cozum.db.ticket.count({ where: { summary: 'hatalı' } })).toBe(0);
  });
});
