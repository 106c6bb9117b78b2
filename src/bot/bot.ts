// The conversation logic every channel shares. One turn, in order:
//   an emergency (whatever the conversation is doing) → global commands → a conversation held by a
//   person → the answer to an emergency's offer → an open dialog → input checks (empty, only symbols,
//   media, length) → a rating or an offer the bot is waiting on → a numbered choice → another
//   institution's work (a pointer to it) → NLU → the intent's route.
// Every offer the bot makes (a FAQ answer's follow-up, a person after two misses, a report after
// a question, a request noted during a form) is a set of buttons remembered in the session, and
// each button leads somewhere: a form started with what is already known, a person, or a polite
// close. Yes and no are read with the one vocabulary (bot/vocabulary.yaml) the forms use too.
import { LRUCache } from 'lru-cache';
import { ActivityHandler, ConversationState, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogContext, type DialogState } from 'botbuilder-dialogs';
import type { Config } from '../config.ts';
import { LANGUAGE_OPTION, type BotContent, type MenuOption, type Texts } from '../content/bot-texts.ts';
import { currentLanguage, inLanguage, LANGUAGES, type Language } from '../content/languages.ts';
import type { LanguageDetector, LanguageGuess } from '../nlu/language.ts';
import { chooseLanguage, languageAfterEmergency, languageAskedFor } from './language-choice.ts';
import { answersByIntent, type Intent } from '../content/intents.ts';
import type { DialogOutcome, FormOptions } from '../dialogs/form-dialog.ts';
import { isStory } from '../dialogs/prefill.ts';
import type { Meaning, Vocabulary } from '../dialogs/vocabulary.ts';
import type { Handoff, HandoffReason } from '../handoff/handoff.ts';
import type { ConversationStore } from '../messaging/conversation-store.ts';
import type { Nlu, Understanding } from '../nlu/nlu.ts';
import type { Database } from '../storage/database.ts';
import { fold, westernDigits } from '../nlu/normalize.ts';
import { INBOUND_KEY, type InboundContext } from '../messaging/adapter.ts';
import { globalCommand, type GlobalCommand } from './commands.ts';
import type { EmergencyOffer, EmergencyTurn } from './emergency-turn.ts';
import type { InstitutionFinder } from './institutions.ts';

/** The turn-state key under which DialogStateManager (botbuilder-dialogs) keeps its configuration. */
export const DIALOG_STATE_CONFIGURATION = 'DialogStateManagerConfiguration';

/** One button of an offer: the intent it starts (with what is known), or none to decline. */
interface OfferOption {
  label: string;
  intent?: string;
  /** Slots the started form begins with. */
  slots?: Record<string, string>;
  /** The text the form is started with (pre-fills it). */
  text?: string;
  /** The FAQ whose answer offered the form. */
  fromFaq?: string;
  /** Why the conversation goes to a person, when the option is one. */
  reason?: HandoffReason;
  /** "evet" picks the option meaning yes, "hayır" the one meaning no. */
  meaning?: Meaning;
}

interface Offer {
  options: OfferOption[];
  /** When it was made (ms): a rating asked for after it is answered first. */
  at: number;
  /** What is said when the citizen declines. */
  declined: 'offerDeclined' | 'personDeclined';
  /** A reply that is no button starts the first option's form as its first answer (an address). */
  takesAnswer?: boolean;
  /** The FAQ whose answer made the offer: asking it again is no reason to drop the offer. */
  faq?: string;
}

/** What the bot remembers between turns of one conversation (stored with botbuilder's state). */
export interface Session {
  /** Misunderstood messages in a row. */
  misses: number;
  /** Intents behind the numbered options last shown, so that "3" means the third. */
  choices?: { label: string; intent: string }[];
  /** Buttons the bot offered with its last answer, waiting for a pick. */
  offer?: Offer;
  /** A rating was given; the next message may be a comment on this ticket. */
  commentFor?: string;
  /** The citizen asked for their data to be erased; the bot waits for their confirmation. */
  eraseAsked?: boolean;
  /** An emergency was answered; the bot offered an urgent record or a person. */
  emergencyOffer?: EmergencyOffer;
  /**
   * A story the bot did not understand. When the citizen rephrases and a form starts, the story,
   * not the rephrase, is the description. Forgotten after a few turns.
   */
  story?: { text: string; turns: number };
  /** The language the citizen writes in (also kept on the contact, for their next conversation). */
  language?: Language;
  /** The languages were listed (the menu's language option): a digit picks one. */
  languagesOffered?: boolean;
}

