// The one text format of everything the assistant says (content files, agents' replies): a small
// subset that reads well even where nothing renders it, which is WhatsApp's own convention:
//   *bold*   _italic_   https:// links written out   line breaks   "• " list items
// (`**bold**`, which agents used to Markdown type, is read as bold too.) Each channel renders it as
// its platform shows text best; nothing else in the text is markup, so what a citizen or an agent
// typed is escaped wherever the platform would read it as markup.
import { splitText } from './split-text.ts';

export interface Span {
  kind: 'text' | 'bold' | 'italic' | 'link';
  text: string;
}

/** How a platform reads text. */
export type TextFormat =
  /** WhatsApp (Cloud API and Baileys): the neutral format is WhatsApp's own. */
  | 'whatsapp'
  /** Telegram with parse_mode HTML. */
  | 'telegram-html'
  /** Bot Framework channels with textFormat "markdown" (Web Chat, Teams): CommonMark, hard breaks. */
  | 'markdown'
  /** No formatting at all (SMS-like channels, logs of what was said, e-mail subjects). */
  | 'plain'
  /** A terminal: ANSI bold and italic. */
  | 'ansi';

// A marker opens after a start, space or punctuation and before a non-space; it closes after a
// non-space and before an end, space or punctuation: "5*3*2" and snake_case_names stay text.
export const EMPHASIS = /(?<![\p{L}\p{N}*_])(\*\*|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\p{L}\p{N}*_])/gu;
const LINK = /https?:\/\/[^\s<>"]*[^\s<>".,;:!?)'’”]/gu;

function textAndLinks(text: string, into: Span[]): void {
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match.index > last) into.push({ kind: 'text', text: text.slice(last, match.index) });
    into.push({ kind: 'link', text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) into.push({ kind: 'text', text: text.slice(last) });
}

/** One line of the neutral format as spans (emphasis does not cross lines). */
export function parseLine(line: string): Span[] {
  const spans: Span[] = [];
  let last = 0;
  for (const match of line.matchAll(EMPHASIS)) {
    // A link's underscores are not emphasis: a match that starts inside a link is skipped.
    const before = line.slice(0, match.index);
    if (/https?:\/\/\S*$/u.test(before)) continue;
    textAndLinks(line.slice(last, match.index), spans);
    spans.push({ kind: match[1] === '_' ? 'italic' : 'bold', text: match[2]! });
    last = match.index + match[0].length;
  }
  textAndLinks(line.slice(last), spans);
  return spans;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** CommonMark's punctuation that could start markup inside a line. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

/** What would start a block at the beginning of a line (a heading, a quote, a list, a rule). */
function escapeMarkdownLineStart(line: string): string {
  return line.replace(/^(\s*)([-+=>]|\d+[.)])(?=\s|$)/, (_, space: string, marker: string) => `${space}${marker.replace(/([-+=>.)])/, '\\$1')}`);
}

function renderSpans(spans: Span[], format: TextFormat): string {
  return spans
    .map((span) => {
      switch (format) {
        case 'whatsapp':
          return span.kind === 'bold' ? `*${span.text}*` : span.kind === 'italic' ? `_${span.text}_` : span.text;
        case 'telegram-html':
          return span.kind === 'bold' ? `<b>${escapeHtml(span.text)}</b>` : span.kind === 'italic' ? `<i>${escapeHtml(span.text)}</i>` : escapeHtml(span.text);
        case 'markdown':
          if (span.kind === 'link') return `[${escapeMarkdown(span.text)}](${span.text.replace(/[()]/g, encodeURIComponent)})`;
          return span.kind === 'bold' ? `**${escapeMarkdown(span.text)}**` : span.kind === 'italic' ? `_${escapeMarkdown(span.text)}_` : escapeMarkdown(span.text);
        case 'ansi':
          return span.kind === 'bold' ? `\u001b[1m${span.text}\u001b[22m` : span.kind === 'italic' ? `\u001b[3m${span.text}\u001b[23m` : span.text;
        case 'plain':
          return span.text;
      }
    })
    .join('');
}

/** The neutral text as `format` shows it. */
export function renderText(text: string, format: TextFormat): string {
  const lines = text.split('\n').map((line) => {
    const rendered = renderSpans(parseLine(line), format);
    return format === 'markdown' ? escapeMarkdownLineStart(rendered) : rendered;
  });
  if (format !== 'markdown') return lines.join('\n');
  // Markdown joins single line breaks into one paragraph: each becomes a hard break (two spaces),
  // an empty line stays a paragraph break.
  return lines.map((line, index) => (line !== '' && lines[index + 1] ? `${line}  ` : line)).join('\n');
}

/** A piece of a long text: the neutral source (for a plain fallback) and what the platform gets. */
export interface RenderedPiece {
  source: string;
  rendered: string;
}

/**
 * The text rendered in pieces that each fit `limit` characters once rendered (escaping and tags
 * make a text longer): cut between lines where possible, never inside a bold or italic span.
 */
export function renderPieces(text: string, format: TextFormat, limit: number): RenderedPiece[] {
  const out: RenderedPiece[] = [];
  const pending = splitText(text, limit);
  while (pending.length > 0) {
    const source = pending.shift()!;
    const rendered = renderText(source, format);
    if (rendered.length <= limit || source.length < 2) {
      out.push({ source, rendered });
      continue;
    }
    // Too long once rendered: cut the neutral piece shorter in proportion, and try again.
    const shorter = Math.max(1, Math.floor((source.length * limit) / rendered.length) - 1);
    pending.unshift(...splitText(source, Math.max(2, shorter)));
  }
  return out;
}
