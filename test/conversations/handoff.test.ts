// Conversations with a person (issue 11, finding 8): the citizen never talks into silence, reads
// the agent's own name (never a role), and the console names the citizen once a ticket knows them.
// The acknowledgement sweep is called with a moment a few minutes ahead instead of waiting for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/console/catalog.ts';
import { ConsoleViews } from '../../src/console/views.ts';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { Citizen, NEVER_OPEN, startTestCozum, tempDir } from '../support/cozum.ts';
import { checkRepliesComeFromContent } from '../support/content-words.ts';

// Every reply a citizen reads here comes from content or from their own words.
const content = checkRepliesComeFromContent();
const MINUTE = 60_000;
const temp = tempDir();
let cozum: Cozum;
let admin: AgentActor;
let ayse: AgentActor;

async function agent(username: string, displayName: string, role: AgentActor['role'] = 'agent'): Promise<AgentActor> {
  const row = await cozum.db.agent.create({ data: { username, displayName, passwordHash: 'x', role, department: 'Çözüm Merkezi' } });
  return { id: row.id, username, displayName, role, department: 'Çözüm Merkezi' };
}

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir);
  // An admin made by `agent:add --admin` without a name is called by its role.
  admin = await agent('admin', 'Yönetici', 'admin');
  ayse = await agent('ayse', 'Ayşe Demir');
});
afterAll(async () => {
  await cozum.close();
  temp.remove();
});

async function conversationOf(citizen: Citizen, instance = cozum) {
  return instance.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
}

/** What the citizen received outside their own turns, oldest first. */
async function notifications(citizen: Citizen, instance = cozum): Promise<string[]> {
  const conversation = await conversationOf(citizen, instance);
  const rows = await instance.db.message.findMany({ where: { conversationId: conversation.id, direction: 'out', author: 'system' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  for (const row of rows) content.check(instance, citizen.userId, row.text);
  return rows.map((row) => row.text);
}

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * MINUTE);

describe('waiting for a person', () => {
  it('a message left unanswered for a few minutes gets one acknowledgement with the queue position and hours', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('temsilci')).toContain('Sıranız: 1.');
    // The message is the agent's: the bot does not answer it at once…
    expect(await citizen.sayAll('merhaba, kimse var mı? suyumuz iki gündür akmıyor')).toBe('');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(1));
    expect(await notifications(citizen)).toEqual([]);
    // …but a few minutes later the citizen is told where they stand.
    await cozum.handoff.acknowledgeUnanswered(inMinutes(4));
    const [ack, ...more] = await notifications(citizen);
    expect(more).toEqual([]);
    expect(ack).toContain('Mesajınızı aldık');
    expect(ack).toContain('Sıranız: 1.');
    expect(ack).toContain("Çalışma saatlerimiz: hafta içi 08.30–17.30");
    // Once: the acknowledgement is not repeated while the citizen stays silent.
    await cozum.handoff.acknowledgeUnanswered(inMinutes(30));
    expect(await notifications(citizen)).toHaveLength(1);
    // A new message, unanswered again, gets a new one.
    await citizen.say('hâlâ bekliyorum');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(5));
    expect(await notifications(citizen)).toHaveLength(2);
  });

  it('the position counts the citizens ahead in the same queue', async () => {
    const first = new Citizen(cozum);
    const second = new Citizen(cozum);
    await first.say('bir yetkiliyle görüşmek istiyorum');
    await second.say('temsilci');
    await second.say('sıram ne zaman gelir');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(4));
    const [ack] = await notifications(second);
    const position = Number(/Sıranız: (\d+)/.exec(ack!)?.[1]);
    const ahead = await cozum.db.ticket.count({ where: { type: 'handoff', status: 'new', conversation: { mode: 'waiting' }, createdAt: { lt: (await cozum.db.ticket.findUniqueOrThrow({ where: { id: (await conversationOf(second)).handoffTicketId! } })).createdAt } } });
    expect(position).toBe(ahead + 1);
    expect(position).toBeGreaterThan(1);
  });

  it('out of working hours, the acknowledgement says when agents are back', async () => {
    const dir = tempDir();
    const closed = await startTestCozum(dir.dir, { overrides: { 'handoff.workingHours': NEVER_OPEN } });
    try {
      const citizen = new Citizen(closed);
      expect(await citizen.sayAll('temsilci')).toContain('çalışma saatlerimiz dışındayız');
      await citizen.say('lütfen biri yazsın');
      await closed.handoff.acknowledgeUnanswered(inMinutes(4));
      const [ack] = await notifications(citizen, closed);
      expect(ack).toContain('çalışma saatlerimiz dışındayız');
      expect(ack).toContain('Sıranız: 1.');
      // NEVER_OPEN opens at midnight every day: agents are back "tomorrow", said in each citizen's language.
      expect(ack).toContain('yarın 00:00 itibarıyla');
      const ahmad = new Citizen(closed);
      const queued = await ahmad.sayAll('بدي احكي مع موظف');
      expect(queued).toContain('اعتباراً من غداً الساعة 00:00');
      const ann = new Citizen(closed);
      expect(await ann.sayAll('I want to talk to a person')).toContain('from tomorrow at 00:00');
      await ahmad.say('أرجو الرد');
      await ann.say('please answer');
      await closed.handoff.acknowledgeUnanswered(inMinutes(4));
      const [arabicAck] = await notifications(ahmad, closed);
      expect(arabicAck).toContain('غداً الساعة 00:00');
      const [englishAck] = await notifications(ann, closed);
      expect(englishAck).toContain('from tomorrow at 00:00');
      for (const text of [queued, arabicAck, englishAck]) expect(text).not.toMatch(/yarın|bugün|Pazartesi/);
    } finally {
      await closed.close();
      dir.remove();
    }
  });
});