export type { DialogOutcome };

/** A story not used within this many turns is forgotten. */
const STORY_TURNS = 3;

export interface BotDependencies {
  config: Config;
  nlu: Nlu;
  intents: Intent[];
  conversationState: ConversationState;
  store: ConversationStore;
  handoff: Handoff;
  db: Database;
  /**
   * Structured dialogs (dialogs/*.yaml), by the intent that starts each. `reportsProblems`: the
   * form files a problem, so a question that only asks about the topic does not start it unasked.
   */
  dialogs: { intent: string; dialog: Dialog; reportsProblems?: boolean }[];
  /** What the bot itself says and its main menu, in each language (bot/*.yaml, locales/<language>/bot/). */
  languages: BotContent['languages'];
  /** The intents with their answers, in each language. */
  intentsByLanguage: Record<Language, Intent[]>;
  /** Which language a message is written in. */
  detector: LanguageDetector;
  emergencies: EmergencyTurn;
  /** Other institutions' work (bot/institutions.yaml). */
  institutions: InstitutionFinder;
  vocabulary: Vocabulary;
}

export class CozumBot extends ActivityHandler {
  private readonly session: StatePropertyAccessor<Session>;
  private readonly answersByLanguage: Record<Language, Map<string, string>>;
  private readonly dialogSet: DialogSet;
  private dialogStateConfiguration: unknown;
  private readonly dialogByIntent: Map<string, string>;
  private readonly reportIntents: Set<string>;
  private readonly intentsByName: Record<Language, Map<string, Intent>>;
  private readonly vocabulary: Vocabulary;

  constructor(private readonly deps: BotDependencies) {
    super();
    this.session = deps.conversationState.createProperty<Session>('session');
    this.dialogSet = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    for (const { dialog } of deps.dialogs) this.dialogSet.add(dialog);
    this.dialogByIntent = new Map(deps.dialogs.map(({ intent, dialog }) => [intent, dialog.id]));
    this.reportIntents = new Set(deps.dialogs.filter((d) => d.reportsProblems).map((d) => d.intent));
    this.intentsByName = Object.fromEntries(LANGUAGES.map((l) => [l, new Map(deps.intentsByLanguage[l].map((intent) => [intent.name, intent]))])) as Record<Language, Map<string, Intent>>;
    this.vocabulary = deps.vocabulary;
    this.answersByLanguage = Object.fromEntries(LANGUAGES.map((l) => [l, answersByIntent(deps.intentsByLanguage[l])])) as Record<Language, Map<string, string>>;
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  /** What the bot says in the language of the turn. */
  private get say(): Texts {
    return this.deps.languages[currentLanguage()].texts;
  }

  private get menu(): MenuOption[] {
    return this.deps.languages[currentLanguage()].menu;
  }

  private get answers(): Map<string, string> {
    return this.answersByLanguage[currentLanguage()];
  }

  private get intentByName(): Map<string, Intent> {
    return this.intentsByName[currentLanguage()];
  }

  /** Runs a turn and saves the conversation's state, also when the turn failed half-way. */
  override async run(context: TurnContext): Promise<void> {
    try {
      await super.run(context);
    } finally {
      await this.deps.conversationState.saveChanges(context);
    }
  }

  /**
   * botbuilder-dialogs builds its memory-scope configuration anew for every DialogContext (a
   * service collection, a dozen scope objects, a failing zod parse): a few percent of a turn. The
   * scopes hold no state of their own, so the first turn's configuration serves every later turn,
   * handed over where DialogStateManager looks for it.
   */
  private async dialogContext(context: TurnContext): Promise<DialogContext> {
    if (this.dialogStateConfiguration) context.turnState.set(DIALOG_STATE_CONFIGURATION, this.dialogStateConfiguration);
    const dc = await this.dialogSet.createContext(context);
    this.dialogStateConfiguration ??= context.turnState.get(DIALOG_STATE_CONFIGURATION);
    return dc;
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const conversationId = context.activity.conversation.id;
    // The mode is read fresh every turn (an agent may have claimed or released the chat since the
    // last one), at the same moment as the state, so that both reads share one batch.
    const [mode, session] = await Promise.all([this.deps.store.mode(conversationId), this.session.get(context, { misses: 0 })]);
    const dc = await this.dialogContext(context);
    const raw = (context.activity.text ?? '').trim();
    const remembered = session.language ?? (inbound ? await this.rememberedLanguage(inbound.contactId) : undefined);
    const offered = session.languagesOffered;
    session.languagesOffered = undefined;
    const number = offered ? /^\s*(\d)\s*[.)]?\s*$/.exec(westernDigits(raw)) : null;
    const asked = (raw ? languageAskedFor(raw) : undefined) ?? (number ? LANGUAGES[Number(number[1]) - 1] : undefined);
    const guess = raw ? this.deps.detector.detect(raw) : undefined;
    const language = asked ?? chooseLanguage(remembered, guess, raw, dc.activeDialog !== undefined);
    if (language !== remembered && inbound) await this.deps.db.contact.update({ where: { id: inbound.contactId }, data: { language } });
    session.language = language;
    return inLanguage(language, () => this.handleMessageIn(context, inbound, mode, session, dc, raw, asked !== undefined, guess));
  }

