// KVKK: "verilerimi sil" erases what identifies the citizen and keeps the figures, in every mode of
// the conversation (also while an agent holds it); ticket summaries never carry the citizen's own
// words; old closed tickets and long-silent citizens are anonymised by the retention setting.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { inboundFromUpdate } from '../../src/channels/telegram/index.ts';
import { loadDialogs } from '../../src/dialogs/load.ts';
import { applyRetention } from '../../src/privacy/erasure.ts';
import { applyMigrations, listMigrations, MIGRATIONS_DIR } from '../../src/storage/migrate.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { Citizen, tempDir, useTestCozum, valuesOf } from '../support/cozum.ts';

const cozum = useTestCozum({ http: true });

async function fileAidRequest(citizen: Citizen): Promise<void> {
  for (const text of ['gıda yardımı istiyorum', 'evet', '10000000146', 'Ayten Şen', '05321234567', 'Erzene', 'Erzene mah. 7. sokak no 9', '3', 'Eşim vefat etti, gelirim yok.', 'evet']) {
    await citizen.say(text);
  }
}

async function conversationOf(citizen: Citizen) {
  return cozum.db.conversation.findFirstOrThrow({ where: { contact: { channel: citizen.channel, platformUserId: citizen.userId } } });
}

let agent: ConsoleClient;
beforeAll(async () => {
  await createAgent(cozum.db, 'selin', 'Selin Kaya', 'agent', 'Çözüm Merkezi');
  agent = await ConsoleClient.loggedIn(cozum, 'selin');
});

