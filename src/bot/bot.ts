// The conversation logic every channel shares. One turn, in order:
//   an emergency (whatever the conversation is doing) → global commands → a conversation held by a
//   person → the answer to an emergency's offer → an open dialog → input checks (empty, only symbols,
//   media, length) → a rating or an offer the bot is waiting on → a numbered choice → another
//   institution's work (a pointer to it) → NLU → the intent's route.
import { ActivityHandler, ConversationState, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogContext, type DialogState } from 'botbuilder-dialogs';
import type { Config } from '../config.ts';
import type { MenuOption, Texts } from '../content/bot-texts.ts';
import { answersByIntent, type Intent } from '../content/intents.ts';
import type { Handoff, HandoffReason } from '../handoff/handoff.ts';
import type { ConversationStore } from '../messaging/conversation-store.ts';
import type { Nlu, Understanding } from '../nlu/nlu.ts';
import type { Database } from '../storage/database.ts';
import { fold } from '../nlu/normalize.ts';
import { INBOUND_KEY, type InboundContext } from './adapter.ts';
import { globalCommand, type GlobalCommand } from './commands.ts';
import type { EmergencyOffer, EmergencyTurn } from './emergency-turn.ts';
import type { InstitutionFinder } from './institutions.ts';

/** The turn-state key under which DialogStateManager (botbuilder-dialogs) keeps its configuration. */
const DIALOG_STATE_CONFIGURATION = 'DialogStateManagerConfiguration';

/** What the bot remembers between turns of one conversation (stored with botbuilder's state). */
export interface Session {
  /** Misunderstood messages in a row. */
  misses: number;
  /** Intents behind the numbered options last shown, so that "3" means the third. */
  choices?: { label: string; intent: string }[];
  /** The bot offered a person after repeated misses and waits for yes or no. */
  offeredPerson?: boolean;
  /** A rating was given; the next message may be a comment on this ticket. */
  commentFor?: string;
  /** When the citizen was last told they are waiting for an agent (ms since epoch). */
  waitingToldAt?: number;
  /** The citizen asked for their data to be erased; the bot waits for their confirmation. */
  eraseAsked?: boolean;
  /** An emergency was answered; the bot offered an urgent record or a person. */
  emergencyOffer?: EmergencyOffer;
}

/** What a finished dialog tells the bot (see FormDialog.submit). */
export interface DialogOutcome {
  ticketNumber?: string;
  needsPerson?: boolean;
  department?: string;
}

export interface BotDependencies {
  config: Config;
  nlu: Nlu;
  intents: Intent[];
  conversationState: ConversationState;
  store: ConversationStore;
  handoff: Handoff;
  db: Database;
  /** Structured dialogs (dialogs/*.yaml), by the intent that starts each. */
  dialogs: { intent: string; dialog: Dialog }[];
  /** What the bot itself says, and its main menu (bot/*.yaml). */
  texts: Texts;
  menu: MenuOption[];
  emergencies: EmergencyTurn;
  /** Other institutions' work (bot/institutions.yaml). */
  institutions: InstitutionFinder;
}

/** While waiting for an agent, the citizen is reminded of it at most this often. */
const WAITING_REMINDER_MS = 10 * 60_000;

const YES = new Set(['evet', 'evet bagla', 'e', 'olur', 'tamam', 'istiyorum', 'evet istiyorum', 'baglayin', 'bagla', '1']);
const NO = new Set(['hayir', 'h', 'istemiyorum', 'gerek yok', 'hayir tesekkurler', '2']);
const SKIP = new Set(['gec', 'yok', 'hayir', 'yorum yok', 'istemiyorum']);

export class CozumBot extends ActivityHandler {
  private readonly session: StatePropertyAccessor<Session>;
  private readonly answers: Map<string, string>;
  private readonly say: Texts;
  private readonly dialogSet: DialogSet;
  private dialogStateConfiguration: unknown;
  private readonly dialogByIntent: Map<string, string>;

