// Whole conversations through the in-process channel, asserting what the citizen reads.
import { describe, expect, it } from 'vitest';
import { Citizen, startTestCozum, tempDir, useTestCozum } from '../support/cozum.ts';

const cozum = useTestCozum();

describe('a citizen talking to the bot', () => {
  it('is greeted with the municipality name and the numbered menu', async () => {
    const reply = await new Citizen(cozum).sayAll('Merhaba');
    expect(reply).toContain('Yeşilova Belediyesi');
    expect(reply).toMatch(/^1\. Yakın Kart$/m);
    expect(reply).toMatch(/^4\. Şikâyet \/ talep bildir$/m);
  });

  it('gets a FAQ answer with the municipality\'s own numbers filled in', async () => {
    const reply = await new Citizen(cozum).sayAll('cenaze aracı nasıl çağırırım');
    expect(reply).toContain('0 (232) 000 01 88');
    expect(reply).not.toContain('{{');
  });

  it('understands the question typed without Turkish letters', async () => {
    const withLetters = await new Citizen(cozum).sayAll('Emlak vergisi borcumu nasıl öğrenirim?');
    const without = await new Citizen(cozum).sayAll('emlak vergisi borcumu nasil ogrenirim');
    expect(without).toBe(withLetters);
    expect(without).toContain('ebelediye.yesilova.bel.tr');
  });

  it('opens a menu topic by its number', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('menü');
    const reply = await citizen.sayAll('12');
    expect(reply).toContain('444 0 153');
    expect(reply).toContain('Cumhuriyet Meydanı');
  });

  it('opens a menu topic by its words, with or without Turkish letters', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('MENU');
    expect(await citizen.sayAll('cenaze hizmetleri')).toContain('0 (232) 000 01 88');
  });

  it('says it did not understand, shows the menu, and offers a person after two misses in a row', async () => {
    const citizen = new Citizen(cozum);
    const first = await citizen.sayAll('bana bir fıkra anlat');
    expect(first).toContain('anlayamadım');
    expect(first).toMatch(/^1\. Yakın Kart$/m);
    const second = await citizen.sayAll('asdfgh');
    expect(second).toContain('Sizi bir görevlimize bağlamamı ister misiniz?');
    expect(second).toMatch(/^1\. Evet, bağla$/m);
  });

  it('counts misses only in a row: an understood message in between resets them', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('asdfgh');
    await citizen.say('nikah başvurusu için ne gerekli');
    expect(await citizen.sayAll('qwerty')).toContain('anlayamadım');
  });

  it('answers the global commands at any time', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('yardım')).toContain('*iptal*');
    expect(await citizen.sayAll('İPTAL')).toContain('iptal edilecek bir işleminiz yok');
    const restart = await citizen.sayAll('başa dön');
    expect(restart).toContain('baştan başlattım');
    expect(restart).toMatch(/^1\. Yakın Kart$/m);
    expect(await citizen.sayAll('temsilci')).toContain('Sizi bir görevlimize aktarıyorum');
  });

  it('answers bad input clearly: only emoji, empty, a photo without text, a 10,000-character message', async () => {
    const citizen = new Citizen(cozum);
    expect(await citizen.sayAll('🙏😊👍')).toContain('okuyabildiğim bir yazı bulamadım');
    expect(await citizen.sayAll('   ')).toContain('Boş bir mesaj');
    expect(await citizen.sayAll('', { media: [{ kind: 'image', mimeType: 'image/jpeg' }] })).toContain('yazılı bir mesaj bekliyorum');
    const long = `Merhaba, su kesintisi hakkında bilgi almak istiyorum. ${'Mahallemizde sular sık sık kesiliyor. '.repeat(300)}`;
    expect(long.length).toBeGreaterThan(10_000);
    const reply = await citizen.sayAll(long);
    expect(reply).toContain('yalnızca ilk 2000 karakterini');
    expect(reply).toContain('185');
  });

  it('stores every message in and out, with the intent and confidence of what came in', async () => {
    const citizen = new Citizen(cozum);
    await citizen.say('nikah başvurusu için ne gerekli');
    const contact = await cozum.db.contact.findFirstOrThrow({ where: { platformUserId: citizen.userId }, include: { conversations: { include: { messages: { orderBy: { createdAt: 'asc' } } } } } });
    const messages = contact.conversations[0]!.messages;
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(messages[0]).toMatchObject({ text: 'nikah başvurusu için ne gerekli', intent: 'faq.marriage', status: 'processed' });
    expect(messages[0]!.confidence).toBeGreaterThan(0.5);
    expect(messages[1]).toMatchObject({ author: 'bot', status: 'sent' });
    expect(messages[1]!.text).toContain('Nikâh'.slice(0, 3));
  });

  it('records what each message was understood as when many turns are stored together', async () => {
    const said = [
      ['nikah başvurusu için ne gerekli', 'faq.marriage'],
      ['menü', null],
      ['cenaze aracı nasıl çağırırım', 'faq.funeral'],
      ['menü', null],
      ['su kesintisi ne zaman biter', 'faq.water_outage'],
    ] as const;
    const citizens = said.map(() => new Citizen(cozum));
    await Promise.all(citizens.map((citizen, i) => citizen.say(said[i]![0])));
    for (const [i, citizen] of citizens.entries()) {
      const inbound = await cozum.db.message.findFirstOrThrow({ where: { direction: 'in', conversation: { contact: { platformUserId: citizen.userId } } } });
      expect(inbound).toMatchObject({ text: said[i]![0], status: 'processed', intent: said[i]![1] });
      if (said[i]![1]) expect(inbound.confidence).toBeGreaterThan(0.5);
      else expect(inbound.confidence).toBeNull();
    }
  });

  it('processes a second delivery of the same platform message once', async () => {
    const first = await cozum.adapter.receive({ channel: 'test', userId: 'tekrar', text: 'merhaba', platformMessageId: 'p-1' });
    const again = await cozum.adapter.receive({ channel: 'test', userId: 'tekrar', text: 'merhaba', platformMessageId: 'p-1' });
    expect(first.replies.length).toBeGreaterThan(0);
    expect(again).toMatchObject({ duplicate: true, replies: [] });
    expect(await cozum.db.message.count({ where: { conversationId: first.conversationId, direction: 'in' } })).toBe(1);
  });

  it('answers the messages of one chat in the order they arrived, even when sent at once', async () => {
    const texts = ['menü', '12', 'menü', '10', 'menü', '8'];
    await Promise.all(texts.map((text, i) => cozum.adapter.receive({ channel: 'test', userId: 'sirali', text, platformMessageId: `s-${i}` })));
    const conversation = await cozum.db.conversation.findFirstOrThrow({ where: { contact: { platformUserId: 'sirali' } } });
    const rows = await cozum.db.message.findMany({ where: { conversationId: conversation.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(rows.filter((r) => r.direction === 'in').map((r) => r.text)).toEqual(texts);
    const answers = rows.filter((r) => r.direction === 'out' && !r.text.startsWith('Size nasıl'));
    expect(answers[0]!.text).toContain('444 0 153'); // 12: contact
    expect(answers[1]!.text).toContain('0 (232) 000 01 88'); // 10: funeral
    expect(answers[2]!.text).toContain('185'); // 8: water
  });
});

describe('after a restart on the same database', () => {
  it('the conversation continues where it was: the menu the citizen saw still answers to its numbers', async () => {
    const dir = tempDir();
    try {
      const before = await startTestCozum(dir.dir);
      const citizen = new Citizen(before, 'yeniden');
      await citizen.say('menü');
      await citizen.say('bana şiir yaz');
      await before.close();

      const after = await startTestCozum(dir.dir);
      const same = new Citizen(after, 'yeniden');
      // The miss before the restart still counts: a second miss now offers a person.
      expect(await same.sayAll('zxcvb')).toContain('görevlimize bağlamamı ister misiniz');
      await same.say('menü');
      await after.close();
      const again = await startTestCozum(dir.dir);
      expect(await new Citizen(again, 'yeniden').sayAll('10')).toContain('0 (232) 000 01 88');
      expect(await again.db.message.count({ where: { direction: 'in', conversation: { contact: { platformUserId: 'yeniden' } } } })).toBe(5);
      await again.close();
    } finally {
      dir.remove();
    }
  });
});