describe('verilerimi sil', () => {
  it('asks for confirmation, then erases personal data and keeps the ticket\'s figures', async () => {
    const citizen = new Citizen(cozum);
    await fileAidRequest(citizen);
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    const ask = await citizen.sayAll('Verilerimi sil');
    expect(ask).toContain('kalıcı olarak silinecek');
    expect(ask).toMatch(/^1\. Evet$/m);
    expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi; 1 başvurunuz anonim hâle getirildi');

    const after = await cozum.db.contact.findUniqueOrThrow({ where: { id: contact.id } });
    expect(after).toMatchObject({ displayName: null, phone: null });
    expect(after.platformUserId).not.toBe(citizen.userId);
    expect(after.anonymizedAt).toBeInstanceOf(Date);
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contactId: contact.id } });
    expect(ticket).toMatchObject({ type: 'aid', category: 'food', department: 'Sosyal Yardım İşleri Müdürlüğü', neighbourhood: 'Erzene Mahallesi' });
    const everything = JSON.stringify(await cozum.db.message.findMany({ where: { conversation: { contactId: contact.id } } })) + ticket.data + ticket.summary;
    for (const personal of ['10000000146', 'Ayten', '905321234567', '7. sokak', 'vefat']) expect(everything).not.toContain(personal);
    expect(JSON.parse(ticket.data)).toMatchObject({ _anonymized: true, aidType: 'food', household: 3 });

    // Writing again starts afresh, as a new contact.
    expect(await citizen.sayAll('merhaba')).toContain('Yeşilova Belediyesi');
    expect(await cozum.db.contact.count({ where: { platformUserId: citizen.userId } })).toBe(1);
  });

  it('deletes the conversation\'s state, where a dialog not yet submitted keeps its answers, and writes none back', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['gıda yardımı istiyorum', 'evet', '10000000146', 'Ayten Şen']) await citizen.say(text);
    const conversation = await conversationOf(citizen);
    const stateOf = () => cozum.db.stateEntry.findMany({ where: { key: { contains: `/conversations/${conversation.id}/` } } });
    expect(JSON.stringify(await stateOf())).toContain('10000000146');
    await citizen.say('verilerimi sil');
    expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi');
    expect(await stateOf()).toEqual([]);
  });

  it('keeps everything when the citizen says no', async () => {
    const citizen = new Citizen(cozum);
    await fileAidRequest(citizen);
    await citizen.say('bilgilerimi silin');
    expect(await citizen.sayAll('hayır')).toContain('Verileriniz silinmedi');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    expect(contact.anonymizedAt).toBeNull();
  });

  it('leaves no platform id behind: Telegram message ids name the chat, so they go too', async () => {
    const chatId = 730_000_001;
    let messageId = 0;
    // The real Telegram channel's reading of an update, handed to the adapter as the channel does.
    const say = async (text: string) => {
      const update = { update_id: ++messageId, message: { message_id: messageId, date: 0, chat: { id: chatId, type: 'private', first_name: 'Ayten' }, from: { id: chatId, is_bot: false, first_name: 'Ayten', last_name: 'Şen' }, text } };
      const result = await cozum.adapter.receive(inboundFromUpdate(update as never)!);
      return result.replies.map((reply) => reply.text).join('\n');
    };
    await say('merhaba');
    await say('verilerimi sil');
    expect(await say('evet')).toContain('Kişisel verileriniz silindi');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { channel: 'telegram', anonymizedAt: { not: null } } });
    const messages = await cozum.db.message.findMany({ where: { conversation: { contactId: contact.id } } });
    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(messages.map((m) => m.platformMessageId).filter((id) => id !== null)).toEqual([]);
    expect(JSON.stringify(messages)).not.toContain(String(chatId));
  });

  it('works while the citizen waits for an agent: the question and the answer come, the handoff ends, the agent sees why', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    expect(await citizen.sayAll('temsilci')).toContain('Talep numaranız');
    const conversation = await conversationOf(citizen);
    expect(conversation.mode).toBe('waiting');
    const handoffTicketId = conversation.handoffTicketId!;

    const ask = await citizen.sayAll('verilerimi sil');
    expect(ask).toContain('kalıcı olarak silinecek');
    expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi');

    const after = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(after).toMatchObject({ mode: 'erased', agentId: null, handoffTicketId: null });
    const ticket = await cozum.db.ticket.findUniqueOrThrow({ where: { id: handoffTicketId }, include: { events: true } });
    expect(ticket.status).toBe('closed');
    expect(ticket.events.map((e) => e.kind)).toContain('erasure');
    // Off the agents' queue.
    const queue = await agent.get('/console/api/queue?scope=all');
    expect((queue.json.items as { ticketId: string }[]).map((i) => i.ticketId)).not.toContain(handoffTicketId);
    // The conversation in the console says what happened.
    const view = await agent.get(`/console/api/conversations/${conversation.id}`);
    expect(view.status).toBe(200);
    expect(view.json.citizen).toMatchObject({ erased: 'request' });
    expect((view.json.ticket as { events: { kind: string }[] }).events.map((e) => e.kind)).toContain('erasure');
  });

  it('works while an agent holds the conversation: the agent sees the request, and can no longer write to the citizen', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    expect((await agent.post(`/console/api/conversations/${conversation.id}/claim`)).status).toBe(200);
    expect((await agent.post(`/console/api/conversations/${conversation.id}/reply`, { text: 'Merhaba, size nasıl yardımcı olabilirim?' })).status).toBe(200);
    expect((await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).mode).toBe('agent');

    expect(await citizen.sayAll('verilerimi sil')).toContain('kalıcı olarak silinecek');
    // The question is in the conversation the agent has open.
    const asked = await agent.get(`/console/api/conversations/${conversation.id}`);
    expect((asked.json.messages as { text: string }[]).map((m) => m.text).join('\n')).toContain('kalıcı olarak silinecek');

    expect(await citizen.sayAll('evet')).toContain('Kişisel verileriniz silindi');
    const after = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(after).toMatchObject({ mode: 'erased', agentId: null, handoffTicketId: null });
    const view = await agent.get(`/console/api/conversations/${conversation.id}`);
    expect(view.json.citizen).toMatchObject({ erased: 'request' });
    // Everything before the erasure is gone; after it, only the assistant's answer to it.
    const texts = (view.json.messages as { text: string }[]).map((m) => m.text);
    expect(texts.filter((text) => text !== '[silindi]')).toEqual([expect.stringContaining('Kişisel verileriniz silindi')]);
    expect(texts.filter((text) => text === '[silindi]').length).toBeGreaterThanOrEqual(6);
    const reply = await agent.post(`/console/api/conversations/${conversation.id}/reply`, { text: 'Hâlâ orada mısınız?' });
    expect(reply.status).toBe(409);
    expect(String(reply.json.error)).toContain('silinmesini istedi');
  });

  it('keeps the agent on the line when the citizen says no', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    await citizen.say('temsilci');
    const conversation = await conversationOf(citizen);
    await agent.post(`/console/api/conversations/${conversation.id}/claim`);
    await citizen.say('verilerimi sil');
    expect(await citizen.sayAll('hayır')).toContain('Verileriniz silinmedi');
    expect((await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).mode).toBe('agent');
    // The next message is the agent's to answer again: the bot says nothing.
    expect(await citizen.say('kaldırım kırık')).toEqual([]);
  });
});

