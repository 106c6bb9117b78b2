// Not ours, but whose: which other institution (bot/institutions.yaml) a message is about, if any.
// Pure; matched on the text as written, like emergencies (nlu/phrases.ts). The bot asks after
// emergencies and before guessing the municipality's own topics, so that "hastaneden randevu"
// is pointed to MHRS instead of starting the municipality's appointment form.
import type { Institution } from '../content/institutions.ts';
import { compilePhrase, phraseSpans, tokenize, type Phrase } from '../nlu/phrases.ts';

export class InstitutionFinder {
  private readonly institutions: { institution: Institution; phrases: Phrase[]; unless: Phrase[] }[];

  constructor(institutions: Institution[], commonWords: Iterable<string> = []) {
    const common = new Set(commonWords);
    this.institutions = institutions.map((institution) => ({
      institution,
      phrases: institution.phrases.map((source) => compilePhrase(source, common)),
      unless: institution.unless.map((source) => compilePhrase(source, common)),
    }));
  }

  find(text: string): Institution | undefined {
    const tokens = tokenize(text);
    for (const { institution, phrases, unless } of this.institutions) {
      for (const phrase of phrases) {
        if (phraseSpans(phrase, tokens).length === 0) continue;
        // Anywhere in the message: a pointer elsewhere must never take the municipality's own question.
        if (unless.some((other) => phraseSpans(other, tokens).length > 0)) break;
        return institution;
      }
    }
    return undefined;
  }
}
