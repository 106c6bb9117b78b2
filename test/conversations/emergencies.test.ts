// Whole conversations about emergencies, through the in-process channel: what the citizen reads
// (the first reply says what to do now and names the number), and what ends up in the database
// (an urgent record or an urgent case in the agents' queue). Also the ordinary messages that used
// to be taken for emergencies, which must reach their own form and ticket.
import { describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';
import { checkRepliesComeFromContent } from '../support/content-words.ts';

// Every reply a citizen reads here comes from content or from their own words.
checkRepliesComeFromContent();
const cozum = useTestCozum({ http: true });

async function conversationOf(citizen: Citizen) {
  return cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
}

async function ticketsOf(citizen: Citizen) {
  return cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } }, orderBy: { createdAt: 'asc' } });
}

async function converse(citizen: Citizen, messages: string[]): Promise<string> {
  let last = '';
  for (const message of messages) last = await citizen.sayAll(message);
  return last;
}

const OFFER = /1\. Acil kayıt aç\n2\. Görevliye bağla\n3\. Gerek yok/;

describe('an emergency is answered first with what to do now', () => {
  it('gas smell: 187 and "do not touch switches" first; "1" opens an urgent record due within the hour', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('Doğalgaz kokusu var apartmanda, merdivenlerde çok yoğun');
    expect(whatToDo).toMatch(/^\*Hemen 187 numaralı doğalgaz acil hattını arayın\.\*/);
    expect(whatToDo).toContain('Elektrik düğmelerine, prizlere ve zile dokunmayın');
    expect(offer).toMatch(OFFER);
    expect(await ticketsOf(citizen)).toEqual([]);

    const filed = await citizen.sayAll('1');
    const [ticket] = await ticketsOf(citizen);
    expect(ticket).toMatchObject({ type: 'emergency', category: 'gas', urgent: true, status: 'new', department: 'Çözüm Merkezi' });
    expect(ticket!.summary).toBe('Doğalgaz kaçağı · Doğalgaz kokusu var apartmanda, merdivenlerde çok yoğun');
    expect(ticket!.dueAt.getTime() - ticket!.createdAt.getTime()).toBe(3_600_000);
    expect(filed).toBe(`Acil kaydınız *${ticket!.number}* numarasıyla açıldı ve görevlilerimizin listesinde en üste alındı. Lütfen *187* numarasını aramayı da unutmayın.`);
    expect((await conversationOf(citizen)).mode).toBe('bot');
  });

  it('fire typed without Turkish letters: 112 first; "Görevliye bağla" queues an urgent case for a person', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo] = await citizen.say('yangin var bina 3. kat');
    expect(whatToDo).toMatch(/^\*Hemen 112 numaralı acil çağrı hattını arayın\.\*/);
    expect(whatToDo).toContain('asansörü kullanmayın');
    expect(await citizen.sayAll('Görevliye bağla')).toContain('Sizi bir görevlimize aktarıyorum');
    const conversation = await conversationOf(citizen);
    expect(conversation.mode).toBe('waiting');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(ticket).toMatchObject({ type: 'handoff', category: 'emergency', urgent: true });
    // The kind, never the citizen's words: a summary outlives an erasure (privacy/inventory.ts).
    expect(ticket.summary).toBe('Acil durum: Yangın');
  });

  it('an injury after an accident: 112 first; "gerek yok" ends it politely and nothing is recorded', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo] = await citizen.say('kaza oldu yaralılar var kavşakta');
    expect(whatToDo).toContain('Hemen 112 numaralı acil çağrı hattını arayın');
    expect(whatToDo).toContain('Yaralıyı, hayati bir tehlike yoksa yerinden kıpırdatmayın');
    expect(await citizen.sayAll('gerek yok')).toBe('Peki. Geçmiş olsun. Başka bir konuda yardım için *menü* yazabilirsiniz.');
    expect(await ticketsOf(citizen)).toEqual([]);
  });

  it('a burst water main: the water utility\'s fault line (185), not a road complaint; the record goes to Fen İşleri', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo] = await citizen.say('Ana boru patladı, sokak göl oldu, su fışkırıyor');
    expect(whatToDo).toMatch(/^\*Hemen 185 numaralı su arıza hattını arayın\.\*/);
    expect(whatToDo).not.toContain('Hangi konuda');
    await citizen.say('acil kayıt aç');
    const [ticket] = await ticketsOf(citizen);
    expect(ticket).toMatchObject({ type: 'emergency', category: 'water', urgent: true, department: 'Fen İşleri Müdürlüğü' });
  });

  it('a fallen power line: the electricity fault line (186) and "stay away"', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo, offer] = await citizen.say('elektrik teli kopmuş yerde duruyor çocuklar oynuyor');
    expect(whatToDo).toMatch(/^\*Hemen 186 numaralı elektrik arıza hattını arayın\.\*/);
    expect(whatToDo).toContain('en az 10 metre uzak durun');
    expect(offer).toMatch(OFFER);
  });

  it('violence at home: the police (155), with 112 for the injured', async () => {
    const [whatToDo] = await new Citizen(cozum).say('kocam beni dövüyor');
    expect(whatToDo).toContain('hemen 155 numaralı polis imdat hattını arayın');
    expect(whatToDo).toContain('yaralı varsa 112');
  });

  it('someone who has not come home ("oğlum 3 gündür eve gelmedi"): the police (155) at once, no waiting', async () => {
    const [whatToDo, offer] = await new Citizen(cozum).say('oğlum 3 gündür eve gelmedi');
    expect(whatToDo).toMatch(/^\*Hemen 155 numaralı polis imdat hattını arayın;\* kayıp bildirimi için beklemenize gerek yok\./);
    expect(offer).toMatch(OFFER);
  });

  it('a person lying still, a neighbour not heard for days, people trapped by rising water: 112 first', async () => {
    for (const text of ['yolda bir adam yatıyor kıpırdamıyor', 'komşumun evinden 2 gündür ses gelmiyor yaşlı teyze yalnız yaşıyor', 'köprünün altında sular yükseldi arabalar mahsur']) {
      const [whatToDo] = await new Citizen(cozum).say(text);
      expect(whatToDo, text).toMatch(/^\*Hemen 112 numaralı acil çağrı hattını arayın\.\*/);
    }
  });

  it('a municipality whose numbers differ is told its own numbers (config, not code)', async () => {
    const { startTestCozum, tempDir } = await import('../support/cozum.ts');
    const temp = tempDir();
    const other: Cozum = await startTestCozum(temp.dir, { overrides: { 'municipality.phones.gas': '0 (232) 444 01 87', 'municipality.phones.emergency': '112 (Acil)' } });
    try {
      const [gas] = await new Citizen(other).say('gaz kaçağı var');
      expect(gas).toContain('Hemen 0 (232) 444 01 87 numaralı doğalgaz acil hattını arayın');
      expect(gas).toContain('Fenalaşan biri varsa 112 (Acil).');
    } finally {
      await other.close();
      temp.remove();
    }
  });

  it('another message instead of a choice is understood as usual', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('gaz kokuyo evde');
    expect(await citizen.sayAll('cenaze aracı nasıl çağırırım')).toContain('0 (232) 000 01 88');
    expect(await ticketsOf(citizen)).toEqual([]);
  });
});

