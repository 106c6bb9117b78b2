import { describe, expect, it } from 'vitest';
import { botFrameworkChoices, choiceLayout } from '../../src/messaging/choices.ts';

const MENU = ['Yakın Kart', 'Sosyal yardım', 'Cenaze', 'Nikah', 'Vergi', 'Su kesintisi', 'Ulaşım', 'İletişim', 'Şikâyet', 'Yardım başvurusu', 'Randevu', 'Başvurum ne durumda'];

describe('choices as each platform shows them', () => {
  it('buttons where every choice fits, a numbered list otherwise', () => {
    expect(choiceLayout(botFrameworkChoices('webchat'), ['Evet', 'Hayır'])).toBe('buttons');
    expect(choiceLayout(botFrameworkChoices('webchat'), MENU)).toBe('numbered');
    expect(choiceLayout(botFrameworkChoices('msteams'), ['Gönder', 'Düzelt'])).toBe('buttons');
    expect(choiceLayout(botFrameworkChoices('msteams'), MENU.slice(0, 4))).toBe('numbered');
    expect(choiceLayout(botFrameworkChoices('facebook'), ['Evet', 'Bu seçenek yirmi karakterden uzun'])).toBe('numbered');
    expect(choiceLayout(botFrameworkChoices('sms'), ['Evet', 'Hayır'])).toBe('numbered');
    expect(choiceLayout(botFrameworkChoices('webchat'), [])).toBe('numbered');
  });
});