  constructor(private readonly deps: BotDependencies) {
    super();
    this.session = deps.conversationState.createProperty<Session>('session');
    this.dialogSet = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    for (const { dialog } of deps.dialogs) this.dialogSet.add(dialog);
    this.dialogByIntent = new Map(deps.dialogs.map(({ intent, dialog }) => [intent, dialog.id]));
    this.answers = answersByIntent(deps.intents);
    this.say = deps.texts;
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
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
    const command = raw ? globalCommand(raw) : undefined;

    // Stored just before the citizen's erasure and erased with it: nobody answers an erased conversation.
    if (mode === 'erased') return;
    // Safety first: what to do now, before a command, an open form or a wait for an agent.
    const emergency = raw ? this.deps.emergencies.detect(raw) : undefined;
    if (emergency) return void (session.emergencyOffer = await this.deps.emergencies.answer(context, mode, emergency, raw));

    if (mode && mode !== 'bot') {
      // KVKK: the right to erasure holds whoever answers the citizen now.
      if (command === 'erase') return this.askErase(context, session);
      if (session.eraseAsked) return this.answerErase(context, session, raw);
      if (command === 'menu' || command === 'cancel' || command === 'restart') {
        await this.deps.handoff.citizenLeft(conversationId);
        await context.sendActivity(this.say.backToBot);
        return this.runCommand(dc, session, command === 'cancel' ? 'menu' : command);
      }
      // The message is the agent's to answer; the bot only reminds a waiting citizen now and then.
      if (mode === 'waiting' && Date.now() - (session.waitingToldAt ?? 0) > WAITING_REMINDER_MS) {
        session.waitingToldAt = Date.now();
        await context.sendActivity(this.say.stillWaiting);
      }
      return;
    }

    const offer = session.emergencyOffer;
    session.emergencyOffer = undefined;
    if (offer && !command && (await this.answerEmergencyOffer(dc, session, offer, raw))) return;
    if (command) return this.runCommand(dc, session, command);
    // An open dialog reads everything else itself: photos, pins and answers to its questions.
    if (dc.activeDialog) return this.afterDialog(dc, await dc.continueDialog());

    if (raw === '') {
      if (inbound?.message.location) return void (await context.sendActivity(this.say.locationWithoutContext));
      if ((inbound?.message.media.length ?? 0) > 0) return void (await context.sendActivity(this.say.mediaWithoutText));
      return void (await context.sendActivity(this.say.empty));
    }
    if (fold(raw) === '') return void (await context.sendActivity(this.say.onlySymbols));

    const limit = this.deps.config.bot.maxMessageLength;
    const text = raw.length > limit ? raw.slice(0, limit) : raw;
    if (raw.length > limit) await context.sendActivity(this.say.tooLong(limit));

    if (await this.answerPending(dc, session, text)) return;

    // Digits answer the options last shown, or the main menu when none are pending.
    const chosen = pickChoice(text, session.choices ?? this.deps.menu);
    session.choices = undefined;
    // Not ours, but whose: before guessing among our own topics ("hastane randevusu" is MHRS's).
    const elsewhere = chosen ? undefined : this.deps.institutions.find(text);
    if (elsewhere) {
      session.misses = 0;
      return void (await context.sendActivity(elsewhere.answer));
    }
    const understanding: Understanding = chosen ? { intent: chosen, confidence: 1, guess: chosen } : this.deps.nlu.understand(text);
    if (inbound) await this.deps.store.annotate(inbound.messageId, { intent: understanding.intent, confidence: understanding.confidence });
    await this.route(dc, session, understanding, chosen ? undefined : text);
  }

