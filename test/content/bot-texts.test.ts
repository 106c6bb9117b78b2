// bot/texts.yaml and bot/menu.yaml: what the assistant itself says, edited by the municipality.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGE_OPTION, loadBotContent, STATUS_KEYS, TYPE_KEYS } from '../../src/content/bot-texts.ts';
import { TicketStatusSchema, TicketTypeSchema } from '../../src/tickets/status.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { loadConfig } from '../../src/config.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const municipality = loadConfig({ env: {}, file: null }).municipality;
const intentNames = loadIntents('intents', valuesOf(municipality)).map((intent) => intent.name);

describe('bot/ as shipped', () => {
  const { texts, menu, languages } = loadBotContent('bot', municipality, intentNames);

  it("writes a wait in each language's plural forms", () => {
    const waits = [1, 2, 5, 11].map((minutes) => minutes * 60);
    expect(waits.map((seconds) => languages.tr.texts.duration(seconds))).toEqual(['1 dakika', '2 dakika', '5 dakika', '11 dakika']);
    expect(waits.map((seconds) => languages.en.texts.duration(seconds))).toEqual(['1 minute', '2 minutes', '5 minutes', '11 minutes']);
    expect(waits.map((seconds) => languages.ar.texts.duration(seconds))).toEqual(['دقيقة واحدة', 'دقيقتين', '5 دقائق', '11 دقيقة']);
    expect([3600, 7200, 1, 30].map((seconds) => languages.en.texts.duration(seconds))).toEqual(['1 hour', '2 hours', '1 second', '30 seconds']);
    expect(languages.en.texts.flood(60)).toContain('please wait 1 minute and');
  });

  it('fills the municipality and the moment into the texts', () => {
    expect(texts.help).toContain(`Çağrı merkezimiz: ${municipality.phones.callCenter} (hafta içi 08.30–17.30).`);
    expect(texts.help).not.toContain('{{');
    expect(texts.queued({ ticketNumber: 'CZM-2026-000012', position: 3, alreadyQueued: false })).toBe(
      'Sizi bir görevlimize aktarıyorum. Talep numaranız: *CZM-2026-000012*. Sıranız: 3. Görevlimiz bu sohbetten size yazacak. Beklemek istemezseniz *menü* yazarak asistana dönebilirsiniz.',
    );
    const outOfHours = texts.queued({ ticketNumber: 'CZM-2026-000012', position: 1, backAt: { day: 'monday', time: '08:30' }, alreadyQueued: false });
    expect(outOfHours).toContain('(hafta içi 08.30–17.30)');
    expect(outOfHours).toContain('Pazartesi 08:30 itibarıyla');
    expect(outOfHours).toContain(municipality.phones.callCenter);
    expect(texts.queued({ ticketNumber: 'CZM-2026-000012', position: 2, alreadyQueued: true })).toBe('Talebiniz (*CZM-2026-000012*) zaten görevlilerimizin sırasında. Sıranız: 2.');
    expect(texts.erased(0)).toBe(`Kişisel verileriniz silindi. Ayrıntılı bilgi: ${municipality.links.kvkk}`);
    expect(texts.erased(2)).toBe(`Kişisel verileriniz silindi; 2 başvurunuz anonim hâle getirildi. Ayrıntılı bilgi: ${municipality.links.kvkk}`);
    expect(texts.tooLong(2000)).toContain('yalnızca ilk 2000 karakterini');
    for (const [key, value] of Object.entries(texts)) if (typeof value === 'string') expect(value, key).not.toMatch(/\{\{/);
  });

  it('names every ticket state and type the tickets module knows, as the citizen reads them', () => {
    expect([...STATUS_KEYS]).toEqual(TicketStatusSchema.options);
    expect([...TYPE_KEYS]).toEqual(TicketTypeSchema.options);
    expect(texts.statusName('in_progress')).toBe('İşlemde');
    expect(texts.typeName('aid')).toBe('Yardım başvurusu');
    expect(texts.problem({ text: 'tcLength', values: { count: 12 } })).toContain('numarada 12 rakam var');
    expect(texts.flood(120)).toContain('2 dakika');
  });

  it('keeps every button within WhatsApp\'s 20 characters for a reply button, in every language', () => {
    for (const [language, { texts: words }] of Object.entries(loadBotContent('bot', municipality, intentNames).languages)) {
      for (const [key, value] of Object.entries(words)) {
        if (key.endsWith('Button') && typeof value === 'string') expect(Array.from(value).length, `${language} ${key}: ${value}`).toBeLessThanOrEqual(20);
      }
    }
  });

  it('has a short menu, each option an intent that exists', () => {
    expect(menu.length).toBeGreaterThan(5);
    expect(menu.length).toBeLessThanOrEqual(20);
    for (const option of menu) expect([...intentNames, LANGUAGE_OPTION], option.label).toContain(option.intent);
    expect(menu[3]).toEqual({ label: 'Şikâyet / talep bildir', intent: 'complaint.create' });
  });
});

describe('bot/ edited badly', () => {
  /** A copy of bot/ and locales/ with one file replaced by `edit` of its text; the load's error message. */
  function problemsWith(file: string, edit: (text: string) => string): string {
    const root = tempDir().dir;
    cpSync('bot', path.join(root, 'bot'), { recursive: true });
    cpSync('locales', path.join(root, 'locales'), { recursive: true });
    const target = file.startsWith('locales/') ? file : path.join('bot', file);
    writeFileSync(path.join(root, target), edit(readFileSync(target, 'utf8')));
    try {
      loadBotContent(path.join(root, 'bot'), municipality, intentNames);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('loaded without complaint');
  }

  it('names the file, line and text of an unknown placeholder, and of one that belongs to another text', () => {
    const unknown = problemsWith('texts.yaml', (text) => text.replace('restarted: "Sohbeti baştan başlattım."', 'restarted: "Sohbeti {{bastan}} başlattım."'));
    expect(unknown).toMatch(/texts\.yaml:\d+: restarted: bilinmeyen yer tutucu: \{\{bastan\}\}/);
    const elsewhere = problemsWith('texts.yaml', (text) => text.replace('restarted: "Sohbeti baştan başlattım."', 'restarted: "Sohbeti baştan başlattım ({{ticketNumber}})."'));
    expect(elsewhere).toContain('restarted: bilinmeyen yer tutucu: {{ticketNumber}}');
  });

  it('names a missing or misspelt text', () => {
    const missing = problemsWith('texts.yaml', (text) => text.replace(/^cancelled:.*$/m, ''));
    expect(missing).toMatch(/texts\.yaml:\d+: cancelled: /);
    const misspelt = problemsWith('texts.yaml', (text) => text.replace(/^cancelled:/m, 'canceled:'));
    expect(misspelt).toContain('canceled');
  });

  it('names a text missing in a translation, an unknown placeholder in one, and a translated menu out of order', () => {
    const missing = problemsWith('locales/ar/bot/texts.yaml', (text) => text.replace(/^cancelled:.*$/m, ''));
    expect(missing).toMatch(/locales\/ar\/bot\/texts\.yaml:\d+: cancelled: /);
    const placeholder = problemsWith('locales/en/bot/texts.yaml', (text) => text.replace('restarted: "I started the conversation again."', 'restarted: "I started {{again}}."'));
    expect(placeholder).toMatch(/locales\/en\/bot\/texts\.yaml:\d+: restarted: bilinmeyen yer tutucu: \{\{again\}\}/);
    const order = problemsWith('locales/en/bot/menu.yaml', (text) => text.replace('intent: faq.funeral', 'intent: faq.xx').replace('intent: faq.marriage', 'intent: faq.funeral').replace('intent: faq.xx', 'intent: faq.marriage'));
    expect(order).toContain('locales/en/bot/menu.yaml: seçenekler bot/menu.yaml ile aynı niyetleri aynı sırada içermeli (en)');
  });

  it('names a file that is missing', () => {
    const dir = tempDir().dir;
    cpSync('bot', dir, { recursive: true });
    rmSync(path.join(dir, 'menu.yaml'));
    expect(() => loadBotContent(dir, municipality, intentNames)).toThrow(/menu\.yaml: dosya bulunamadı/);
  });

  it('names a menu option whose intent does not exist', () => {
    const message = problemsWith('menu.yaml', (text) => text.replace('intent: faq.marriage', 'intent: faq.nikah'));
    expect(message).toContain('menu.yaml: "Nikâh işlemleri": bilinmeyen niyet faq.nikah');
  });
});
