// The languages a citizen may write in. Turkish is the reference: its files (bot/, intents/,
// dialogs/) hold the data as well as the words; each other language translates the words in
// locales/<language>/, a tree shaped like the Turkish one, and start-up stops on a text missing there.
import path from 'node:path';

export const LANGUAGES = ['tr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'tr';

export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** Where a language's copy of a content folder lives: `bot` stays `bot` in Turkish, `locales/ar/bot` in Arabic. */
export function contentFolder(contentRoot: string, folder: string, language: Language): string {
  return language === DEFAULT_LANGUAGE ? path.join(contentRoot, folder) : path.join(contentRoot, 'locales', language, folder);
}
