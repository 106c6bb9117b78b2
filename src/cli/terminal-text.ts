// What the terminal chat prints for a reply: the assistant's neutral format (messaging/text-format.ts)
// with the terminal's own bold and italics (ANSI) when a person watches a terminal that shows them,
// and plain words otherwise (a pipe, a file, NO_COLOR, TERM=dumb), never raw stars.
import { renderText } from '../messaging/text-format.ts';

export function terminalText(text: string, styled: boolean): string {
  return renderText(text, styled ? 'ansi' : 'plain');
}

/** Whether `stream` is a terminal that shows styles (tty.WriteStream.hasColors reads NO_COLOR, FORCE_COLOR and TERM). */
export function showsBold(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY && stream.hasColors?.());
}
