// From the bot to a person and back: escalation triggers, the queue, what an agent does, and what
// the citizen reads at every step (their replies, and the notifications stored in their transcript).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { Citizen, NEVER_OPEN, startTestCozum, tempDir } from '../support/cozum.ts';

const temp = tempDir();
let cozum: Cozum;
let ayse: AgentActor;
let zabita: AgentActor;

async function agent(username: string, displayName: string, department: string, role: AgentActor['role'] = 'agent'): Promise<AgentActor> {
  const row = await cozum.db.agent.create({ data: { username, displayName, passwordHash: 'x', role, department } });
  return { id: row.id, username, displayName, role, department };
}

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir);
  ayse = await agent('ayse', 'Ayşe Demir', 'Çözüm Merkezi');
  zabita = await agent('zabita1', 'Zabıta Memuru', 'Zabıta Müdürlüğü');
});
afterAll(async () => {
  await cozum.close();
  temp.remove();
});

async function conversationOf(citizen: Citizen) {
  return cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
}

/** What the citizen received outside their own turns: notifications from agents and the system. */
async function notifications(citizen: Citizen) {
  const conversation = await conversationOf(citizen);
  const rows = await cozum.db.message.findMany({ where: { conversationId: conversation.id, direction: 'out', author: { in: ['agent', 'system'] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((row) => row.text);
}

describe('escalation', () => {
  it('temsilci opens a handoff ticket with the transcript and tells the citizen their number and place in the queue', async () => {
    const first = new Citizen(cozum);
    await first.say('su kesintisi ne zaman biter');
    const reply = await first.sayAll('temsilci');
    expect(reply).toMatch(/Talep numaranız: \*CZM-\d{4}-\d{6}\*\. Sıranız: 1\./);
    const conversation = await conversationOf(first);
    expect(conversation.mode).toBe('waiting');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(ticket).toMatchObject({ type: 'handoff', status: 'new', department: 'Çözüm Merkezi' });
    const data = JSON.parse(ticket.data);
    expect(data.transcript.map((m: { text: string }) => m.text)).toContain('su kesintisi ne zaman biter');

    const second = new Citizen(cozum);
    expect(await second.sayAll('bir yetkiliyle görüşmek istiyorum')).toContain('Sıranız: 2.');
    const again = await second.sayAll('temsilci');
    expect(again).toBe(''); // already waiting: the message is for the agent, not the bot
  });

  it('after two misunderstood messages offers a person, and queues the citizen who accepts', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('qqq www');
    expect(await citizen.sayAll('zzz xxx')).toContain('bağlamamı ister misiniz');
    expect(await citizen.sayAll('evet')).toContain('Sizi bir görevlimize aktarıyorum');
    const conversation = await conversationOf(citizen);
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(ticket.category).toBe('misunderstood');
  });

  it('a citizen who declines the offer gets the menu', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('qqq www');
    await citizen.say('zzz xxx');
    expect(await citizen.sayAll('hayır')).toMatch(/^1\. Yakın Kart$/m);
    expect((await conversationOf(citizen)).mode).toBe('bot');
  });

  it('an emergency is first told the number to call; a person, if asked for, gets it as urgent with a short deadline', async () => {
    const citizen = new Citizen(cozum);
    const [whatToDo] = await citizen.say('ACİL yardım lazım, evin önünde kaza oldu');
    expect(whatToDo).toContain('Hemen 112 numaralı acil çağrı hattını arayın');
    expect(await citizen.sayAll('Görevliye bağla')).toContain('görevlimize aktarıyorum');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: (await conversationOf(citizen)).handoffTicketId! } });
    expect(ticket).toMatchObject({ type: 'handoff', category: 'emergency', urgent: true });
    expect(ticket.summary).toContain('Acil durum: Kaza / yaralanma');
    expect(ticket.dueAt.getTime() - ticket.createdAt.getTime()).toBe(3_600_000);
  });

  it('a complaint about a collapsed wall creates its ticket and also queues it for a person', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('mahallemizde istinat duvarı çöktü');
    for (const answer of ['Erzene', '5. sokak', 'Duvar yola yıkıldı, geçiş tehlikeli.', 'geç', 'evet', 'Kerem Aydın', '05327776655']) await citizen.say(answer);
    const done = await citizen.sayAll('evet');
    expect(done).toContain('Fen İşleri Müdürlüğü');
    expect(done).toContain('görevlimize aktarıyorum');
    const conversation = await conversationOf(citizen);
    const handoff = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(handoff).toMatchObject({ type: 'handoff', department: 'Fen İşleri Müdürlüğü' });
    expect(handoff.summary).toMatch(/CZM-\d{4}-\d{6}/);
  });

  it('outside working hours says when agents are back, and the case waits in the queue', async () => {
    const dir = tempDir();
    const closed = await startTestCozum(dir.dir, { overrides: { 'handoff.workingHours': NEVER_OPEN } });
    try {
      const reply = await new Citizen(closed).sayAll('temsilci');
      expect(reply).toContain('çalışma saatlerimiz dışındayız');
      expect(reply).toContain('yarın 00:00');
      expect(await closed.db.ticket.count({ where: { type: 'handoff', status: 'new' } })).toBe(1);
    } finally {
      await closed.close();
      dir.remove();
    }
  });
});

