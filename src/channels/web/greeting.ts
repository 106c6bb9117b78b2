// The web chat's first bubble, written into the page on the server: a citizen sees the assistant's
// greeting as soon as the page arrives, before the script has asked the server for anything.
// *Stars* become bold as chat.js shows them; everything else is escaped text.
import { escapeHtml } from '../../http/html.ts';

/** `*kalın*` as <strong>, the rest escaped: the server-side twin of chat.js's appendFormatted. */
export function formattedHtml(text: string): string {
  return text
    .split(/(\*[^*\n]+\*)/g)
    .map((part) => (/^\*[^*\n]+\*$/.test(part) ? `<strong>${escapeHtml(part.slice(1, -1))}</strong>` : escapeHtml(part)))
    .join('');
}

export function greetingHtml(text: string, choices: string[]): string {
  const buttons = choices.map((choice, index) => `<button type="button" data-choice="${escapeHtml(choice)}">${index + 1}. ${escapeHtml(choice)}</button>`).join('');
  return `<li class="msg msg--bot" data-from="bot" dir="auto" data-greeting>${formattedHtml(text)}${buttons && `<div class="choices">${buttons}</div>`}</li>`;
}