  /** The contact's language from an earlier conversation. */
  private async rememberedLanguage(contactId: string): Promise<Language | undefined> {
    const contact = await this.deps.db.contact.findUnique({ where: { id: contactId }, select: { language: true } });
    return LANGUAGES.find((language) => language === contact?.language);
  }

  private async handleMessageIn(
    context: TurnContext,
    inbound: InboundContext | undefined,
    mode: Awaited<ReturnType<ConversationStore['mode']>>,
    session: Session,
    dc: DialogContext,
    raw: string,
    languageAsked: boolean,
    /** The language the message looks written in, whichever the turn answers in. */
    written: LanguageGuess | undefined,
  ): Promise<void> {
    const conversationId = context.activity.conversation.id;
    const command = raw ? globalCommand(raw) : undefined;

    // Stored just before the citizen's erasure and erased with it: nobody answers an erased conversation.
    if (mode === 'erased') return;
    // Safety first: what to do now, before a command, an open form or a wait for an agent.
    const emergency = raw ? this.deps.emergencies.detect(raw, written) : undefined;
    if (emergency) {
      // An urgent sentence in another language than the conversation's: the citizen goes on in it.
      const language = languageAfterEmergency(currentLanguage(), emergency.language ?? currentLanguage(), raw);
      if (language !== currentLanguage()) {
        if (inbound) await this.deps.db.contact.update({ where: { id: inbound.contactId }, data: { language } });
        session.language = language;
      }
      return inLanguage(language, async () => void (session.emergencyOffer = await this.deps.emergencies.answer(context, mode, emergency, raw)));
    }
    // Only "acil!!": the number now and a question; an open form asks its question again after.
    if ((!mode || mode === 'bot') && raw && (await this.deps.emergencies.answerAlarm(context, raw))) {
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }

    if (mode && mode !== 'bot') {
      // KVKK: the right to erasure holds whoever answers the citizen now.
      if (command === 'erase') return this.askErase(context, session);
      if (session.eraseAsked) return this.answerErase(context, session, raw);
      if (command === 'menu' || command === 'cancel' || command === 'restart') {
        await this.deps.handoff.citizenLeft(conversationId);
        await context.sendActivity(this.say.backToBot);
        return this.runCommand(dc, session, command === 'cancel' ? 'menu' : command);
      }
      // The message is the agent's to answer. One the agent leaves unanswered for a few minutes
      // gets a short acknowledgement (Handoff.acknowledgeUnanswered), not an instant echo.
      return;
    }

    const offer = session.emergencyOffer;
    session.emergencyOffer = undefined;
    if (offer && !command && (await this.answerEmergencyOffer(dc, session, offer, raw))) return;
    if (command) return this.runCommand(dc, session, command);
    if (languageAsked) {
      // "English", "العربية", "Türkçe": an open form goes on in the new language.
      if (dc.activeDialog) {
        await context.sendActivity(this.say.languageSwitched);
        return dc.repromptDialog();
      }
      return this.showMenu(context, session, `${this.say.languageSwitched}\n\n${this.say.menuPrompt}`);
    }
    if (session.story && ++session.story.turns > STORY_TURNS) session.story = undefined;
    // An open dialog reads everything else itself: photos, pins and answers to its questions.
    if (dc.activeDialog) return this.afterDialog(dc, await dc.continueDialog());

    if (raw === '') {
      if (inbound?.message.location) return void (await context.sendActivity(this.say.locationWithoutContext));
      const media = inbound?.message.media ?? [];
      // A voice note reached the centre: agents listen to it; the citizen hears so in one sentence.
      if (media.length > 0 && media.every((item) => item.kind === 'audio')) return void (await context.sendActivity(this.say.voiceReceived));
      if (media.length > 0) return void (await context.sendActivity(this.say.mediaWithoutText));
      return void (await context.sendActivity(this.say.empty));
    }
    if (fold(raw) === '') return void (await context.sendActivity(this.say.onlySymbols));

    const limit = this.deps.config.bot.maxMessageLength;
    const text = raw.length > limit ? raw.slice(0, limit) : raw;
    if (raw.length > limit) await context.sendActivity(this.say.tooLong(limit));

    if (await this.answerPending(dc, session, text)) return;

    // Digits answer the options last shown, or the main menu when none are pending.
    const chosen = pickChoice(text, session.choices ?? this.menu);
    session.choices = undefined;
    // Not ours, but whose: before guessing among our own topics ("hastane randevusu" is MHRS's).
    const elsewhere = chosen ? undefined : this.deps.institutions.find(text);
    if (elsewhere) {
      session.misses = 0;
      return void (await context.sendActivity(elsewhere.answer));
    }
    const understanding: Understanding = chosen ? { intent: chosen, confidence: 1, guess: chosen } : this.deps.nlu.understand(text, currentLanguage());
    if (inbound) await this.deps.store.annotate(inbound.messageId, { intent: understanding.intent, confidence: understanding.confidence });
    await this.route(dc, session, understanding, chosen ? undefined : text);
  }

