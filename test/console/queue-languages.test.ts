// The queue by language (issue 15): a case in Arabic or English waits first for an agent who speaks
// it. Citizens write in Turkish, Arabic and English and ask for a person; each agent's queue puts
// the cases in the languages they speak (other than Turkish) first, every row and every live row
// says the citizen's language, the queue can show one language only, and an admin sets an agent's
// languages where accounts are edited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cozum } from '../../src/main.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient, createAgent, PASSWORD } from './support.ts';

interface Row {
  ticketId: string;
  conversationId: string | null;
  language: string;
  languageName: string;
  citizen: string;
}

const temp = tempDir('cozum-queue-languages-');
let cozum: Cozum;
const tickets: Record<string, string> = {};

async function askForPerson(text: string): Promise<string> {
  const citizen = new Citizen(cozum);
  await citizen.say(text);
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  expect(conversation.handoffTicketId).toBeTruthy();
  return conversation.handoffTicketId!;
}

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, { http: true });
  const arabic = await createAgent(cozum.db, 'omar', 'Omar Yıldız', 'agent', 'Çözüm Merkezi');
  await cozum.db.agent.update({ where: { id: arabic.id }, data: { languages: 'tr,ar' } });
  await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
  await createAgent(cozum.db, 'admin', 'Yönetici', 'admin', null);
  // Oldest first: Turkish, then English, then Arabic.
  tickets.tr = await askForPerson('temsilciyle görüşmek istiyorum');
  tickets.en = await askForPerson('I want to talk to a person');
  tickets.ar = await askForPerson('بدي احكي مع موظف');
});

afterAll(async () => {
  await cozum?.close();
  temp.remove();
});

async function queueOf(username: string, query = ''): Promise<Row[]> {
  const client = ConsoleClient.for(cozum);
  await client.login(username, PASSWORD);
  const reply = await client.get(`/console/api/queue?scope=department${query}`);
  expect(reply.status).toBe(200);
  return (reply.json as { items: Row[] }).items;
}

describe('the queue by language', () => {
  it('shows each case in the language the citizen wrote in', async () => {
    const rows = await queueOf('ayse');
    const byTicket = new Map(rows.map((row) => [row.ticketId, row]));
    expect(byTicket.get(tickets.tr!)).toMatchObject({ language: 'tr', languageName: 'Türkçe' });
    expect(byTicket.get(tickets.en!)).toMatchObject({ language: 'en', languageName: 'İngilizce' });
    expect(byTicket.get(tickets.ar!)).toMatchObject({ language: 'ar', languageName: 'Arapça' });
  });

  it('puts the Arabic case first for an agent who speaks Arabic, and cases in languages an agent does not speak last', async () => {
    expect((await queueOf('omar')).map((row) => row.language)).toEqual(['ar', 'tr', 'en']);
    expect((await queueOf('ayse')).map((row) => row.language)).toEqual(['tr', 'en', 'ar']);
  });

  it('shows one language only when asked, and an unknown language is no filter', async () => {
    expect((await queueOf('ayse', '&language=ar')).map((row) => row.ticketId)).toEqual([tickets.ar]);
    expect(await queueOf('ayse', '&language=xx')).toHaveLength(3);
  });

  it('gives the language on the rows a live notice asks for', async () => {
    const client = ConsoleClient.for(cozum);
    await client.login('omar', PASSWORD);
    const reply = await client.get(`/console/api/queue/rows?scope=department&ticket=${tickets.ar}&ticket=${tickets.tr}`);
    expect((reply.json as { items: Row[] }).items.map((row) => [row.ticketId, row.language])).toEqual([
      [tickets.ar, 'ar'],
      [tickets.tr, 'tr'],
    ]);
  });

  it('lets an admin set the languages an agent speaks, and refuses an unknown one or none', async () => {
    const admin = ConsoleClient.for(cozum);
    await admin.login('admin', PASSWORD);
    const ayse = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'ayse' } });
    const edit = (languages: unknown) => admin.post(`/console/api/agents/${ayse.id}`, { displayName: 'Ayşe Demir', role: 'agent', department: 'Çözüm Merkezi', languages });
    expect((await edit(['xx'])).status).toBe(400);
    const none = await edit([]);
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ error: 'En az bir dil seçin.' });
    expect((await edit(['tr', 'en'])).status).toBe(200);
    const listed = (await admin.get('/console/api/agents')).json as { agents: { username: string; languages: string[] }[] };
    expect(listed.agents.find((a) => a.username === 'ayse')?.languages).toEqual(['tr', 'en']);
    // Her queue now has the English case first.
    expect((await queueOf('ayse')).map((row) => row.language)).toEqual(['en', 'tr', 'ar']);
    // A new account is given its languages when created.
    const created = await admin.post('/console/api/agents', { username: 'zeynep', displayName: 'Zeynep Ak', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-ve-zor-bir-sifre-42', languages: ['ar'] });
    expect(created.status).toBe(201);
    expect((await cozum.db.agent.findUniqueOrThrow({ where: { username: 'zeynep' } })).languages).toBe('ar');
  });
});
