// What the bot does with an emergency (bot/emergencies.yaml): first what to do now and the number
// to call, then an urgent record or a person. Kept out of bot.ts so the turn's routing stays short:
// bot.ts asks `detect` before anything else and hands the citizen's answer to the offer back here.
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { EmergencyContent } from '../content/emergencies.ts';
import { currentLanguage, LANGUAGES, type Language } from '../content/languages.ts';
import type { Vocabulary } from '../dialogs/vocabulary.ts';
import type { Handoff } from '../handoff/handoff.ts';
import { fold } from '../nlu/normalize.ts';
import { INBOUND_KEY, type InboundContext } from '../messaging/adapter.ts';
import type { LanguageGuess } from '../nlu/language.ts';
import { detectInTables, tablesFor, type Emergency, type EmergencyDetector } from './emergencies.ts';

/** Kept in the session between the answer and the citizen's choice. */
export interface EmergencyOffer {
  kind: string;
  /** The citizen's message, for the record. */
  text: string;
  /** The language the answer was given in, and the record's confirmation will be. */
  language?: Language;
}

export type EmergencyChoice = 'ticket' | 'person' | 'no';

const CHOICES: EmergencyChoice[] = ['ticket', 'person', 'no'];

export class EmergencyTurn {
  private readonly words: Map<string, EmergencyChoice>;
  /** Each language's cries of alarm, folded: "acil", "emergency", "النجدة". */
  private readonly alarms: Record<Language, Set<string>>;

  constructor(
    private readonly detectors: Record<Language, EmergencyDetector>,
    private readonly contents: Record<Language, EmergencyContent>,
    private readonly handoff: Handoff,
    private readonly vocabulary: Vocabulary,
  ) {
    this.alarms = Object.fromEntries(LANGUAGES.map((language) => [language, new Set(contents[language].alarm.words.map(fold))])) as Record<Language, Set<string>>;
    this.words = new Map();
    // Every language's words: a citizen may answer the offer in the language they think in.
    for (const language of LANGUAGES) {
      CHOICES.forEach((choice, index) => {
        const { label, words } = contents[language].offer[choice];
        for (const word of [String(index + 1), label, ...words]) this.words.set(fold(word), choice);
      });
    }
  }

  /** An emergency in the Turkish table or another the message may be written in (`tablesFor`). */
  detect(text: string, written?: LanguageGuess): Emergency | undefined {
    const found = detectInTables(this.detectors, text, tablesFor(currentLanguage(), written));
    if (!found) return undefined;
    const kind = this.contents[found.language].kinds.find((candidate) => candidate.id === found.kind.id) ?? found.kind;
    return { ...found, kind };
  }

  /**
   * A message that is only a cry of alarm, with no word of what happened ("acil!!", "help me"): the
   * emergency number and a question, in the turn's language when the cry is one of its words, else
   * in the cry's. True when it answered.
   */
  async answerAlarm(context: TurnContext, text: string): Promise<boolean> {
    const cry = fold(text);
    const language = [currentLanguage(), ...LANGUAGES].find((candidate) => this.alarms[candidate].has(cry));
    if (!language) return false;
    await context.sendActivity(this.contents[language].alarm.answer);
    return true;
  }

  private content(language: Language | undefined): EmergencyContent {
    return this.contents[language ?? currentLanguage()];
  }

  /**
   * Says what to do now. With the bot, then offers a record or a person and returns the offer to
   * remember; when a person already has (or is about to take) the conversation, their case is
   * marked urgent instead.
   */
  async answer(context: TurnContext, mode: string | undefined, emergency: Emergency, text: string): Promise<EmergencyOffer | undefined> {
    await context.sendActivity(emergency.kind.answer);
    if (mode && mode !== 'bot') {
      await this.handoff.markUrgent(context.activity.conversation.id, `${emergency.kind.title} (“${emergency.words}”)`);
      await context.sendActivity(this.content(emergency.language).texts.markedUrgent);
      return undefined;
    }
    const { offer } = this.content(emergency.language);
    await context.sendActivity(MessageFactory.suggestedActions(CHOICES.map((choice) => offer[choice].label), offer.prompt));
    return { kind: emergency.kind.id, text, language: emergency.language };
  }

  /**
   * The offered choice the text stands for ("1", "Acil kayıt aç", "bağlayın"), if it is one. A plain
   * yes or no is read with the one vocabulary every question uses: yes asks for the person, no declines.
   */
  choice(text: string): EmergencyChoice | undefined {
    const named = this.words.get(fold(text));
    if (named) return named;
    const meaning = this.vocabulary.meaning(text);
    return meaning === 'yes' ? 'person' : meaning === 'no' ? 'no' : undefined;
  }

  kind(offer: EmergencyOffer) {
    return this.content(offer.language).kinds.find((kind) => kind.id === offer.kind);
  }

  /** Opens the urgent record and tells the citizen its number, and the number to call again. */
  async fileTicket(context: TurnContext, offer: EmergencyOffer): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const kind = this.kind(offer);
    if (!inbound || !kind) return;
    const ticket = await this.handoff.reportEmergency({ conversationId: context.activity.conversation.id, contactId: inbound.contactId, kind, text: offer.text });
    await context.sendActivity(this.content(offer.language).texts.ticketFiled({ ticketNumber: ticket.number, number: kind.number }));
  }

  async declined(context: TurnContext, offer?: EmergencyOffer): Promise<void> {
    await context.sendActivity(this.content(offer?.language).texts.declined);
  }
}