  /** A rating, a comment on it, or a yes/no to the offer of a person, when the bot asked for one. */
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
      if (SKIP.has(folded)) return void (await context.sendActivity(this.say.thanksForRating)), true;
      // A comment is free text; a new request is not a comment.
      if (this.deps.nlu.understand(text).intent === 'none' || text.split(/\s+/).length >= 3) {
        await this.deps.handoff.comment(ticketId, text);
        await context.sendActivity(this.say.thanksForComment);
        return true;
      }
    }
    const rating = /^\s*([1-5])\s*(puan|yildiz|\/\s*5)?\s*$/.exec(folded);
    if (rating) {
      const ticket = await this.deps.handoff.pendingRating(context.activity.conversation.id);
      if (ticket) {
        await this.deps.handoff.rate(ticket.id, Number(rating[1]));
        session.commentFor = ticket.id;
        session.choices = undefined;
        await context.sendActivity(this.say.askComment);
        return true;
      }
    }
    if (session.offeredPerson) {
      session.offeredPerson = false;
      if (YES.has(folded)) {
        await this.escalate(dc, session, 'misunderstood');
        return true;
      }
      if (NO.has(folded)) {
        await this.showMenu(context, session, this.say.personDeclined);
        return true;
      }
    }
    return false;
  }

  private async askErase(context: TurnContext, session: Session): Promise<void> {
    session.eraseAsked = true;
    await context.sendActivity(MessageFactory.suggestedActions(['Evet', 'Hayır'], this.say.confirmErase));
  }

  /** The answer to "verilerimi sil"'s question: yes erases (and ends a handoff), anything else keeps. */
  private async answerErase(context: TurnContext, session: Session, text: string): Promise<void> {
    session.eraseAsked = false;
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!YES.has(fold(text)) || !inbound) return void (await context.sendActivity(this.say.notErased));
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
    else await emergencies.declined(dc.context);
    // The form the emergency interrupted asks its question again.
    if (dc.activeDialog) await dc.repromptDialog();
    return true;
  }

  private async route(dc: DialogContext, session: Session, understanding: Understanding, text?: string): Promise<void> {
    const context = dc.context;
    const { intent } = understanding;
    if (intent === 'none') {
      session.misses += 1;
      if (session.misses >= 2) {
        session.misses = 0;
        session.offeredPerson = true;
        return void (await context.sendActivity(MessageFactory.suggestedActions(['Evet, bağla', 'Hayır'], this.say.offerPerson)));
      }
      return this.showMenu(context, session, this.say.notUnderstood);
    }
    session.misses = 0;
    if (intent === 'greeting') return this.showMenu(context, session, this.answers.get('greeting') ?? this.say.menuPrompt);
    if (intent === 'handoff.agent') return this.escalate(dc, session, 'requested', { understood: understanding });
    const dialogId = this.dialogByIntent.get(intent);
    if (dialogId) return this.afterDialog(dc, await dc.beginDialog(dialogId, { text }));
    const answer = this.answers.get(intent);
    if (answer) return void (await context.sendActivity(answer));
    await this.showMenu(context, session, this.say.notUnderstood);
  }

  /** A dialog whose outcome needs a person (e.g. a collapsed wall) is queued for an agent. */
  private async afterDialog(dc: DialogContext, result: { status: DialogTurnStatus; result?: unknown }): Promise<void> {
    const outcome = result.result as DialogOutcome | undefined;
    if (result.status !== DialogTurnStatus.complete || !outcome?.needsPerson) return;
    const session = await this.session.get(dc.context, { misses: 0 });
    await this.escalate(dc, session, 'dialog', { department: outcome.department, detail: outcome.ticketNumber });
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
    session.misses = 0;
    session.waitingToldAt = Date.now();
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
    await dc.context.sendActivity(this.say.queued(escalation));
  }

  private async runCommand(dc: DialogContext, session: Session, command: GlobalCommand): Promise<void> {
    const context = dc.context;
    session.choices = undefined;
    session.offeredPerson = false;
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
    session.choices = this.deps.menu;
    await context.sendActivity(MessageFactory.suggestedActions(this.deps.menu.map((option) => option.label), intro));
  }
}

/** Labels are the bot's own texts, the same few on every turn: folded once. */
const foldedLabels = new Map<string, string>();

function foldedLabel(label: string): string {
  let folded = foldedLabels.get(label);
  if (folded === undefined) {
    if (foldedLabels.size >= 1_000) foldedLabels.clear();
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
