// Not ours, but whose: another institution's work gets a short pointer to it (bot/institutions.yaml),
// never the municipality's own topics, and a hospital appointment never starts our appointment form.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstitutionFinder } from '../../src/bot/institutions.ts';
import { loadConfig } from '../../src/config.ts';
import { loadInstitutions } from '../../src/content/institutions.ts';
import { loadIntents } from '../../src/content/intents.ts';
import { asciiWordsOf } from '../../src/nlu/phrases.ts';
import { Citizen, tempDir, useTestCozum, valuesOf } from '../support/cozum.ts';

const municipality = loadConfig({ env: {}, file: null }).municipality;
const intents = loadIntents('intents', valuesOf(municipality));
const finder = new InstitutionFinder(loadInstitutions('bot', valuesOf(municipality)), asciiWordsOf(intents.flatMap((intent) => intent.examples)));
const whose = (text: string) => finder.find(text)?.id;

describe('which institution a question is about', () => {
  it('never points elsewhere an example of the municipality\'s own intents', () => {
    const redirected = intents
      .filter((intent) => intent.name !== 'none')
      .flatMap((intent) => intent.examples.map((text) => ({ intent: intent.name, text, to: whose(text) })))
      .filter((row) => row.to !== undefined);
    expect(redirected).toEqual([]);
  });

  it.each([
    ['hastaneden randevu almak istiyorum', 'mhrs'],
    ['devlet hastanesi kardiyoloji randevusu', 'mhrs'],
    ['doktora randevu lazım annem için', 'mhrs'],
    ['MHRS açılmıyor', 'mhrs'],
    ['e-devlet şifremi unuttum', 'edevlet'],
    ['edevlet sifresi nasil alinir', 'edevlet'],
    ['pasaport başvurusu nasıl yapılır', 'nufus'],
    ['kimlik kartımı kaybettim ne yapmalıyım', 'nufus'],
    ['ehliyet yenileme randevusu', 'nufus'],
    ['noterden vekalet çıkarmak istiyorum', 'noter'],
    ['SGK emekli maaşım ne zaman yatar', 'sgk'],
    ['işsizlik maaşı başvurusu', 'sgk'],
    ['gelir vergisi nereye ödenir', 'vergi_dairesi'],
    ['kira gelirimi nasıl beyan ederim', 'vergi_dairesi'],
    ['tapu randevusu almak istiyorum', 'tapu'],
    ['boşanma davası açmak istiyorum', 'adliye'],
    ['en yakın karakol nerede', 'police'],
    ['elektrik kesintisi ne zaman biter', 'utilities'],
    ['doğalgaz faturası çok geldi', 'utilities'],
    ['e-okul şifresi', 'meb'],
  ])('"%s" → %s', (text, id) => {
    expect(whose(text)).toBe(id);
  });

  it.each([
    'emlak vergisi nereye ödenir',
    'belediye başkanından randevu almak istiyorum',
    'sosyal yardım için SGK kaydı olmaması mı gerekiyor',
    'elektrik faturasını ödeyemiyorum yardım istiyorum',
    'evlenme ehliyet belgesi nereden alınır',
    'çevre temizlik vergisi ne kadar',
  ])('"%s" stays with the municipality', (text) => {
    expect(whose(text)).toBeUndefined();
  });

  it('names the file and line of a bad phrase', () => {
    const temp = tempDir();
    try {
      cpSync('bot', temp.dir, { recursive: true });
      const file = path.join(temp.dir, 'institutions.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"noter*"', '"No*"'));
      expect(() => loadInstitutions(temp.dir, valuesOf(municipality))).toThrow(/institutions\.yaml:\d+: institutions\.\d+\.phrases\.0: "No\*": yalnızca küçük harf/);
    } finally {
      temp.remove();
    }
  });
});

describe('a citizen asking about another institution', () => {
  const cozum = useTestCozum();

  it('gets MHRS and 182 for a hospital appointment, not the municipality\'s appointment form', async () => {
    const citizen = new Citizen(cozum);
    const reply = await citizen.sayAll('hastaneden randevu almak istiyorum');
    expect(reply).toContain('*MHRS*');
    expect(reply).toContain('*182*');
    expect(reply).toContain('Belediyemizle ilgili bir konuda yardım için *menü* yazabilirsiniz.');
    expect(reply).not.toContain('Randevu talebinizi alacağım');
    // The next message is read afresh: the municipality's own appointment starts its form.
    expect(await citizen.sayAll('belediye başkanından randevu almak istiyorum')).toContain('Randevu talebinizi alacağım');
  });

  it('gets the tax office for income tax, and the municipality\'s own answer for property tax', async () => {
    expect(await new Citizen(cozum).sayAll('gelir vergisi nereye ödenir')).toContain('*189* Vergi İletişim Merkezi');
    const own = await new Citizen(cozum).sayAll('emlak vergisi nereye ödenir');
    expect(own).not.toContain('189');
    expect(own).toContain('ebelediye.yesilova.bel.tr');
  });

  it('gets a pointer for a notary, e-Devlet or an electricity cut instead of "anlayamadım"', async () => {
    for (const [text, expected] of [['noter nerede', 'tnb.org.tr'], ['e-devlet şifremi unuttum', 'PTT'], ['elektrikler kesildi ne zaman gelir', '*186*']] as const) {
      const reply = await new Citizen(cozum).sayAll(text);
      expect(reply, text).toContain(expected);
      expect(reply, text).not.toContain('anlayamadım');
    }
  });
});