describe('inside a form and while waiting for a person', () => {
  it('a citizen mid-complaint who writes "gaz kokusu geliyor" gets 187 first, then the form asks its question again', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('sokak lambası yanmıyor')).toContain('hangi mahallede');
    const [whatToDo, offer] = await citizen.say('şu an gaz kokusu geliyor');
    expect(whatToDo).toContain('Hemen 187 numaralı doğalgaz acil hattını arayın');
    expect(offer).toMatch(OFFER);
    const back = await citizen.sayAll('hayır');
    expect(back).toContain('Geçmiş olsun');
    expect(back).toContain('hangi mahallede');
    // The complaint goes on to its own ticket, not an urgent one.
    const done = await converse(citizen, ['Erzene', 'Lale sokak no 2', 'Lamba üç gündür yanmıyor.', 'geç', 'evet', 'Oya Er', '05320009988', 'evet']);
    expect(done).toContain('Bildiriminiz alındı');
    const tickets = await ticketsOf(citizen);
    expect(tickets.map((t) => [t.type, t.category, t.urgent])).toEqual([['complaint', 'street_light', false]]);
  });

  it('mid-form, "Acil kayıt aç" files the urgent record and the form continues where it was', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('yolda çukur var');
    await citizen.say('Erzene');
    const [whatToDo] = await citizen.say('Eyvah, karşı binada yangın çıktı!');
    expect(whatToDo).toContain('Hemen 112 numaralı acil çağrı hattını arayın');
    const reply = await citizen.sayAll('Acil kayıt aç');
    expect(reply).toContain('Acil kaydınız');
    expect(reply).toContain('Sokak, cadde ve varsa kapı numarasını yazar mısınız?');
    const tickets = await ticketsOf(citizen);
    expect(tickets.map((t) => [t.type, t.category, t.urgent])).toEqual([['emergency', 'fire', true]]);
  });

  it('while waiting for an agent, an emergency is answered at once and the case moves up as urgent', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    expect(conversation.mode).toBe('waiting');
    const replies = await citizen.say('doğalgaz kokusu var mutfakta');
    expect(replies[0]).toContain('Hemen 187 numaralı doğalgaz acil hattını arayın');
    expect(replies[1]).toBe('Talebinizi görevlilerimize *acil* olarak işaretledim.');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! }, include: { events: true } });
    expect(ticket.urgent).toBe(true);
    expect(ticket.events.map((e) => e.note)).toContain('Acil durum: Doğalgaz kaçağı (“doğalgaz kokusu”)');
    expect((await conversationOf(citizen)).mode).toBe('waiting');
  });

  it('while an agent holds the conversation, the citizen still reads what to do now, and the agent sees the case urgent', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('bir yetkiliyle görüşmek istiyorum');
    const conversation = await conversationOf(citizen);
    const agent = await createAgent(cozum.db, 'nobetci', 'Nöbetçi Görevli', 'agent', 'Çözüm Merkezi');
    await cozum.handoff.claim(agent, conversation.id);
    const [whatToDo] = await citizen.say('babam bayıldı nefes alamıyor');
    expect(whatToDo).toContain('Hemen 112 numaralı acil çağrı hattını arayın');
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } })).urgent).toBe(true);
    expect((await conversationOf(citizen)).mode).toBe('agent');
  });

  it('the agents\' queue lists urgent cases first, marked as such', async () => {
    const ordinary = new Citizen(cozum);
    await converse(ordinary, ['kaldırım kırık', 'Erzene', 'Lale sokak no 4', 'Kaldırım taşları sökülmüş.', 'geç', 'evet', 'Ali Can', '05320001122', 'evet']);
    const urgent = new Citizen(cozum);
    await converse(urgent, ['trafo patladı sokakta', '1']);
    await createAgent(cozum.db, 'sefe', 'Şefe Yılmaz', 'supervisor', null);
    const client = await ConsoleClient.loggedIn(cozum, 'sefe');
    const queue = await client.request('GET', '/console/api/queue?scope=all');
    expect(queue.status).toBe(200);
    const items = queue.json.items as { urgent: boolean; categoryName: string; typeName: string; createdAt: string }[];
    const firstOrdinary = items.findIndex((item) => !item.urgent);
    expect(items.slice(firstOrdinary).some((item) => item.urgent)).toBe(false);
    expect(items.find((item) => item.typeName === 'Acil durum bildirimi' && item.categoryName === 'Elektrik tehlikesi')).toBeDefined();
    expect((queue.json.counts as { urgent: number }).urgent).toBe(items.filter((item) => item.urgent).length);
  });
});

