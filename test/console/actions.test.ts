// What an agent does in the console, over real HTTP against a real instance: the queue, one
// conversation, claim, reply, canned answers, notes, transfer, status, release; department
// boundaries; the live stream; the supervisor's figures and CSV; accounts.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentActor } from '../../src/handoff/handoff.ts';
import type { Cozum } from '../../src/main.ts';
import { Citizen, startTestCozum, tempDir } from '../support/cozum.ts';
import { ConsoleClient, createAgent } from './support.ts';

const temp = tempDir();
let cozum: Cozum;
let ayse: AgentActor;
let zabita: AgentActor;
let ayseClient: ConsoleClient;
let zabitaClient: ConsoleClient;
let sefClient: ConsoleClient;

interface QueueItem {
  ticketId: string;
  number: string;
  conversationId: string;
  waiting: boolean;
  live: boolean;
  department: string;
  channelName: string;
  typeName: string;
  categoryName: string;
  statusName: string;
  agentName: string | null;
  neighbourhood: string | null;
  dueAt: string;
  citizen: string;
}

beforeAll(async () => {
  cozum = await startTestCozum(temp.dir, { http: true });
  ayse = await createAgent(cozum.db, 'ayse', 'Ayşe Demir', 'agent', 'Çözüm Merkezi');
  zabita = await createAgent(cozum.db, 'zabita1', 'Zabıta Memuru', 'agent', 'Zabıta Müdürlüğü');
  await createAgent(cozum.db, 'sef', 'Vardiya Şefi', 'supervisor', null);
  await createAgent(cozum.db, 'yonetici', 'Sistem Yöneticisi', 'admin', null);
  ayseClient = await ConsoleClient.loggedIn(cozum, 'ayse');
  zabitaClient = await ConsoleClient.loggedIn(cozum, 'zabita1');
  sefClient = await ConsoleClient.loggedIn(cozum, 'sef');
});
afterAll(async () => {
  await cozum.close();
  temp.remove();
});

async function escalated(name?: string) {
  const citizen = new Citizen(cozum);
  await citizen.say('temsilci', name ? { userName: name } : {});
  const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
  return { citizen, conversationId: conversation.id, ticketId: conversation.handoffTicketId! };
}

async function queueOf(client: ConsoleClient, scope?: string): Promise<QueueItem[]> {
  const reply = await client.get(`/console/api/queue${scope ? `?scope=${scope}` : ''}`);
  expect(reply.status).toBe(200);
  return reply.json.items as QueueItem[];
}