describe('an agent holding the conversation', () => {
  it('receives the citizen\'s messages instead of the bot, answers on the citizen\'s channel, and releases it', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await cozum.handoff.claim(ayse, conversation.id);
    expect((await conversationOf(citizen)).mode).toBe('agent');
    expect(await notifications(citizen)).toContain('Görevlimiz Ayşe Demir görüşmeyi devraldı. Mesajlarınızı artık doğrudan görevlimiz yanıtlayacak.');

    expect(await citizen.sayAll('yakın kart nedir')).toBe(''); // for the agent, not the bot
    await cozum.handoff.reply(ayse, conversation.id, 'Merhaba, Yakın Kart için size yardımcı olayım.');
    const agentMessage = await cozum.db.message.findFirstOrThrow({ where: { conversationId: conversation.id, author: 'agent' } });
    expect(agentMessage).toMatchObject({ authorName: 'Ayşe Demir', status: 'sent', text: 'Merhaba, Yakın Kart için size yardımcı olayım.' });
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: conversation.handoffTicketId! } });
    expect(ticket).toMatchObject({ status: 'in_progress', assignedAgentId: ayse.id });
    expect(ticket.firstResponseAt).toBeInstanceOf(Date);

    await cozum.handoff.release(ayse, conversation.id);
    expect(await notifications(citizen)).toContain('Görevlimizle görüşmeniz sona erdi. Başka bir konuda yardım için *menü* yazabilirsiniz.');
    expect(await citizen.sayAll('cenaze aracı nasıl çağırırım')).toContain('0 (232) 000 01 88');
  });

  it('lets the citizen return to the bot with menü, and the agent sees that', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await cozum.handoff.claim(ayse, conversation.id);
    const back = await citizen.sayAll('menü');
    expect(back).toContain('asistana döndünüz');
    expect(back).toMatch(/^1\. Yakın Kart$/m);
    const events = await cozum.db.ticketEvent.findMany({ where: { ticketId: conversation.handoffTicketId! } });
    expect(events.map((e) => e.note)).toContain('Vatandaş görüşmeden ayrılıp asistana döndü.');
  });

  it('gives a conversation two agents claim at the same moment to one of them, and tells the citizen once', async () => {
    const fatma = await agent('fatma', 'Fatma Kaya', 'Çözüm Merkezi');
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    const outcomes = await Promise.allSettled([cozum.handoff.claim(ayse, conversation.id), cozum.handoff.claim(fatma, conversation.id)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    const holder = (await conversationOf(citizen)).agentId === ayse.id ? 'Ayşe Demir' : 'Fatma Kaya';
    expect(String(refused.reason)).toContain(holder);
    const joined = (await notifications(citizen)).filter((text) => text.includes('görüşmeyi devraldı'));
    expect(joined).toHaveLength(1);
    expect(joined[0]).toContain(holder);
    const events = await cozum.db.ticketEvent.findMany({ where: { ticketId: conversation.handoffTicketId!, kind: 'assign' } });
    expect(events).toHaveLength(1);
    // A second click by the one who has it changes nothing.
    const winner = holder === 'Ayşe Demir' ? ayse : fatma;
    await cozum.handoff.claim(winner, conversation.id);
    expect((await notifications(citizen)).filter((text) => text.includes('görüşmeyi devraldı'))).toHaveLength(1);
  });

  it('keeps another department\'s agent out', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await expect(cozum.handoff.claim(zabita, conversation.id)).rejects.toThrow('başka bir birime ait');
    await expect(cozum.handoff.addNote(zabita, conversation.handoffTicketId!, 'not')).rejects.toThrow('Talep bulunamadı');
  });
});

describe('ticket status changes reach the citizen', () => {
  it('transfer, progress, resolution with a 1–5 rating and a comment', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    const ticketId = conversation.handoffTicketId!;
    const supervisor = await agent('sef', 'Vardiya Şefi', 'Çözüm Merkezi', 'supervisor');

    await cozum.handoff.addNote(supervisor, ticketId, 'Zabıtaya gidecek');
    await cozum.handoff.transfer(supervisor, ticketId, { department: 'Zabıta Müdürlüğü' });
    await cozum.handoff.setStatus(zabita, ticketId, 'in_progress', 'Ekip yolda');
    await expect(cozum.handoff.setStatus(zabita, ticketId, 'rejected', '')).rejects.toThrow('gerekçe');
    await cozum.handoff.setStatus(zabita, ticketId, 'resolved', 'Tezgâh kaldırıldı');
    const told = await notifications(citizen);
    const number = (await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).number;
    expect(told).toContain(`*${number}* numaralı talebiniz Zabıta Müdürlüğü birimine aktarıldı. En kısa sürede size dönüş yapılacak.`);
    expect(told).toContain(`*${number}* numaralı başvurunuzun durumu: İşlemde.\nAçıklama: Ekip yolda`);
    expect(told.at(-1)).toContain('durumu: Çözüldü');
    expect(told.at(-1)).toContain('1 (çok kötü) ile 5 (çok iyi)');
    expect(told.join('\n')).not.toContain('Zabıtaya gidecek'); // internal notes stay internal

    expect(await citizen.sayAll('5')).toContain('yorum');
    expect(await citizen.sayAll('Çok hızlı ilgilendiniz, teşekkürler')).toContain('Yorumunuz');
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(ticket).toMatchObject({ status: 'resolved', rating: 5, ratingComment: 'Çok hızlı ilgilendiniz, teşekkürler' });
    expect(ticket.resolvedAt).toBeInstanceOf(Date);
    // After the rating, digits mean the menu again.
    expect(await citizen.sayAll('12')).toContain('444 0 153');
  });

  it('tells the reason of a rejection', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await cozum.handoff.setStatus(ayse, conversation.handoffTicketId!, 'rejected', 'Talep belediyemizin görev alanı dışında.');
    expect((await notifications(citizen)).at(-1)).toContain('Reddedildi.\nGerekçe: Talep belediyemizin görev alanı dışında.');
    expect((await conversationOf(citizen)).mode).toBe('bot');
  });
});