describe('ticket summaries', () => {
  it('of a handoff name the reason, never what the citizen wrote', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('merhaba');
    // An emergency first gets what to do now; the person it then asks for gets a handoff ticket.
    expect(await citizen.sayAll('acil, evime su bastı, numaram 0532 123 45 67, TC 10000000146')).toContain('su arıza hattını arayın');
    expect(await citizen.sayAll('Görevliye bağla')).toContain('Talep numaranız');
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId }, type: 'handoff' } });
    expect(ticket.summary).toMatch(/^Acil durum: /);
    for (const words of ['0532', '10000000146', 'su bastı', 'evime']) expect(ticket.summary).not.toContain(words);
  });

  it('of an appointment name whom the citizen wants to see, not the subject they wrote', async () => {
    const citizen = new Citizen(cozum);
    for (const text of ['randevu almak istiyorum', 'Belediye Başkanı', 'Komşum Ayten Şen ile imar sorunu', 'salı öğleden sonra', 'evet', 'Ayten Şen', '05321234567']) await citizen.say(text);
    expect(await citizen.sayAll('evet')).toContain('Randevu talebiniz alındı');
    const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId }, type: 'appointment' } });
    expect(ticket.summary).toBe('Belediye Başkanı');
  });

  it('may only name answers picked from a list, counted or matched to a neighbourhood: a free-text slot is refused at start-up', () => {
    const temp = tempDir();
    try {
      const dir = path.join(temp.dir, 'dialogs');
      cpSync(path.resolve('dialogs'), dir, { recursive: true });
      const file = path.join(dir, 'complaint.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('summary: "{{category}} · {{neighbourhood}}"', 'summary: "{{category}} · {{description}}"'));
      expect(() => loadDialogs(dir, valuesOf(cozum.config.municipality))).toThrow(/complaint\.yaml.*\{\{description\}\}/s);
    } finally {
      temp.remove();
    }
  });
  it('written before that rule are cut to their structured part when the database is migrated', () => {
    const temp = tempDir();
    try {
      const migrations = path.join(temp.dir, 'migrations');
      const all = listMigrations().map((m) => m.name);
      const rule = all.indexOf('20261202120000_structured_summaries');
      expect(rule).toBeGreaterThan(0);
      for (const name of all.slice(0, rule)) cpSync(path.join(MIGRATIONS_DIR, name), path.join(migrations, name), { recursive: true });
      const file = path.join(temp.dir, 'old.db');
      applyMigrations(file, migrations);
      const sqlite = new BetterSqlite3(file);
      try {
        sqlite.prepare(`INSERT INTO "Contact" ("id", "channel", "platformUserId", "updatedAt") VALUES ('c1', 'test', 'u1', 0)`).run();
        const insert = sqlite.prepare(`INSERT INTO "Ticket" ("id", "number", "contactId", "type", "department", "summary", "dueAt", "updatedAt") VALUES (?, ?, 'c1', ?, 'Çözüm Merkezi', ?, 0, 0)`);
        insert.run('t1', 'YSL-2026-000001', 'handoff', 'Acil anahtar kelime: acil · acil evime su bastı 0532 123 45 67');
        insert.run('t2', 'YSL-2026-000002', 'appointment', 'Belediye Başkanı · Komşum Ayten Şen ile imar sorunu');
        insert.run('t3', 'YSL-2026-000003', 'complaint', 'Çöp toplama · Erzene Mahallesi');
        insert.run('t4', 'YSL-2026-000004', 'handoff', 'Vatandaş bir görevliyle görüşmek istedi');
        for (const name of all.slice(rule)) cpSync(path.join(MIGRATIONS_DIR, name), path.join(migrations, name), { recursive: true });
        applyMigrations(file, migrations);
        const summaries = sqlite.prepare(`SELECT "summary" FROM "Ticket" ORDER BY "id"`).all() as { summary: string }[];
        expect(summaries.map((row) => row.summary)).toEqual(['Acil anahtar kelime: acil', 'Belediye Başkanı', 'Çöp toplama · Erzene Mahallesi', 'Vatandaş bir görevliyle görüşmek istedi']);
      } finally {
        sqlite.close();
      }
    } finally {
      temp.remove();
    }
  });
});