  /** A rating, a comment on it, a confirmation of erasure, or a pick among the buttons last offered. */
  private async answerPending(dc: DialogContext, session: Session, text: string): Promise<boolean> {
    const context = dc.context;
    const folded = fold(text);
    if (session.eraseAsked) {
      await this.answerErase(context, session, text);
      return true;
    }
    if (session.commentFor) {
      const ticketId = session.commentFor;
      session.commentFor = undefined;
      if (this.vocabulary.isSkip(text)) return void (await context.sendActivity(this.say.thanksForRating)), true;
      // A comment is free text; a new request is not a comment.
      if (this.deps.nlu.understand(text, currentLanguage()).intent === 'none' || text.split(/\s+/).length >= 3) {
        await this.deps.handoff.comment(ticketId, text);
        await context.sendActivity(this.say.thanksForComment);
        return true;
      }
    }
    const rating = /^\s*([1-5])\s*(puan|yildiz|\/\s*5)?\s*$/.exec(folded);
    if (rating) {
      const ticket = await this.deps.handoff.pendingRating(context.activity.conversation.id);
      // A digit answers the bot's latest question: an offer made after the rating request wins.
      if (ticket && !(session.offer && session.offer.at > (ticket.resolvedAt?.getTime() ?? 0))) {
        session.offer = undefined;
        await this.deps.handoff.rate(ticket.id, Number(rating[1]));
        session.commentFor = ticket.id;
        session.choices = undefined;
        await context.sendActivity(MessageFactory.suggestedActions([this.say.skipCommentButton], this.say.askComment));
        return true;
      }
    }
    return this.answerOffer(dc, session, text);
  }

