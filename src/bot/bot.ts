// The conversation logic every channel shares. One turn, in order:
//   input checks (empty, only symbols, media, length) → global commands → an active dialog →
//   a numbered choice the bot offered → NLU → the intent's route.
import { ActivityHandler, ConversationState, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, type DialogContext, type DialogState } from 'botbuilder-dialogs';
import type { Config } from '../config.ts';
import type { Intent } from '../content/intents.ts';
import type { Dialog } from 'botbuilder-dialogs';
import type { ConversationStore } from '../messaging/conversation-store.ts';
import type { Nlu, Understanding } from '../nlu/nlu.ts';
import { fold } from '../nlu/normalize.ts';
import { INBOUND_KEY, type InboundContext } from './adapter.ts';
import { globalCommand, type GlobalCommand } from './commands.ts';
import { MAIN_MENU } from './menu.ts';
import { texts, type Texts } from './texts.ts';

/** What the bot remembers between turns of one conversation (stored with botbuilder's state). */
export interface Session {
  /** Misunderstood messages in a row. */
  misses: number;
  /** Intents behind the numbered options last shown, so that "3" means the third. */
  choices?: { label: string; intent: string }[];
}

export interface BotDependencies {
  config: Config;
  nlu: Nlu;
  intents: Intent[];
  conversationState: ConversationState;
  store: ConversationStore;
  /** Structured dialogs (dialogs/*.yaml), by the intent that starts each. */
  dialogs: { intent: string; dialog: Dialog }[];
}

/** Topic names used when an intent has no online flow yet. */
const TOPICS: Record<string, string> = {
  'request.aid': 'Yardım başvurusu',
  'complaint.create': 'Şikâyet ve talepleriniz',
  'appointment.request': 'Randevu talebi',
  'ticket.status': 'Başvuru sorgulama',
};

export class CozumBot extends ActivityHandler {
  private readonly session: StatePropertyAccessor<Session>;
  private readonly answers: Map<string, string>;
  private readonly say: Texts;
  private readonly dialogSet: DialogSet;
  private readonly dialogByIntent: Map<string, string>;

  constructor(private readonly deps: BotDependencies) {
    super();
    this.session = deps.conversationState.createProperty<Session>('session');
    this.dialogSet = new DialogSet(deps.conversationState.createProperty<DialogState>('dialogState'));
    for (const { dialog } of deps.dialogs) this.dialogSet.add(dialog);
    this.dialogByIntent = new Map(deps.dialogs.map(({ intent, dialog }) => [intent, dialog.id]));
    this.answers = new Map(deps.intents.filter((i) => i.answer).map((i) => [i.name, i.answer!]));
    this.say = texts(deps.config.municipality);
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

  private async handleMessage(context: TurnContext): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const session = await this.session.get(context, { misses: 0 });
    const dc = await this.dialogSet.createContext(context);
    const raw = (context.activity.text ?? '').trim();

    const command = raw ? globalCommand(raw) : undefined;
    if (command) return this.runCommand(dc, session, command);
    // An open dialog reads everything else itself: photos, pins and answers to its questions.
    if (dc.activeDialog) return void (await dc.continueDialog());

    if (raw === '') {
      if (inbound?.message.location) return void (await context.sendActivity(this.say.locationWithoutContext));
      if ((inbound?.message.media.length ?? 0) > 0) return void (await context.sendActivity(this.say.mediaWithoutText));
      return void (await context.sendActivity(this.say.empty));
    }
    if (fold(raw) === '') return void (await context.sendActivity(this.say.onlySymbols));

    const limit = this.deps.config.bot.maxMessageLength;
    const text = raw.length > limit ? raw.slice(0, limit) : raw;
    if (raw.length > limit) await context.sendActivity(this.say.tooLong(limit));

    // Digits answer the options last shown, or the main menu when none are pending.
    const chosen = pickChoice(text, session.choices ?? MAIN_MENU);
    session.choices = undefined;
    const understanding: Understanding = chosen
      ? { intent: chosen, confidence: 1, guess: chosen }
      : this.deps.nlu.understand(text);
    if (inbound) await this.deps.store.annotate(inbound.messageId, { intent: understanding.intent, confidence: understanding.confidence });
    await this.route(dc, session, understanding.intent, chosen ? undefined : text);
  }

  private async route(dc: DialogContext, session: Session, intent: string, text?: string): Promise<void> {
    const context = dc.context;
    if (intent === 'none') {
      session.misses += 1;
      if (session.misses >= 2) {
        session.misses = 0;
        return void (await context.sendActivity(this.say.offerPerson));
      }
      return this.showMenu(context, session, this.say.notUnderstood);
    }
    session.misses = 0;
    if (intent === 'greeting') return this.showMenu(context, session, this.answers.get('greeting') ?? this.say.menuPrompt);
    if (intent === 'handoff.agent') return void (await context.sendActivity(this.say.agentNotYet));
    const dialogId = this.dialogByIntent.get(intent);
    if (dialogId) return void (await dc.beginDialog(dialogId, { text }));
    const answer = this.answers.get(intent);
    if (answer) return void (await context.sendActivity(answer));
    await context.sendActivity(this.say.notYetOnline(TOPICS[intent] ?? 'Bu konu'));
  }

  private async runCommand(dc: DialogContext, session: Session, command: GlobalCommand): Promise<void> {
    const context = dc.context;
    session.choices = undefined;
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
        await context.sendActivity(this.say.agentNotYet);
        if (inDialog) await dc.repromptDialog();
        return;
    }
  }

  private async showMenu(context: TurnContext, session: Session, intro: string): Promise<void> {
    session.choices = MAIN_MENU;
    await context.sendActivity(MessageFactory.suggestedActions(MAIN_MENU.map((option) => option.label), intro));
  }
}

/** The intent of a numbered or named choice among those last offered, if the text is one. */
export function pickChoice(text: string, choices: Session['choices']): string | undefined {
  if (!choices || choices.length === 0) return undefined;
  const folded = fold(text);
  const number = /^(\d{1,2})$/.exec(folded);
  if (number) return choices[Number(number[1]) - 1]?.intent;
  return choices.find((choice) => fold(choice.label) === folded)?.intent;
}
