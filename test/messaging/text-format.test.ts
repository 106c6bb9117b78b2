// The neutral text format and what each platform is given for it.
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EMPHASIS, parseLine, renderPieces, renderText } from '../../src/messaging/text-format.ts';

describe('the neutral format', () => {
  it('reads *bold*, _italic_, **bold** and links, and leaves arithmetic and snake_case alone', () => {
    expect(parseLine('Talep numaranız *CZM-2026-000001*.')).toEqual([
      { kind: 'text', text: 'Talep numaranız ' },
      { kind: 'bold', text: 'CZM-2026-000001' },
      { kind: 'text', text: '.' },
    ]);
    expect(parseLine('**iptal** ya da _geri_')).toEqual([
      { kind: 'bold', text: 'iptal' },
      { kind: 'text', text: ' ya da ' },
      { kind: 'italic', text: 'geri' },
    ]);
    expect(parseLine('5*3*2 = 30, dosya_adi_uzun')).toEqual([{ kind: 'text', text: '5*3*2 = 30, dosya_adi_uzun' }]);
    expect(parseLine('Bakınız https://e.bel.tr/su_kesinti_listesi.')).toEqual([
      { kind: 'text', text: 'Bakınız ' },
      { kind: 'link', text: 'https://e.bel.tr/su_kesinti_listesi' },
      { kind: 'text', text: '.' },
    ]);
    expect(parseLine('* yıldız ile başlayan satır *')).toEqual([{ kind: 'text', text: '* yıldız ile başlayan satır *' }]);
  });
});

const welcome = 'Merhaba! Size nasıl yardımcı olabilirim?\n• Yakın Kart\n• Su kesintisi\n\nKonu listesi için *menü*, vazgeçmek için *iptal* yazın.';

describe('each platform gets what it shows well', () => {
  it('WhatsApp: the neutral format as it is (it is WhatsApp’s own)', () => {
    expect(renderText(welcome, 'whatsapp')).toBe(welcome);
    expect(renderText('**kalın**', 'whatsapp')).toBe('*kalın*');
  });

  it('Telegram HTML: tags for emphasis, everything else escaped', () => {
    expect(renderText('*Önemli:* a < b & c > d', 'telegram-html')).toBe('<b>Önemli:</b> a &lt; b &amp; c &gt; d');
    expect(renderText('<script>*x*</script>', 'telegram-html')).toBe('&lt;script&gt;<b>x</b>&lt;/script&gt;');
  });

  it('Markdown (Bot Framework): bold as **, hard line breaks, lists and markup typed by people escaped', () => {
    const md = new MarkdownIt();
    const html = md.render(renderText(welcome, 'markdown'));
    expect(html).toContain('<strong>menü</strong>');
    expect(html).toContain('<strong>iptal</strong>');
    // Every line of the list shows on its own line.
    expect(html).toContain('Size nasıl yardımcı olabilirim?<br>\n• Yakın Kart<br>\n• Su kesintisi</p>');
    expect(html).not.toContain('<em>');

    // What an agent or citizen typed is text, not markup.
    expect(md.render(renderText('# başlık değil\n1. madde değil\n- liste değil\n[tıkla](javascript:alert(1)) <b>', 'markdown'))).toBe(
      '<p># başlık değil<br>\n1. madde değil<br>\n- liste değil<br>\n[tıkla](javascript:alert(1)) &lt;b&gt;</p>\n',
    );
    expect(md.render(renderText('Ayrıntılar: https://www.yesilova.bel.tr/su_kesintileri', 'markdown'))).toBe(
      '<p>Ayrıntılar: <a href="https://www.yesilova.bel.tr/su_kesintileri">https://www.yesilova.bel.tr/su_kesintileri</a></p>\n',
    );
  });

  it('plain and terminal', () => {
    expect(renderText('*menü* ya da _geri_', 'plain')).toBe('menü ya da geri');
    expect(renderText('*menü*', 'ansi')).toBe('\u001b[1mmenü\u001b[22m');
  });
});

describe('lengths are checked after rendering', () => {
  it('cuts a text into pieces that fit once escaped, between lines, never inside a bold span', () => {
    const line = '*A&B* <c> '.repeat(30).trim();
    const text = Array.from({ length: 40 }, () => line).join('\n');
    const pieces = renderPieces(text, 'telegram-html', 4096).map((piece) => piece.rendered);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4096);
      expect(piece.split('<b>').length).toBe(piece.split('</b>').length);
    }
    expect(pieces.join('\n')).toBe(renderText(text, 'telegram-html'));
  });
});

describe('the agent console reads the same format', () => {
  it('with the same emphasis pattern as the server', () => {
    const console = readFileSync('src/console/static/common.js', 'utf8');
    const pattern = /const EMPHASIS = \/(.+)\/gu;/.exec(console)![1];
    expect(pattern).toBe(EMPHASIS.source);
  });
});
