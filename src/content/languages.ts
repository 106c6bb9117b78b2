// The languages a citizen may write in. Turkish is the reference: its files (bot/, intents/,
// dialogs/) hold the data as well as the words; each other language translates the words in
// locales/<language>/, a tree shaped like the Turkish one, and start-up stops on a text missing there.
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { LANGUAGES, type Language } from '../nlu/language.ts';

export { LANGUAGES, type Language };
export const DEFAULT_LANGUAGE: Language = 'tr';

export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** Where a language's copy of a content folder lives: `bot` stays `bot` in Turkish, `locales/ar/bot` in Arabic. */
export function contentFolder(contentRoot: string, folder: string, language: Language): string {
  return language === DEFAULT_LANGUAGE ? path.join(contentRoot, folder) : path.join(contentRoot, 'locales', language, folder);
}

// The language of the turn being answered. A turn runs in one conversation, in one language, through
// the bot, its forms and the handoff it may start; each reads the language here rather than having
// it passed through every call. Outside a turn (an agent's action) it is Turkish unless set.
const turnLanguage = new AsyncLocalStorage<Language>();

export function inLanguage<T>(language: Language, run: () => T): T {
  return turnLanguage.run(language, run);
}

export function currentLanguage(): Language {
  return turnLanguage.getStore() ?? DEFAULT_LANGUAGE;
}
