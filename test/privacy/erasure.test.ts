// KVKK: "verilerimi sil" erases what identifies the citizen and keeps the figures; old closed
// tickets are anonymised by the retention setting.
import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/privacy/erasure.ts';
import { Citizen, useTestCozum } from '../support/cozum.ts';

const cozum = useTestCozum();

async function fileAidRequest(citizen: Citizen): Promise<void> {
  for (const text of ['gıda yardımı istiyorum', 'evet', '10000000146', 'Ayten Şen', '05321234567', 'Erzene', 'Erzene mah. 7. sokak no 9', '3', 'Eşim vefat etti, gelirim yok.', 'evet']) {
    await citizen.say(text);
  }
}

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

  it('keeps everything when the citizen says no', async () => {
    const citizen = new Citizen(cozum);
    await fileAidRequest(citizen);
    await citizen.say('bilgilerimi silin');
    expect(await citizen.sayAll('hayır')).toContain('Verileriniz silinmedi');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId } });
    expect(contact.anonymizedAt).toBeNull();
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

    expect(await applyRetention(cozum.db, 730, now)).toBe(1);
    const anonymised = await cozum.db.ticket.findUniqueOrThrow({ where: { id: old!.id }, include: { events: true } });
    expect(anonymised.data).not.toContain('10000000146');
    expect(JSON.stringify(anonymised.events)).not.toContain('Ayten');
    expect((await cozum.db.ticket.findUniqueOrThrow({ where: { id: recent!.id } })).data).toContain('10000000146');
    expect(await applyRetention(cozum.db, 730, now)).toBe(0);
    expect(await applyRetention(cozum.db, 0, now)).toBe(0);
  });
});
