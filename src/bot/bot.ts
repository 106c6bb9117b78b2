// The conversation logic every channel shares. One turn, in order:
//   input checks (empty, only symbols, media, length) → global commands → an active dialog →
//   a numbered choice the bot offered → NLU → the intent's route.
import { ActivityHandler, ConversationState, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { Config } from '../config.ts';
import type { Intent } from '../content/intents.ts';
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

  constructor(private readonly deps: BotDependencies) {
    super();
    this.session = deps.conversationState.createProperty<Session>('session');
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
    const raw = (context.activity.text ?? '').trim();

    if (raw === '') {
      if (inbound?.message.location) return void (await context.sendActivity(this.say.locationWithoutContext));
      if ((inbound?.message.media.length ?? 0) > 0) return void (await context.sendActivity(this.say.mediaWithoutText));
      return void (await context.sendActivity(this.say.empty));
    }
    if (fold(raw) === '') return void (await context.sendActivity(this.say.onlySymbols));

    const limit = this.deps.config.bot.maxMessageLength;
    const text = raw.length > limit ? raw.slice(0, limit) : raw;
    if (raw.length > limit) await context.sendActivity(this.say.tooLong(limit));

    const command = globalCommand(text);
    if (command) return this.runCommand(context, session, command);

    // Digits answer the options last shown, or the main menu when none are pending.
    const chosen = pickChoice(text, session.choices ?? MAIN_MENU);
    session.choices = undefined;
    const understanding: Understanding = chosen
      ? { intent: chosen, confidence: 1, guess: chosen }
      : this.deps.nlu.understand(text);
    if (inbound) await this.deps.store.annotate(inbound.messageId, { intent: understanding.intent, confidence: understanding.confidence });
    await this.route(context, session, understanding.intent);
  }

  private async route(context: TurnContext, session: Session, intent: string): Promise<void> {
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
    const answer = this.answers.get(intent);
    if (answer) return void (await context.sendActivity(answer));
    await context.sendActivity(this.say.notYetOnline(TOPICS[intent] ?? 'Bu konu'));
  }

  private async runCommand(context: TurnContext, session: Session, command: GlobalCommand): Promise<void> {
    session.choices = undefined;
    switch (command) {
      case 'menu':
        return this.showMenu(context, session, this.say.menuPrompt);
      case 'help':
        return void (await context.sendActivity(this.say.help));
      case 'cancel':
        return void (await context.sendActivity(this.say.nothingToCancel));
      case 'restart':
        session.misses = 0;
        await context.sendActivity(this.say.restarted);
        return this.showMenu(context, session, this.answers.get('greeting') ?? this.say.menuPrompt);
      case 'agent':
        return void (await context.sendActivity(this.say.agentNotYet));
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