async function citizenSees(conversationId: string) {
  return cozum.db.message.findMany({ where: { conversationId, direction: 'out' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

describe('the queue', () => {
  it('lists a waiting conversation for its department, oldest first, with Turkish labels and the SLA due time', async () => {
    const first = await escalated('Mehmet Yılmaz');
    const second = await escalated();
    const items = await queueOf(ayseClient);
    const numbers = items.map((i) => i.ticketId);
    expect(numbers.indexOf(first.ticketId)).toBeLessThan(numbers.indexOf(second.ticketId));
    const item = items.find((i) => i.ticketId === first.ticketId)!;
    expect(item).toMatchObject({
      conversationId: first.conversationId,
      waiting: true,
      live: false,
      department: 'Çözüm Merkezi',
      channelName: 'Test kanalı',
      typeName: 'Görevli görüşmesi',
      categoryName: 'Görevli istedi',
      statusName: 'Alındı',
      agentName: null,
      citizen: 'Mehmet Yılmaz',
    });
    expect(Date.parse(item.dueAt)).toBeGreaterThan(Date.now());

    // Another department's agent does not see it; the supervisor sees everything.
    expect((await queueOf(zabitaClient)).map((i) => i.ticketId)).not.toContain(first.ticketId);
    expect((await queueOf(zabitaClient, 'all')).map((i) => i.ticketId)).not.toContain(first.ticketId);
    expect((await queueOf(sefClient, 'all')).map((i) => i.ticketId)).toContain(first.ticketId);
    expect((await queueOf(ayseClient, 'mine')).map((i) => i.ticketId)).not.toContain(first.ticketId);
  });

  it('shows dialog tickets with their category, neighbourhood and department', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const ticket = await cozum.tickets.create({
      contactId: conversation.contactId,
      conversationId: conversation.id,
      type: 'complaint',
      category: 'road',
      neighbourhood: 'Erzene',
      department: 'Fen İşleri Müdürlüğü',
      slaHours: 72,
      summary: 'Yol / çukur · Erzene',
      data: { category: 'road', _display: { category: 'Yol / çukur', neighbourhood: 'Erzene' }, _dialog: 'complaint' },
    });
    const items = await queueOf(sefClient, 'all');
    expect(items.find((i) => i.ticketId === ticket.id)).toMatchObject({ typeName: 'Şikâyet / talep', categoryName: 'Yol / çukur', neighbourhood: 'Erzene', department: 'Fen İşleri Müdürlüğü', waiting: false });
    const filtered = (await sefClient.get(`/console/api/queue?scope=department&department=${encodeURIComponent('Fen İşleri Müdürlüğü')}`)).json.items as QueueItem[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((i) => i.department === 'Fen İşleri Müdürlüğü')).toBe(true);
  });
});

describe('a conversation', () => {
  it('claim, reply, canned answer, note, status with a note, release: each reaches the citizen or stays internal as it should', async () => {
    const { citizen, conversationId, ticketId } = await escalated();
    await citizen.say('Evimin önündeki çukur ne zaman kapanacak?');

    const view = await ayseClient.get(`/console/api/conversations/${conversationId}`);
    expect(view.status).toBe(200);
    const messages = view.json.messages as { author: string; text: string }[];
    expect(messages.filter((m) => m.author === 'citizen').map((m) => m.text)).toEqual(['temsilci', 'Evimin önündeki çukur ne zaman kapanacak?']);
    expect(messages.some((m) => m.author === 'bot')).toBe(true);
    expect(view.json.ticket).toMatchObject({ id: ticketId, status: 'new', department: 'Çözüm Merkezi', open: true });
    expect(view.json.conversation).toMatchObject({ mode: 'waiting', mine: false });

    // Claim
    expect((await ayseClient.post(`/console/api/conversations/${conversationId}/claim`)).json).toEqual({ ok: true });
    expect(await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({ mode: 'agent', agentId: ayse.id });
    expect((await citizenSees(conversationId)).at(-1)!.text).toBe('Görevlimiz Ayşe Demir görüşmeyi devraldı. Mesajlarınızı artık doğrudan görevlimiz yanıtlayacak.');
    expect((await queueOf(ayseClient, 'mine')).find((i) => i.ticketId === ticketId)).toMatchObject({ live: true, agentName: 'Ayşe Demir', statusName: 'İşlemde' });

    // Canned answer with the agent's name, then a reply
    const me = await ayseClient.get('/console/api/me');
    const canned = me.json.cannedResponses as { title: string; text: string }[];
    expect(canned[0]).toEqual({ title: 'Karşılama', text: 'Merhaba, ben çözüm merkezinden Ayşe Demir. Size nasıl yardımcı olabilirim?' });
    expect((await ayseClient.post(`/console/api/conversations/${conversationId}/reply`, { text: canned[0]!.text })).status).toBe(200);
    expect((await ayseClient.post(`/console/api/conversations/${conversationId}/reply`, { text: '   ' })).status).toBe(400);
    const sent = (await citizenSees(conversationId)).at(-1)!;
    expect(sent).toMatchObject({ author: 'agent', authorName: 'Ayşe Demir', text: canned[0]!.text, status: 'sent' });
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).firstResponseAt).toBeInstanceOf(Date);

    // The citizen's next message goes to the agent, not the bot.
    expect(await citizen.sayAll('Teşekkürler, adresim Erzene 5. sokak')).toBe('');

    // Internal note: in the ticket's history, never in the citizen's transcript.
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/notes`, { text: 'Fen İşleri ekibi aranacak' })).status).toBe(200);
    const after = await ayseClient.get(`/console/api/conversations/${conversationId}`);
    const events = (after.json.ticket as { events: { kind: string; note: string; actor: string }[] }).events;
    expect(events.find((e) => e.kind === 'note')).toMatchObject({ note: 'Fen İşleri ekibi aranacak', actor: 'Ayşe Demir' });
    expect((await citizenSees(conversationId)).map((m) => m.text).join('\n')).not.toContain('Fen İşleri ekibi aranacak');

    // Status: a rejection needs a reason; a change with a note is told to the citizen.
    const rejected = await ayseClient.post(`/console/api/tickets/${ticketId}/status`, { status: 'rejected', note: '' });
    expect(rejected.status).toBe(409);
    expect(rejected.json.error).toBe('Reddetmek için bir gerekçe yazın.');
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/status`, { status: 'bilinmeyen' })).status).toBe(400);
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/status`, { status: 'assigned', note: 'Ekip yarın sabah gelecek' })).status).toBe(200);
    const number = (await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).number;
    expect((await citizenSees(conversationId)).at(-1)!.text).toBe(`*${number}* numaralı başvurunuzun durumu: İlgili birime iletildi.\nAçıklama: Ekip yarın sabah gelecek`);

    // Release back to the bot.
    expect((await ayseClient.post(`/console/api/conversations/${conversationId}/release`)).status).toBe(200);
    expect((await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).mode).toBe('bot');
    expect((await citizenSees(conversationId)).at(-1)!.text).toContain('Görevlimizle görüşmeniz sona erdi');
    expect(await citizen.sayAll('cenaze aracı nasıl çağırırım')).toContain('0 (232) 000 01 88');
  });

  it('keeps another department\'s agent out of the conversation, its page and every action on its ticket', async () => {
    const { conversationId, ticketId } = await escalated();
    expect((await zabitaClient.get(`/console/api/conversations/${conversationId}`)).status).toBe(404);
    expect((await zabitaClient.get(`/console/conversations/${conversationId}`, { headers: { Accept: 'text/html' } })).status).toBe(404);
    const attempts: [string, unknown][] = [
      [`/console/api/conversations/${conversationId}/claim`, {}],
      [`/console/api/conversations/${conversationId}/reply`, { text: 'Başka birimden merhaba' }],
      [`/console/api/conversations/${conversationId}/release`, {}],
      [`/console/api/tickets/${ticketId}/notes`, { text: 'not' }],
      [`/console/api/tickets/${ticketId}/status`, { status: 'resolved', note: '' }],
      [`/console/api/tickets/${ticketId}/transfer`, { department: 'Zabıta Müdürlüğü' }],
    ];
    for (const [path, body] of attempts) expect((await zabitaClient.post(path, body)).status, path).toBe(404);
    const conversation = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(conversation).toMatchObject({ mode: 'waiting', agentId: null });
    expect(ticket).toMatchObject({ status: 'new', department: 'Çözüm Merkezi' });
    expect(await cozum.db.message.count({ where: { conversationId, author: 'agent' } })).toBe(0);
    expect(await cozum.db.ticketEvent.count({ where: { ticketId, kind: 'note' } })).toBe(0);
    // A made-up id answers the same as a hidden one.
    expect((await zabitaClient.get('/console/api/conversations/yok')).status).toBe(404);
  });

  it('lets an agent who sees a conversation through their own department\'s older ticket neither claim, answer nor release it', async () => {
    const { conversationId, ticketId } = await escalated();
    const conversation = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    // The citizen's earlier complaint went to the Zabıta: its agents may open the conversation.
    await cozum.tickets.create({ contactId: conversation.contactId, conversationId, type: 'complaint', category: 'noise', department: 'Zabıta Müdürlüğü', slaHours: 48, summary: 'Gürültü', data: {} });
    expect((await zabitaClient.get(`/console/api/conversations/${conversationId}`)).status).toBe(200);
    const told = (await citizenSees(conversationId)).length;
    for (const [action, body] of [['claim', {}], ['reply', { text: 'Başka birimden merhaba' }], ['release', {}]] as const) {
      const reply = await zabitaClient.post(`/console/api/conversations/${conversationId}/${action}`, body);
      expect(reply, action).toMatchObject({ status: 409, json: { error: 'Bu görüşme başka bir birime ait.' } });
    }
    // Still waiting for the Çözüm Merkezi, and the citizen was told nothing.
    expect(await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({ mode: 'waiting', agentId: null, handoffTicketId: ticketId });
    expect(await citizenSees(conversationId)).toHaveLength(told);
    expect(await cozum.db.ticketEvent.count({ where: { ticketId, actor: 'zabita1' } })).toBe(0);
    // Its own department's agent still can.
    expect((await ayseClient.post(`/console/api/conversations/${conversationId}/release`)).status).toBe(200);
  });

  it('transfers to another department: the ticket moves to that department\'s queue and out of the first', async () => {
    const { conversationId, ticketId } = await escalated();
    const unknown = await ayseClient.post(`/console/api/tickets/${ticketId}/transfer`, { department: 'Uydurma Müdürlüğü' });
    expect(unknown.status).toBe(409);
    expect(unknown.json.error).toBe('Bu birim tanımlı değil.');
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/transfer`, {})).json.error).toBe('Bir birim ya da görevli seçin.');

    const me = await ayseClient.get('/console/api/me');
    expect(me.json.departments).toEqual(expect.arrayContaining(['Çözüm Merkezi', 'Zabıta Müdürlüğü', 'Fen İşleri Müdürlüğü', 'Sosyal Yardım İşleri Müdürlüğü']));
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/transfer`, { department: 'Zabıta Müdürlüğü', note: 'Seyyar satıcı şikâyeti' })).status).toBe(200);
    expect(await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).toMatchObject({ department: 'Zabıta Müdürlüğü', status: 'assigned' });
    expect((await queueOf(zabitaClient)).map((i) => i.ticketId)).toContain(ticketId);
    expect((await queueOf(ayseClient)).map((i) => i.ticketId)).not.toContain(ticketId);
    expect((await ayseClient.get(`/console/api/conversations/${conversationId}`)).status).toBe(404);
    expect((await zabitaClient.get(`/console/api/conversations/${conversationId}`)).status).toBe(200);
    expect((await citizenSees(conversationId)).at(-1)!.text).toContain('Zabıta Müdürlüğü birimine aktarıldı');
  });

  it('transfers to a named agent, who then holds the conversation', async () => {
    const { conversationId, ticketId } = await escalated();
    expect((await ayseClient.post(`/console/api/tickets/${ticketId}/transfer`, { agentId: zabita.id })).status).toBe(200);
    expect(await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({ mode: 'agent', agentId: zabita.id });
    expect((await queueOf(zabitaClient, 'mine')).find((i) => i.ticketId === ticketId)).toMatchObject({ agentName: 'Zabıta Memuru' });
  });

  it('refuses to claim a conversation another agent holds', async () => {
    const { conversationId } = await escalated();
    const colleague = await createAgent(cozum.db, 'fatma', 'Fatma Kaya', 'agent', 'Çözüm Merkezi');
    await cozum.handoff.claim(colleague, conversationId);
    const reply = await ayseClient.post(`/console/api/conversations/${conversationId}/claim`);
    expect(reply.status).toBe(409);
    expect(reply.json.error).toBe('Bu görüşmeyi Fatma Kaya yürütüyor.');
  });

  it('shows the dialog\'s fields, the photo\'s file id, the location and the citizen\'s other tickets', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    await citizen.say('', { media: [{ kind: 'image', fileId: 'AgACAgQAAxkBAAIB' }] });
    await citizen.say('', { location: { latitude: 38.4622, longitude: 27.2163 } });
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
    const earlier = await cozum.tickets.create({
      contactId: conversation.contactId, conversationId: conversation.id, type: 'aid', category: 'food', department: 'Sosyal Yardım İşleri Müdürlüğü', slaHours: 48, summary: 'Gıda yardımı', data: {},
    });
    const ticket = await cozum.tickets.create({
      contactId: conversation.contactId,
      conversationId: conversation.id,
      type: 'complaint',
      category: 'road',
      neighbourhood: 'Erzene',
      department: 'Çözüm Merkezi',
      slaHours: 72,
      summary: 'Yol / çukur · Erzene',
      data: {
        category: 'road',
        neighbourhood: 'Erzene',
        address: { latitude: 38.4622, longitude: 27.2163, map: 'https://www.google.com/maps?q=38.4622,27.2163' },
        photo: { kind: 'image', fileId: 'AgACAgQAAxkBAAIB' },
        _display: { category: 'Yol / çukur', neighbourhood: 'Erzene', address: 'Konum', description: 'Büyük bir çukur var', photo: 'Fotoğraf eklendi' },
        _dialog: 'complaint',
      },
    });
    const view = await ayseClient.get(`/console/api/conversations/${conversation.id}?ticket=${ticket.id}`);
    expect(view.status).toBe(200);
    const detail = view.json.ticket as { fields: { label: string; value: string }[]; photos: { fileId: string }[]; locations: { latitude: number }[]; categoryName: string };
    expect(detail.categoryName).toBe('Yol / çukur');
    expect(detail.fields.slice(0, 2)).toEqual([{ label: 'Konu', value: 'Yol / çukur' }, { label: 'Mahalle', value: 'Erzene' }]);
    expect(detail.fields).toContainEqual({ label: 'Açıklama', value: 'Büyük bir çukur var' });
    expect(detail.photos).toEqual([{ kind: 'image', fileId: 'AgACAgQAAxkBAAIB' }]);
    expect(detail.locations).toEqual([{ latitude: 38.4622, longitude: 27.2163 }]);
    const messages = view.json.messages as { media: { fileId: string }[]; location: { latitude: number } | null }[];
    // Recorded for download (the test channel has no platform to fetch it from: it waits, shown as arriving).
    expect(messages.some((m) => (m.media[0] as { kind?: string; status?: string } | undefined)?.status === 'pending' && (m.media[0] as { kind?: string }).kind === 'image')).toBe(true);
    expect(messages.some((m) => m.location?.latitude === 38.4622)).toBe(true);
    // The aid ticket belongs to another department: listed, but without its summary or a link.
    const others = view.json.tickets as { number: string; visible: boolean; summary: string; conversationId: string | null }[];
    expect(others.find((t) => t.number === earlier.number)).toMatchObject({ visible: false, summary: '', conversationId: null });
  });
});

describe('live updates', () => {
  function openStream(client: ConsoleClient, query = ''): Promise<{ chunks: string[]; response: http.IncomingMessage; close(): void; waitFor(text: string): Promise<void> }> {
    return new Promise((resolve, reject) => {
      const chunks: string[] = [];
      const waiters: { text: string; done: () => void }[] = [];
      const request = http.get(`${client.base}/console/api/events${query}`, { headers: { Cookie: `cozum_console=${client.token}`, Accept: 'text/event-stream' } }, (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          chunks.push(chunk);
          for (const w of [...waiters]) if (chunks.join('').includes(w.text)) w.done();
        });
        resolve({
          chunks,
          response,
          close: () => request.destroy(),
          waitFor: (text) => new Promise<void>((done) => (chunks.join('').includes(text) ? done() : waiters.push({ text, done }))),
        });
      });
      request.on('error', reject);
    });
  }

  const messageNotice = (conversationId: string, direction: 'in' | 'out') => `{"kind":"message","conversationId":"${conversationId}","direction":"${direction}"}`;

  it('sends a small "changed" notice for a new citizen message and cleans up when the page closes', async () => {
    const before = cozum.events.listenerCount('message');
    const ticketListeners = cozum.events.listenerCount('ticket');
    const stream = await openStream(ayseClient);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(cozum.events.listenerCount('message')).toBe(before + 1);
    const { citizen, conversationId } = await escalated();
    await stream.waitFor(`{"kind":"conversation","conversationId":"${conversationId}"}`);
    await citizen.say('Sokağımızdaki çukur büyüdü');
    await stream.waitFor(messageNotice(conversationId, 'in'));
    const text = stream.chunks.join('');
    expect(text).not.toContain('temsilci'); // ids only, never message bodies
    expect(text).not.toContain('çukur');
    stream.close();
    await expect.poll(() => cozum.events.listenerCount('message'), { timeout: 15_000 }).toBe(before);
    expect(cozum.events.listenerCount('ticket')).toBe(ticketListeners);
  });

  it('leaves out the messages of citizens talking with the bot, except on the page of that conversation', async () => {
    const queuePage = await openStream(sefClient);
    const chatting = new Citizen(cozum);
    await chatting.say('merhaba');
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: chatting.userId } } });
    const conversationPage = await openStream(sefClient, `?conversation=${conversation.id}`);
    // An agent cannot listen in on a conversation outside their department by naming it.
    const curious = await openStream(ayseClient, `?conversation=${conversation.id}`);

    await chatting.say('su kesintisi ne zaman biter');
    await conversationPage.waitFor(messageNotice(conversation.id, 'in'));
    await conversationPage.waitFor(messageNotice(conversation.id, 'out'));
    // Notices go out in order: once a later conversation's message is announced on the queue's
    // stream, the chat with the bot would have been announced before it.
    const { citizen, conversationId } = await escalated();
    await citizen.say('Bekliyorum');
    await queuePage.waitFor(messageNotice(conversationId, 'in'));
    await curious.waitFor(messageNotice(conversationId, 'in'));
    expect(queuePage.chunks.join('')).not.toContain(conversation.id);
    expect(curious.chunks.join('')).not.toContain(conversation.id);
    for (const stream of [queuePage, conversationPage, curious]) stream.close();
  });
  it('tells an agent only of the conversations and tickets of their own department', async () => {
    const zabitaQueue = await openStream(zabitaClient);
    const ayseQueue = await openStream(ayseClient);
    const supervisorQueue = await openStream(sefClient);
    // A case of the Çözüm Merkezi: waiting, written to, noted, answered, released.
    const { citizen, conversationId, ticketId } = await escalated();
    await citizen.say('Hâlâ bekliyorum');
    await ayseClient.post(`/console/api/tickets/${ticketId}/notes`, { text: 'Arandı' });
    await ayseClient.post(`/console/api/conversations/${conversationId}/reply`, { text: 'Merhaba, ilgileniyorum' });
    await ayseClient.post(`/console/api/conversations/${conversationId}/release`);
    await ayseQueue.waitFor(`{"kind":"conversation","conversationId":"${conversationId}"}`);
    await ayseQueue.waitFor(messageNotice(conversationId, 'in'));
    await ayseQueue.waitFor(`"ticketId":"${ticketId}"`);
    await supervisorQueue.waitFor(`"ticketId":"${ticketId}"`);
    // Then one of the Zabıta: notices go out in order, so the Zabıta's stream has by now been told
    // everything it was going to be told of the first case.
    const other = new Citizen(cozum);
    await other.say('merhaba');
    const otherConversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: other.userId } } });
    const zabitaCase = await cozum.handoff.escalate({ conversationId: otherConversation.id, contactId: otherConversation.contactId, reason: 'requested', department: 'Zabıta Müdürlüğü' });
    await zabitaQueue.waitFor(`"ticketId":"${zabitaCase.ticketId}"`);
    await zabitaQueue.waitFor(`{"kind":"conversation","conversationId":"${otherConversation.id}"}`);
    const heard = zabitaQueue.chunks.join('');
    expect(heard).not.toContain(conversationId);
    expect(heard).not.toContain(ticketId);
    // And the other way round.
    const later = await escalated();
    await ayseQueue.waitFor(`{"kind":"conversation","conversationId":"${later.conversationId}"}`);
    expect(ayseQueue.chunks.join('')).not.toContain(otherConversation.id);
    expect(ayseQueue.chunks.join('')).not.toContain(zabitaCase.ticketId);
    await supervisorQueue.waitFor(`"ticketId":"${zabitaCase.ticketId}"`);
    for (const stream of [zabitaQueue, ayseQueue, supervisorQueue]) stream.close();
  });
});

describe('the supervisor page', () => {
  it('counts, times, SLA breaches and satisfaction', async () => {
    const { citizen, conversationId, ticketId } = await escalated();
    await ayseClient.post(`/console/api/conversations/${conversationId}/reply`, { text: 'Merhaba, yardımcı olayım.' });
    await ayseClient.post(`/console/api/tickets/${ticketId}/status`, { status: 'resolved', note: 'Sorun giderildi' });
    expect((await citizenSees(conversationId)).at(-1)!.text).toContain('1 (çok kötü) ile 5 (çok iyi)');
    await citizen.say('4');
    // An open ticket past its due time is a breach.
    const late = await escalated();
    await cozum.db.ticket.update({ where: { id: late.ticketId }, data: { dueAt: new Date(Date.now() - 3_600_000) } });

    const stats = await sefClient.get('/console/api/stats?days=30');
    expect(stats.status).toBe(200);
    expect(stats.json.satisfaction).toMatchObject({ count: 1, average: 4 });
    expect((stats.json.satisfaction as { distribution: { key: string; count: number }[] }).distribution.find((d) => d.key === '4')!.count).toBe(1);
    expect((stats.json.firstResponse as { count: number }).count).toBeGreaterThanOrEqual(1);
    expect((stats.json.resolution as { count: number; average: number }).count).toBe(1);
    expect((stats.json.sla as { openOverdue: number }).openOverdue).toBeGreaterThanOrEqual(1);
    expect(stats.json.byStatus).toContainEqual({ key: 'resolved', label: 'Çözüldü', count: 1 });
    expect((stats.json.byChannel as { label: string }[])[0]!.label).toBe('Test kanalı');
    expect(stats.json.byDepartment).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Çözüm Merkezi' })]));
    expect(stats.json.byCategory).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Görevli istedi' })]));
    expect(stats.json.byNeighbourhood).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Erzene' })]));
  });

  it('lists messages that could not be delivered', async () => {
    const { conversationId } = await escalated();
    await cozum.db.message.create({ data: { conversationId, direction: 'out', author: 'agent', authorName: 'Ayşe Demir', text: 'Teslim edilemeyen yanıt', status: 'failed', attempts: 5, lastError: 'Telegram 403: bot was blocked by the user' } });
    const stats = await sefClient.get('/console/api/stats');
    expect(stats.json.failedMessages).toContainEqual(expect.objectContaining({ conversationId, preview: 'Teslim edilemeyen yanıt', attempts: 5, lastError: 'Telegram 403: bot was blocked by the user', channelName: 'Test kanalı' }));
    expect(stats.json.canRetry).toBe(true);

    // "Try again" puts it back in the outbox; only supervisors may, and only once it has failed.
    const failed = await cozum.db.message.findFirstOrThrow({ where: { conversationId, status: 'failed' } });
    expect((await ayseClient.post(`/console/api/messages/${failed.id}/retry`)).status).toBe(403);
    expect((await sefClient.post(`/console/api/messages/${failed.id}/retry`)).json).toEqual({ ok: true });
    expect((await cozum.db.message.findUniqueOrThrow({ where: { id: failed.id } })).status).not.toBe('failed');
    expect((await sefClient.post(`/console/api/messages/${failed.id}/retry`)).status).toBe(409);
    expect(((await sefClient.get('/console/api/stats')).json.failedMessages as { id: string }[]).map((m) => m.id)).not.toContain(failed.id);
  });

  it('exports one CSV row per ticket, semicolon-separated, UTF-8 with BOM, without T.C. numbers', async () => {
    const { citizen, conversationId, ticketId } = await escalated();
    await ayseClient.post(`/console/api/tickets/${ticketId}/status`, { status: 'resolved', note: '' });
    await citizen.say('5');
    await citizen.say('Kimlik numaram 10000000146, çok hızlıydınız; teşekkürler "ekip"');
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).ratingComment).toContain('10000000146');
    void conversationId;

    const csv = await sefClient.get('/console/api/export.csv?days=0');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="talepler-\d{4}-\d{2}-\d{2}\.csv"$/);
    const raw = Buffer.from(await (await fetch(`${cozum.url}/console/api/export.csv?days=0`, { headers: { Cookie: `cozum_console=${sefClient.token}` } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('Talep no;Tür;Kategori;Birim;Mahalle;Kanal;Durum;Atanan görevli;Oluşturulma;Son tarih (SLA);İlk yanıt;Çözüm;Kapanış;İlk yanıt süresi (dk);Çözüm süresi (dk);SLA aşıldı;Puan;Puan yorumu;Konum;Dosyalar');
    expect(lines.length - 1).toBe(await cozum.db.ticket.count());
    const number = (await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).number;
    const row = lines.find((l) => l.startsWith(`${number};`))!;
    expect(row).toContain(';Görevli görüşmesi;Görevli istedi;Çözüm Merkezi;;Test kanalı;Çözüldü;');
    expect(row).toContain(';Hayır;5;"Kimlik numaram ***********, çok hızlıydınız; teşekkürler ""ekip"""');
    expect(csv.text).not.toMatch(/(?<!\d)\d{11}(?!\d)/);
  });
});

describe('accounts', () => {
  it('lets an admin create an account that can log in, with Turkish reasons for refusals', async () => {
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    const short = await admin.post('/console/api/agents', { username: 'elif', displayName: 'Elif Şahin', role: 'agent', department: 'Çözüm Merkezi', password: 'kisa' });
    expect(short).toMatchObject({ status: 400, json: { error: 'Şifre en az 12 karakter olmalı.' } });
    // The passwords an auditor had accepted, for an admin account; then common or guessable ones of any length.
    for (const weak of ['1234567890', 'password12', '1111111111']) {
      const refused = await admin.post('/console/api/agents', { username: 'denetci', displayName: 'Denetçi Yönetici', role: 'admin', password: weak });
      expect(refused, weak).toMatchObject({ status: 400, json: { error: 'Şifre en az 12 karakter olmalı.' } });
    }
    for (const weak of ['123456789012', 'password1234', 'denetci12345', 'yesilova2026']) {
      const refused = await admin.post('/console/api/agents', { username: 'denetci', displayName: 'Denetçi Yönetici', role: 'admin', password: weak });
      expect(refused, weak).toMatchObject({ status: 400, json: { error: expect.stringContaining('Bu şifre kolay tahmin edilir') } });
    }
    expect(await cozum.db.agent.count({ where: { username: 'denetci' } })).toBe(0);
    const noDepartment = await admin.post('/console/api/agents', { username: 'elif', displayName: 'Elif Şahin', role: 'agent', password: 'uzun-bir-sifre' });
    expect(noDepartment.json.error).toBe('Görevlinin bir birimi olmalı.');
    const created = await admin.post('/console/api/agents', { username: 'Elif', displayName: 'Elif Şahin', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-bir-sifre' });
    expect(created.status).toBe(201);
    expect((await admin.post('/console/api/agents', { username: 'elif', displayName: 'Elif Ş.', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-bir-sifre' })).status).toBe(409);
    const elif = await ConsoleClient.loggedIn(cozum, 'elif', 'uzun-bir-sifre');
    expect((await elif.get('/console/api/me')).json.agent).toMatchObject({ username: 'elif', role: 'agent', department: 'Çözüm Merkezi' });
    const row = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'elif' } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(await cozum.db.agentSession.count({ where: { id: createHash('sha256').update(elif.token).digest('hex') } })).toBe(1);
  });

  it('lets an admin close the account of someone who left: sessions end, held chats go back to the queue', async () => {
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    await admin.post('/console/api/agents', { username: 'ayrilacak', displayName: 'Kemal Ayrılır', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-bir-sifre' });
    const leaving = await ConsoleClient.loggedIn(cozum, 'ayrilacak', 'uzun-bir-sifre');
    const { conversationId, ticketId } = await escalated();
    expect((await leaving.post(`/console/api/conversations/${conversationId}/claim`)).status).toBe(200);
    const account = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'ayrilacak' } });

    // Only an admin, never their own account, never the last admin.
    expect((await sefClient.post(`/console/api/agents/${account.id}/active`, { active: false })).status).toBe(403);
    const self = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'yonetici' } });
    expect(await admin.post(`/console/api/agents/${self.id}/active`, { active: false })).toMatchObject({ status: 409, json: { error: 'Kendi hesabınızı kapatamazsınız.' } });

    expect((await admin.post(`/console/api/agents/${account.id}/active`, { active: false })).status).toBe(200);
    expect((await leaving.get('/console/api/me')).status).toBe(401);
    expect((await ConsoleClient.for(cozum).login('ayrilacak', 'uzun-bir-sifre')).status).toBe(401);
    const conversation = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation).toMatchObject({ mode: 'waiting', agentId: null });
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).assignedAgentId).toBeNull();
    const told = await cozum.db.message.findFirstOrThrow({ where: { conversationId, author: 'system' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(told.text).toContain('başka bir görevlimize aktarılıyor');
    expect((await queueOf(ayseClient)).find((item) => item.conversationId === conversationId)).toMatchObject({ waiting: true });
    const accounts = (await admin.get('/console/api/agents')).json.agents as { username: string; active: boolean }[];
    expect(accounts.find((a) => a.username === 'ayrilacak')).toMatchObject({ active: false });

    // Opened again, it logs in (and a lock-out would be lifted).
    expect((await admin.post(`/console/api/agents/${account.id}/active`, { active: true })).status).toBe(200);
    expect((await ConsoleClient.for(cozum).login('ayrilacak', 'uzun-bir-sifre')).status).toBe(303);
  });

  it('lets an admin move someone to another department or role, and rename them; never change their own role', async () => {
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    await admin.post('/console/api/agents', { username: 'tasinan', displayName: 'Deniz Taşınır', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-bir-sifre' });
    const moving = await ConsoleClient.loggedIn(cozum, 'tasinan', 'uzun-bir-sifre');
    const account = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'tasinan' } });
    const update = (body: unknown, client = admin) => client.post(`/console/api/agents/${account.id}`, body);

    expect((await update({ displayName: 'Deniz', role: 'agent', department: 'Çözüm Merkezi' }, sefClient)).status).toBe(403);
    expect(await update({ displayName: 'Deniz Taşınır', role: 'agent' })).toMatchObject({ status: 400, json: { error: 'Görevlinin bir birimi olmalı.' } });
    expect(await update({ displayName: 'Deniz Taşınır', role: 'agent', department: 'Uydurma Müdürlüğü' })).toMatchObject({ status: 400, json: { error: 'Bu birim tanımlı değil.' } });
    expect(await update({ displayName: 'D', role: 'agent', department: 'Çözüm Merkezi' })).toMatchObject({ status: 400, json: { error: 'Ad soyad yazın.' } });
    expect((await update({ displayName: 'Deniz', role: 'kral', department: 'Çözüm Merkezi' })).status).toBe(400);
    expect((await admin.post('/console/api/agents/yok-boyle-biri', { displayName: 'Yok Biri', role: 'supervisor' })).status).toBe(404);

    expect((await update({ displayName: 'Deniz Taşınmış', role: 'supervisor' })).status).toBe(200);
    // Takes effect at the account's next request, without logging in again.
    expect((await moving.get('/console/api/me')).json.agent).toMatchObject({ displayName: 'Deniz Taşınmış', role: 'supervisor', department: null });
    expect((await moving.get('/console/api/agents')).status).toBe(200);

    const self = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'yonetici' } });
    expect(await admin.post(`/console/api/agents/${self.id}`, { displayName: 'Sistem Yöneticisi', role: 'agent', department: 'Çözüm Merkezi' })).toMatchObject({
      status: 409,
      json: { error: 'Kendi rolünüzü değiştiremezsiniz; bunu başka bir yönetici yapabilir.' },
    });
    expect((await admin.post(`/console/api/agents/${self.id}`, { displayName: 'Sistem Yöneticisi (BT)', role: 'admin' })).status).toBe(200);
    expect((await cozum.db.agent.findUniqueOrThrow({ where: { id: self.id } })).role).toBe('admin');
  });

  it('lets an admin give someone a temporary password: shown once, the old one and the sessions end, a lock-out lifts', async () => {
    const admin = await ConsoleClient.loggedIn(cozum, 'yonetici');
    await admin.post('/console/api/agents', { username: 'unutkan', displayName: 'Cem Unutkan', role: 'agent', department: 'Çözüm Merkezi', password: 'uzun-bir-sifre' });
    const forgetful = await ConsoleClient.loggedIn(cozum, 'unutkan', 'uzun-bir-sifre');
    for (let i = 0; i < 5; i++) await ConsoleClient.for(cozum).login('unutkan', `yanlis-${i}-sifre`);
    expect((await ConsoleClient.for(cozum).login('unutkan', 'uzun-bir-sifre')).status).toBe(429);
    const account = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'unutkan' } });

    expect((await sefClient.post(`/console/api/agents/${account.id}/password`)).status).toBe(403);
    const self = await cozum.db.agent.findUniqueOrThrow({ where: { username: 'yonetici' } });
    expect((await admin.post(`/console/api/agents/${self.id}/password`)).status).toBe(409);

    const reset = await admin.post(`/console/api/agents/${account.id}/password`);
    expect(reset.status).toBe(200);
    const temporary = String(reset.json.password);
    expect(temporary).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect((await forgetful.get('/console/api/me')).status).toBe(401);
    expect((await ConsoleClient.for(cozum).login('unutkan', 'uzun-bir-sifre')).status).toBe(401);
    const back = await ConsoleClient.loggedIn(cozum, 'unutkan', temporary);
    // With the temporary password nothing but choosing one's own works.
    expect((await back.get('/console/api/me')).json).toMatchObject({ mustChangePassword: true });
    expect(await back.get('/console/api/queue')).toMatchObject({ status: 403, json: { mustChangePassword: true, error: expect.stringContaining('geçici şifre') } });
    expect(await back.post(`/console/api/tickets/${(await escalated()).ticketId}/notes`, { text: 'not' })).toMatchObject({ status: 403, json: { mustChangePassword: true } });
    expect((await back.post('/console/api/me/password', { current: temporary, next: 'kendi-yeni-sifrem' })).status).toBe(200);
    expect((await back.get('/console/api/me')).json).toMatchObject({ mustChangePassword: false });
    expect((await back.get('/console/api/queue')).status).toBe(200);
    expect((await ConsoleClient.for(cozum).login('unutkan', 'kendi-yeni-sifrem')).status).toBe(303);
    // A second reset gives another password.
    expect((await admin.post(`/console/api/agents/${account.id}/password`)).json.password).not.toBe(temporary);
  });
});