describe('talking to a person', () => {
  it('an account named only by its role is not shown by the role', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    await cozum.handoff.claim(admin, (await conversationOf(citizen)).id);
    const [joined] = await notifications(citizen);
    expect(joined).toBe('Bir görevlimiz görüşmeyi devraldı. Mesajlarınızı artık doğrudan görevlimiz yanıtlayacak.');
    expect(joined).not.toContain('Yönetici');
    await citizen.say('merhaba, şikayetim hakkında yazıyorum');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(4));
    const acks = await notifications(citizen);
    expect(acks).toHaveLength(2);
    expect(acks[1]).toContain('görevlimiz en kısa sürede yanıt verecek');
    expect(acks[1]).not.toContain('Yönetici');
  });

  it('the agent\'s own name is shown, and an answered message gets no acknowledgement', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await cozum.handoff.claim(ayse, conversation.id);
    expect(await notifications(citizen)).toEqual(['Görevlimiz Ayşe Demir görüşmeyi devraldı. Mesajlarınızı artık doğrudan görevlimiz yanıtlayacak.']);
    await citizen.say('kaldırım ne zaman yapılacak');
    await cozum.handoff.reply(ayse, conversation.id, 'Merhaba, hemen bakıyorum.');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(10));
    expect(await notifications(citizen)).toHaveLength(1);
    await citizen.say('teşekkürler, bekliyorum');
    await cozum.handoff.acknowledgeUnanswered(inMinutes(10));
    const acks = await notifications(citizen);
    expect(acks).toHaveLength(2);
    expect(acks[1]).toContain('görevlimiz Ayşe Demir en kısa sürede yanıt verecek');
  });
});

describe('notifications', () => {
  it('mask what a status note quotes of the citizen, and keep the municipality\'s own numbers', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['çöpler alınmadı', 'Erzene', '3. sokak no 1', 'Çöpler beş gündür alınmadı.', 'geç', 'evet', 'Sibel Ak', '0532 100 20 32', 'Gönder']) await citizen.say(text);
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    await cozum.handoff.setStatus(admin, ticket.id, 'in_progress', `0532 100 20 32 numaralı vatandaş (TC 10000000146) arandı; bilgi için ${cozum.config.municipality.phones.callCenter}.`);
    const [note] = await notifications(citizen);
    expect(note).toContain('0532 ••• •• 32 numaralı vatandaş (TC 100••••••46)');
    expect(note).toContain(`bilgi için ${cozum.config.municipality.phones.callCenter}`);
  });
});

describe('the console names the citizen', () => {
  const views = () => new ConsoleViews(cozum.db, Catalog.load(cozum.config));

  it('by the name a form collected, when the channel gave none', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['çöpler alınmadı', 'Erzene', '3. sokak no 1', 'Çöpler beş gündür alınmadı.', 'geç', 'evet', 'Sibel Karaca', '0532 100 20 30', 'Gönder']) await citizen.say(text);
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const { items } = await views().queue(admin, 'all');
    expect(items.find((item) => item.ticketId === ticket.id)?.citizen).toBe('Sibel Karaca');
  });

  it('by the platform\'s name when there is one', async () => {
    const citizen = new Citizen(cozum);
    const extra = { userName: 'Sibel K.' };
    for (const text of ['çöpler alınmadı', 'Erzene', '3. sokak no 1', 'Çöpler beş gündür alınmadı.', 'geç', 'evet', 'Sibel Karaca', '0532 100 20 31', 'Gönder']) await citizen.say(text, extra);
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const { items } = await views().queue(admin, 'all');
    expect(items.find((item) => item.ticketId === ticket.id)?.citizen).toBe('Sibel K.');
  });
});