describe('ordinary messages that used to be taken for emergencies', () => {
  it('street light + "akşam karanlık oluyor" files a normal street-light complaint to a ticket', async () => {
    const citizen = new Citizen(cozum);
    const first = await citizen.sayAll('sokak lambası yanmıyor, akşam karanlık oluyor');
    expect(first).not.toMatch(/112|aktarıyorum/);
    expect(first).toContain('hangi mahallede');
    const done = await converse(citizen, ['Erzene', 'Lale sokak no 8', 'Akşam olunca sokak karanlık oluyor, çocuklar korkuyor.', 'geç', 'evet', 'Oya Er', '05320009988', 'evet']);
    expect(done).toContain('Bildiriminiz alındı');
    const tickets = await ticketsOf(citizen);
    expect(tickets.map((t) => [t.type, t.category, t.urgent])).toEqual([['complaint', 'street_light', false]]);
    expect((await conversationOf(citizen)).mode).toBe('bot');
  });

  it('"gürültü oluyor" and "koku oluyor" are complaints, never a call to 112', async () => {
    for (const text of ['her gece gürültü oluyor uyuyamıyoruz', 'çöplerden çok koku oluyor']) {
      const citizen = new Citizen(cozum);
      const reply = await citizen.sayAll(text);
      expect(reply, text).not.toMatch(/112|187|acil/i);
      expect((await conversationOf(citizen)).mode).toBe('bot');
    }
  });

  it('"gaz faturası", "yangın merdiveni kilitli", "su faturası" and "gaz kokusu yok artık" get no emergency answer', async () => {
    for (const text of ['gaz faturası çok yüksek geldi', 'okulun yangın merdiveni kilitli', 'su faturası nereden ödenir', 'gaz kokusu yok artık, teşekkürler', 'elektrik kesintisi ne zaman biter']) {
      const citizen = new Citizen(cozum);
      const reply = await citizen.sayAll(text);
      expect(reply, text).not.toMatch(/Hemen \d+ numaralı|Acil kayıt aç/);
      expect(await ticketsOf(citizen), text).toEqual([]);
    }
  });
});