  /** A pick among the buttons of the last offer: by number, by label, or yes / no. */
  private async answerOffer(dc: DialogContext, session: Session, text: string): Promise<boolean> {
    const offer = session.offer;
    if (!offer) return false;
    session.offer = undefined;
    const folded = fold(text);
    const number = /^(\d{1,2})$/.exec(folded);
    const meaning = number ? undefined : this.vocabulary.meaning(text);
    const picked = number
      ? offer.options[Number(number[1]) - 1]
      : (offer.options.find((option) => fold(option.label) === folded) ?? offer.options.find((option) => meaning !== undefined && option.meaning === meaning));
    if (picked?.intent) {
      if (picked.intent === 'handoff.agent') await this.escalate(dc, session, picked.reason ?? 'requested');
      else await this.startIntent(dc, session, picked.intent, { slots: picked.slots, text: picked.text, fromFaq: picked.fromFaq });
      return true;
    }
    if (picked) {
      if (offer.declined === 'personDeclined') await this.showMenu(dc.context, session, this.say.personDeclined);
      else await dc.context.sendActivity(this.say.offerDeclined);
      return true;
    }
    const first = offer.options[0];
    if (offer.takesAnswer && first?.intent && !number) {
      // An address typed straight after "adresinizi yazın": the form starts with it, unless the
      // message plainly asks for something else.
      const { intent } = this.deps.nlu.understand(text, currentLanguage());
      const onTopic = intent === offer.faq || intent === first.intent || intent === 'none';
      if (intent === offer.faq || (onTopic && this.vocabulary.namesPlace(text))) {
        await this.startIntent(dc, session, first.intent, { slots: first.slots, text: first.text, fromFaq: first.fromFaq, answer: text });
        return true;
      }
    }
    return false;
  }

  private yesNoButtons() {
    return [
      { label: this.say.yesButton, meaning: 'yes' as const },
      { label: this.say.noButton, meaning: 'no' as const },
    ];
  }

  /** Shows `text` with the offer's buttons and remembers the offer for the next message. */
  private async offer(context: TurnContext, session: Session, text: string, offer: Omit<Offer, 'at'>): Promise<void> {
    session.offer = { ...offer, at: Date.now() };
    session.choices = undefined;
    await context.sendActivity(MessageFactory.suggestedActions(offer.options.map((option) => option.label), text));
  }

  private async askErase(context: TurnContext, session: Session): Promise<void> {
    session.eraseAsked = true;
    await context.sendActivity(MessageFactory.suggestedActions(this.yesNoButtons().map((b) => b.label), this.say.confirmErase));
  }

