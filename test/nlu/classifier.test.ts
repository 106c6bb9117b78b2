// The classifier on messages written for this test (not in intents/, not from the shared dev set),
// with and without Turkish letters, the way citizens type them.
import { beforeAll, describe, expect, it } from 'vitest';
import { IntentClassifier } from '../../src/nlu/classifier.ts';
import { Nlu } from '../../src/nlu/nlu.ts';
import { loadNlu } from '../../src/main.ts';
import { testConfig, tempDir } from '../support/cozum.ts';

const CASES: Record<string, string[]> = {
  greeting: ['Merhaba kolay gelsin', 'slm iyi aksamlar'],
  goodbye: ['Çok teşekkür ederim, sağ olun', 'tamamdir tesekkurler iyi gunler'],
  'faq.yakin_kart': ['Yakın Kart nedir, kimlere veriliyor?', 'yakin karta ne zaman para yuklenir'],
  'faq.social_aid': ['Sosyal yardım için hangi belgeler isteniyor?', 'sosyal yardim basvurusu ne kadar surede sonuclanir'],
  'faq.contact': ['Belediyenin telefon numarası nedir?', 'belediye kacta aciliyor'],
  'faq.funeral': ['Cenaze aracı için kimi aramalıyım?', 'babam vefat etti defin islemleri nasil yapilir'],
  'faq.marriage': ['Nikah başvurusu için hangi evraklar gerekli?', 'nikah salonu icin tarih almak istiyoruz ne yapmaliyiz'],
  'faq.tax_payment': ['Emlak vergisi borcumu nereden öğrenebilirim?', 'cevre temizlik vergisi taksitle odenir mi'],
  'faq.water_outage': ['Suyumuz kesik, ne zaman gelecek?', 'mahallede sular neden kesildi'],
  'faq.public_transport': ['Öğrenci kartı başvurusu nereden yapılır?', '65 yas ustu otobus karti nasil alinir'],
  'request.aid': ['Gıda yardımı almak istiyorum', 'cocugum icin bez yardimi istiyorum'],
  'complaint.create': ['Sokağımızdaki çukur aylardır kapatılmadı', 'sokak lambasi 3 gundur yanmiyor'],
  'ticket.status': ['Başvurum ne durumda?', 'sikayetime hala donus olmadi'],
  'handoff.agent': ['Bir yetkiliyle görüşmek istiyorum', 'beni bir insana baglayin lutfen'],
  'appointment.request': ['Başkanla görüşmek için randevu almak istiyorum', 'sosyal hizmetler icin randevu alabilir miyim'],
  none: ['Bana bir fıkra anlat', 'asdfgh', 'yarin hava yagmurlu olacak mi'],
};

let nlu: Nlu;
const temp = tempDir();
beforeAll(() => {
  nlu = loadNlu(testConfig(temp.dir)).nlu;
});

describe('intent classifier', () => {
  for (const [intent, messages] of Object.entries(CASES)) {
    it(`recognises ${intent}`, () => {
      for (const message of messages) expect(nlu.understand(message).intent, message).toBe(intent);
    });
  }

  it('is as sure of a message typed without Turkish letters as of the same message with them', () => {
    const pairs = [['Yakın Kart başvurusu nasıl yapılır', 'yakin kart basvurusu nasil yapilir'], ['Çöpler alınmadı', 'copler alinmadi']];
    for (const [turkish, plain] of pairs) {
      const a = nlu.understand(turkish!);
      const b = nlu.understand(plain!);
      expect(b.intent).toBe(a.intent);
      expect(Math.abs(a.confidence - b.confidence)).toBeLessThan(0.15);
    }
  });

  it('answers none for messages with nothing in them to understand', () => {
    expect(nlu.understand('🙏🙏').intent).toBe('none');
    expect(nlu.understand('qwxz vbnm').intent).toBe('none');
  });

  it('reads a long story and finds the request in it', () => {
    const story =
      'Merhaba, ben 70 yaşında emekliyim, eşim geçen yıl vefat etti, çocuklarım başka şehirde yaşıyor. ' +
      'Emekli maaşım kira ve faturalara yetmiyor, bu kış kömür alacak param kalmadı. Yakacak yardımı almak istiyorum.';
    expect(nlu.understand(story).intent).toBe('request.aid');
  });
});

describe('calibration', () => {
  it('is sure of clear requests and never maps unseen letters to a municipal intent', () => {
    expect(nlu.understand('cenaze aracı nasıl çağırırım').confidence).toBeGreaterThan(0.8);
    for (const gibberish of ['zzkq plmx', 'xyzzy', 'jjj kkk']) expect(nlu.understand(gibberish).intent).toBe('none');
  });

  it('fits a temperature on held-out folds and survives a save and load unchanged', () => {
    const examples = [
      ...['su yok', 'sular kesik', 'su ne zaman gelir', 'suyumuz yok', 'su kesintisi var'].map((text) => ({ text, intent: 'water' })),
      ...['merhaba', 'selam', 'iyi günler', 'günaydın', 'selamlar'].map((text) => ({ text, intent: 'hello' })),
    ];
    const model = IntentClassifier.train(examples, { epochs: 20 });
    expect(model.temperature).toBeGreaterThan(0);
    const restored = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    for (const text of ['su gelmiyor', 'merhabalar']) {
      expect(restored.predict(text).intent).toBe(model.predict(text).intent);
      expect(restored.predict(text).confidence).toBeCloseTo(model.predict(text).confidence, 3);
    }
    expect(model.predict('su gelmiyor').intent).toBe('water');
  });
});