describe('retention', () => {
  it('anonymises tickets closed longer ago than the setting, and only those', async () => {
    const citizen = new Citizen(cozum);
    await fileAidRequest(citizen);
    await fileAidRequest(citizen);
    const [old, recent] = await cozum.db.ticket.findMany({ where: { contact: { platformUserId: citizen.userId } }, orderBy: { createdAt: 'asc' } });
    await cozum.tickets.changeStatus(old!.id, 'closed', 'test', 'Yardım teslim edildi, Ayten Hanım bilgilendirildi');
    await cozum.tickets.changeStatus(recent!.id, 'closed', 'test');
    const now = new Date();
    await cozum.db.ticket.update({ where: { id: old!.id }, data: { updatedAt: new Date(now.getTime() - 800 * 86_400_000) } });

    expect(await applyRetention(cozum.db, 730, now)).toMatchObject({ tickets: 1 });
    const anonymised = await cozum.db.ticket.findUniqueOrThrow({ where: { id: old!.id }, include: { events: true } });
    expect(anonymised.data).not.toContain('10000000146');
    expect(JSON.stringify(anonymised.events)).not.toContain('Ayten');
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: recent!.id } })).data).toContain('10000000146');
    expect(await applyRetention(cozum.db, 730, now)).toMatchObject({ tickets: 0 });
    expect(await applyRetention(cozum.db, 0, now)).toMatchObject({ tickets: 0, contacts: 0 });
  });

  it('erases a citizen silent for longer than the setting, with nothing open, as "verilerimi sil" would', async () => {
    const silent = new Citizen(cozum);
    await fileAidRequest(silent);
    const active = new Citizen(cozum);
    await fileAidRequest(active);
    const now = new Date();
    const longAgo = new Date(now.getTime() - 800 * 86_400_000);
    for (const citizen of [silent, active]) {
      const ticket = await cozum.db.ticket.findFirstOrThrow({ where: { contact: { platformUserId: citizen.userId } } });
      await cozum.tickets.changeStatus(ticket.id, 'resolved', 'test');
    }
    const silentContact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: silent.userId } });
    await cozum.db.conversation.updateMany({ where: { contactId: silentContact.id }, data: { lastMessageAt: longAgo } });
    await cozum.db.contact.update({ where: { id: silentContact.id }, data: { createdAt: longAgo } });

    const result = await applyRetention(cozum.db, 730, now);
    expect(result.contacts).toBe(1);
    const erased = await cozum.db.contact.findUniqueOrThrow({ where: { id: silentContact.id } });
    expect(erased.anonymizedAt).toBeInstanceOf(Date);
    expect(erased.platformUserId).not.toBe(silent.userId);
    const messages = await cozum.db.message.findMany({ where: { conversation: { contactId: silentContact.id } } });
    expect(messages.every((m) => m.text === '[silindi]')).toBe(true);
    const activeContact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: active.userId } });
    expect(activeContact.anonymizedAt).toBeNull();
    expect((await cozum.db.ticket.findFirstOrThrow({ where: { contactId: activeContact.id } })).data).toContain('10000000146');
  });
});
