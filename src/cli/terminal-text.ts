// What the terminal chat prints for a reply: *bold* as WhatsApp and Telegram write it becomes the
// terminal's bold (ANSI) when a person watches a terminal that shows it, and plain words
// otherwise (a pipe, a file, NO_COLOR, TERM=dumb), never raw stars.
const BOLD = /\*([^*\n]+)\*/g;

export function terminalText(text: string, bold: boolean): string {
  return text.replace(BOLD, (_match, inner: string) => (bold ? `\u001b[1m${inner}\u001b[22m` : inner));
}

/** Whether `stream` is a terminal that shows styles (tty.WriteStream.hasColors reads NO_COLOR, FORCE_COLOR and TERM). */
export function showsBold(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY && stream.hasColors?.());
}
