import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/nlu/features.ts';
import { asciiFold, fold, hasNoWords, lowerTr, standardSpelling, words } from '../../src/nlu/normalize.ts';

describe('Turkish normalisation', () => {
  it('lower-cases the Turkish way: İ → i and I → ı', () => {
    expect(lowerTr('İSTANBUL IŞIK İĞDIR')).toBe('istanbul ışık iğdır');
    expect(lowerTr('KIRIK')).toBe('kırık');
  });

  it('folds Turkish letters so that text typed without them meets text typed with them', () => {
    expect(fold('Yakın Kart başvurusu')).toBe(fold('yakin kart basvurusu'));
    expect(fold('ÇÖPLER ALINMADI')).toBe('copler alinmadi');
    expect(asciiFold('çğıöşü')).toBe('cgiosu');
  });

  it('drops punctuation and emoji, joins apostrophe suffixes, collapses stretched letters', () => {
    expect(fold('Merhabaaaa!!! 😊🙏')).toBe('merhaba');
    expect(fold("Bornova'da  su   yok...")).toBe('bornovada su yok');
    expect(fold('çoook acil')).toBe('cok acil');
  });

  it('keeps digits, which carry ticket and street numbers', () => {
    expect(words('112. sokak, No:5')).toEqual(['112', 'sokak', 'no', '5']);
  });

  it('recognises messages with no letters or digits at all', () => {
    expect(hasNoWords('🙏🙏🙏 !!!')).toBe(true);
    expect(hasNoWords('   ')).toBe(true);
    expect(hasNoWords('su 😊')).toBe(false);
  });
});

describe('classifier features', () => {
  it('stem the text with its Turkish letters and fold the stem', () => {
    const features = extractFeatures('başvurusu belediyeden');
    expect(features.has('s:basvurus')).toBe(true);
    expect(features.has('s:belediye')).toBe(true);
  });

  it('share most character n-grams between a word and its typo', () => {
    const correct = [...extractFeatures('basvuru').keys()].filter((k) => k.startsWith('c:'));
    const typo = new Set([...extractFeatures('basvru').keys()].filter((k) => k.startsWith('c:')));
    const shared = correct.filter((k) => typo.has(k)).length;
    expect(shared / correct.length).toBeGreaterThan(0.3);
  });

  it('weigh a long message no more than a short one (unit length)', () => {
    for (const text of ['su', 'sokağımızdaki çukur aylardır kapatılmadı, arabamın lastiği patladı'.repeat(20)]) {
      const norm = Math.sqrt([...extractFeatures(text).values()].reduce((sum, v) => sum + v * v, 0));
      expect(norm).toBeCloseTo(1, 6);
    }
  });
});

describe('spoken spellings', () => {
  it('gives the written form of words typed as spoken', () => {
    const cases: Record<string, string> = {
      basliyo: 'basliyor', gelmiyo: 'gelmiyor', istiyom: 'istiyorum', uyuyamiyoz: 'uyuyamiyoruz', yapiyolar: 'yapiyorlar',
      bakiyonuz: 'bakiyorsunuz', yanmio: 'yanmiyor', gelcek: 'gelecek', alcam: 'alacagim', gelcez: 'gelecegiz',
      bi: 'bir', napcam: 'ne yapacagim', nerde: 'nerede', tmm: 'tamam',
    };
    for (const [spoken, written] of Object.entries(cases)) expect(standardSpelling(spoken), spoken).toBe(written);
  });

  it('leaves written words alone, and words that only look spoken', () => {
    for (const word of ['basliyor', 'radyo', 'mayo', 'ancak', 'gercek', 'cam', 'kocaman', 'yapacak', 'bir']) expect(standardSpelling(word), word).toBeUndefined();
  });

  it('gives a spoken message the written words\' features, besides its own', () => {
    const spoken = extractFeatures('insaat sabah 6 da basliyo bebegim uyuyamiyo');
    for (const feature of ['w:basliyor', 'w:uyuyamiyor', 'w:basliyo', 'w:uyuyamiyo', 'c:yor ']) expect(spoken.has(feature), feature).toBe(true);
  });
});