  /** The answer to "verilerimi sil"'s question: yes erases (and ends a handoff), anything else keeps. */
  private async answerErase(context: TurnContext, session: Session, text: string): Promise<void> {
    session.eraseAsked = false;
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!this.vocabulary.isYes(text, this.yesNoButtons()) || !inbound) return void (await context.sendActivity(this.say.notErased));
    const erased = await this.deps.handoff.citizenErased(inbound.contactId);
    // Nothing of this turn's state is written back: the erasure deleted it.
    await this.deps.conversationState.delete(context);
    await context.sendActivity(this.say.erased(erased.tickets));
  }

  /** A record or a person after an emergency's answer; anything else goes on as usual (an open form continues). */
  private async answerEmergencyOffer(dc: DialogContext, session: Session, offer: EmergencyOffer, text: string): Promise<boolean> {
    const emergencies = this.deps.emergencies;
    const choice = emergencies.choice(text);
    if (!choice) return false;
    if (choice === 'person') {
      const kind = emergencies.kind(offer);
      await this.escalate(dc, session, 'emergency', { urgent: true, department: kind?.department, detail: kind?.title, citizenText: offer.text });
      return true;
    }
    if (choice === 'ticket') await emergencies.fileTicket(dc.context, offer);
    else await emergencies.declined(dc.context, offer);
    // The form the emergency interrupted asks its question again.
    if (dc.activeDialog) await dc.repromptDialog();
    return true;
  }

  private async route(dc: DialogContext, session: Session, understanding: Understanding, text?: string): Promise<void> {
    const context = dc.context;
    const { intent } = understanding;
    if (intent === 'none') {
      session.misses += 1;
      // Kept for the form the citizen may reach by rephrasing: their own words are the description.
      if (text && isStory(text, this.vocabulary, true)) session.story = { text, turns: 0 };
      if (session.misses >= 2) {
        session.misses = 0;
        return this.offer(context, session, this.say.offerPerson, {
          options: [
            { label: this.say.connectButton, intent: 'handoff.agent', reason: 'misunderstood', meaning: 'yes' },
            { label: this.say.noButton, meaning: 'no' },
          ],
          declined: 'personDeclined',
        });
      }
      return this.showMenu(context, session, this.say.notUnderstood);
    }
    session.misses = 0;
    if (intent === LANGUAGE_OPTION) {
      // Each language's button in its own script: pressing one sends its name, which switches.
      const names = LANGUAGES.map((language) => this.deps.languages[language].texts.languageName);
      session.languagesOffered = true;
      return void (await context.sendActivity(MessageFactory.suggestedActions(names, this.say.languagePrompt)));
    }
    if (intent === 'greeting') return this.showMenu(context, session, this.answers.get('greeting') ?? this.say.menuPrompt);
    if (intent === 'handoff.agent') return this.escalate(dc, session, 'requested', { understood: understanding });
    if (text && this.reportIntents.has(intent) && this.vocabulary.isQuestion(text) && !this.vocabulary.reportsProblem(text)) {
      // "çöp konteyneri ne zaman boşaltılıyor?" asks about the service; it reports nothing yet.
      return this.offer(context, session, this.say.questionNotReport, {
        options: [
          { label: this.say.reportButton, intent, text, meaning: 'yes' },
          { label: this.say.personButton, intent: 'handoff.agent' },
          { label: this.say.declineButton, meaning: 'no' },
        ],
        declined: 'offerDeclined',
      });
    }
    return this.startIntent(dc, session, intent, { text }, understanding);
  }

  /** Starts what an intent stands for: a form (with what is known), a person, or its answer. */
  private async startIntent(dc: DialogContext, session: Session, intent: string, options: FormOptions = {}, understood?: Understanding): Promise<void> {
    const context = dc.context;
    session.choices = undefined;
    if (intent === 'handoff.agent') return this.escalate(dc, session, 'requested', { understood });
    const dialogId = this.dialogByIntent.get(intent);
    if (dialogId) {
      const story = session.story?.text;
      session.story = undefined;
      return this.afterDialog(dc, await dc.beginDialog(dialogId, { story, ...options } satisfies FormOptions));
    }
    const answer = this.answers.get(intent);
    if (!answer) return this.showMenu(context, session, this.say.notUnderstood);
    const followUp = this.intentByName.get(intent)?.followUp;
    if (!followUp) return void (await context.sendActivity(answer));
    await this.offer(context, session, answer, {
      options: [
        { label: followUp.accept, intent: followUp.intent, slots: followUp.slots, text: options.text, fromFaq: intent, meaning: 'yes' },
        { label: followUp.decline, meaning: 'no' },
      ],
      declined: 'offerDeclined',
      takesAnswer: followUp.takesAnswer,
      faq: intent,
    });
  }

  /**
   * After a form: a person when its outcome needs one (a collapsed wall) or the citizen asked for
   * one in the middle; otherwise the request noted during the form is offered now.
   */
  private async afterDialog(dc: DialogContext, result: { status: DialogTurnStatus; result?: unknown }): Promise<void> {
    const outcome = result.result as DialogOutcome | undefined;
    if (result.status !== DialogTurnStatus.complete || !outcome) return;
    const session = await this.session.get(dc.context, { misses: 0 });
    if (outcome.handoff) return this.escalate(dc, session, 'requested');
    if (outcome.needsPerson) return this.escalate(dc, session, 'dialog', { department: outcome.department, detail: outcome.ticketNumber });
    if (outcome.deferred) {
      const { intent, text, title } = outcome.deferred;
      await this.offer(dc.context, session, this.say.format('deferredOffer', { request: title }), {
        options: [
          { label: this.say.startButton, intent, text, meaning: 'yes' },
          { label: this.say.declineButton, meaning: 'no' },
        ],
        declined: 'offerDeclined',
      });
    }
  }

  private async escalate(
    dc: DialogContext,
    session: Session,
    reason: HandoffReason,
    extra: { understood?: Understanding; department?: string; detail?: string; urgent?: boolean; citizenText?: string } = {},
  ): Promise<void> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!inbound) return;
    if (dc.activeDialog) await dc.cancelAllDialogs();
    session.choices = undefined;
    session.offer = undefined;
    session.misses = 0;
    const escalation = await this.deps.handoff.escalate({
      conversationId: dc.context.activity.conversation.id,
      contactId: inbound.contactId,
      reason,
      understood: extra.understood && { intent: extra.understood.guess, confidence: extra.understood.confidence },
      department: extra.department,
      detail: extra.detail,
      urgent: extra.urgent,
      citizenText: extra.citizenText,
    });
    // In Arabic or English: whether someone who speaks it is at work now (else an agent answers in Turkish, later).
    const language = currentLanguage();
    const speaker = language === 'tr' || escalation.alreadyQueued ? undefined : await this.deps.handoff.speakerAvailable(language);
    const line = speaker === undefined ? '' : `\n\n${speaker ? this.say.speakerAvailable : this.say.noSpeaker}`;
    await dc.context.sendActivity(`${this.say.queued(escalation)}${line}`);
  }

  private async runCommand(dc: DialogContext, session: Session, command: GlobalCommand): Promise<void> {
    const context = dc.context;
    session.choices = undefined;
    session.offer = undefined;
    if (command !== 'menu') session.story = undefined;
    const inDialog = dc.activeDialog !== undefined;
    switch (command) {
      case 'menu':
        // The menu's numbers would be read as answers to the dialog's question: leave it first.
        if (inDialog) await dc.cancelAllDialogs();
        return this.showMenu(context, session, inDialog ? `${this.say.leftDialog} ${this.say.menuPrompt}` : this.say.menuPrompt);
      case 'help':
        await context.sendActivity(this.say.help);
        if (inDialog) await dc.repromptDialog();
        return;
      case 'cancel':
        if (!inDialog) return void (await context.sendActivity(this.say.nothingToCancel));
        await dc.cancelAllDialogs();
        return void (await context.sendActivity(this.say.cancelled));
      case 'restart':
        session.misses = 0;
        if (inDialog) await dc.cancelAllDialogs();
        await context.sendActivity(this.say.restarted);
        return this.showMenu(context, session, this.answers.get('greeting') ?? this.say.menuPrompt);
      case 'agent':
        return this.escalate(dc, session, 'requested');
      case 'erase':
        if (inDialog) await dc.cancelAllDialogs();
        return this.askErase(context, session);
    }
  }

  private async showMenu(context: TurnContext, session: Session, intro: string): Promise<void> {
    session.choices = this.menu;
    await context.sendActivity(MessageFactory.suggestedActions(this.menu.map((option) => option.label), intro));
  }
}

/** Labels are the bot's own texts, the same few on every turn: folded once. */
const foldedLabels = new LRUCache<string, string>({ max: 1_000 });

function foldedLabel(label: string): string {
  let folded = foldedLabels.get(label);
  if (folded === undefined) {
    folded = fold(label);
    foldedLabels.set(label, folded);
  }
  return folded;
}

/** The intent of a numbered or named choice among those last offered, if the text is one. */
export function pickChoice(text: string, choices: Session['choices']): string | undefined {
  if (!choices || choices.length === 0) return undefined;
  const folded = fold(text);
  const number = /^(\d{1,2})$/.exec(folded);
  if (number) return choices[Number(number[1]) - 1]?.intent;
  return choices.find((choice) => foldedLabel(choice.label) === folded)?.intent;
}
