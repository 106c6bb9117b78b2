// The in-process botbuilder adapter. Every channel (web chat, terminal, Telegram, WhatsApp, Bot
// Framework, tests) hands its messages to `accept` (or `receive`, which also waits for the answer):
//   1. stores the message (before anything acts on it) and drops a second delivery of it; `accept`
//      resolves here, so that a channel acknowledges the message to its platform once it is stored
//      and never waits behind another turn or a delivery,
//   2. queues it behind earlier messages of the same chat,
//   3. runs the bot through botbuilder's middleware pipeline,
//   4. stores the turn's replies (each naming the message it answers) and then marks the message
//      processed, and
//   5. hands the replies to the outbox (messaging/outbox.ts), which delivers them through the
//      channel's sender in order, retrying on failure. Channels without a sender (web chat,
//      terminal, tests) get the replies in the turn's result and they are stored as sent.
// `recover()` answers, at start-up, messages that were stored but never answered because the
// process stopped, and re-queues undelivered replies.
// The Activity's conversation.id is our Conversation.id, so botbuilder's state keys, our message
// rows and proactive messages all name a conversation the same way.
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { Logger } from '../log.ts';
import { messagesIn, turnDuration } from '../metrics.ts';
import { chatKey, ConversationStore, type Author, type OutboundRow, type StoredInbound, type WaitingWork } from './conversation-store.ts';
import type { ChannelSender } from './delivery.ts';
import { nextStamp } from '../storage/ids.ts';
import { TURN_STATE_WRITES } from '../storage/conversation-state.ts';
import type { StateOverwrite } from '../storage/state-storage.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { MediaFetchers } from './media-fetch.ts';
import { readInbound, type InboundMessage, type OutboundMessage, type ParsedInbound } from './message.ts';
import { Outbox, type ChatTarget, type OutboxOptions } from './outbox.ts';
import type { ConversationOwnership } from './ownership.ts';

export type { ChannelSender } from './delivery.ts';

export interface TurnResult {
  conversationId: string;
  duplicate: boolean;
  replies: OutboundMessage[];
}

/** A message stored by `accept`; its answer comes later. */
export interface Accepted {
  conversationId: string;
  /** The stored message's id; empty for a second delivery of a message stored before. */
  messageId: string;
  duplicate: boolean;
  /**
   * Settles once the bot answered and the replies had their first delivery attempt. Nobody has to
   * wait for it: a failed turn is logged by the adapter, and the stored message is answered at the
   * next start.
   */
  answered: Promise<TurnResult>;
}

/** What the bot logic learns about the message beyond the Activity. */
export interface InboundContext {
  messageId: string;
  contactId: string;
  message: ParsedInbound;
}

export interface ChatAdapterOptions {
  /** Retries, backoff and concurrency of deliveries. */
  outbox?: OutboxOptions;
  /**
   * What the citizen reads when the bot's turn fails (bot/texts.yaml `turnFailed`), or how to find
   * it for the message being answered (in the citizen's language); nothing when absent.
   */
  turnFailedText?: string | ((inbound: InboundContext | undefined) => Promise<string | undefined>);
  /**
   * Several instances on one PostgreSQL database: who answers which conversation
   * (messaging/ownership.ts). Absent (SQLite, one process): this process answers everything.
   */
  ownership?: ConversationOwnership;
}

export interface RecoveryReport {
  /** Messages answered now. */
  replayed: number;
  /** Messages whose replies were already stored: only marked processed. */
  alreadyAnswered: number;
  /** Undelivered replies queued again. */
  pendingDeliveries: number;
  /** Messages whose replay failed (they stay unprocessed, and are logged). */
  failed: number;
}

export const INBOUND_KEY = Symbol('cozum.inbound');
/** The replies a turn produced, stored together when the turn ends. */
const TURN_KEY = Symbol('cozum.turn');
const BOT_ACCOUNT = { id: 'cozum', name: 'Çözüm', role: 'bot' };

interface TurnBuffer {
  conversationId: string;
  channel: string;
  /** The inbound message being answered; absent in proactive turns. */
  inboundId?: string;
  /** Where the citizen wrote from, for the outbox. */
  target?: ChatTarget;
  replies: OutboundRow[];
  /** Another instance holds the conversation: the replies are stored, and that instance delivers them. */
  handedOver?: boolean;
  /** All replies of the turn, also those stored early (before a delay). */
  all: OutboundMessage[];
  /** First delivery attempts of replies stored early. */
  delivering: Promise<void>[];
  /** The conversation state the turn saved, stored with its final commit (TURN_STATE_WRITES). */
  state?: StateOverwrite[];
}

export type BotLogic = (context: TurnContext) => Promise<void>;

export function outboundFromActivity(activity: Partial<Activity>): OutboundMessage {
  const choices = (activity.suggestedActions?.actions ?? []).map((action) => String(action.title ?? action.value));
  return { text: activity.text ?? '', choices };
}

export class ChatAdapter extends BotAdapter {
  private logic: BotLogic = async () => undefined;
  private readonly senders = new Map<string, ChannelSender>();
  /** Senders for every channel whose name starts with a prefix ("botframework:" + the Bot Framework channel). */
  private readonly families = new Map<string, ChannelSender>();
  private readonly queue = new KeyedQueue();
  /** Inbound messages whose turn is running or queued in this process. */
  private readonly active = new Set<string>();
  private recovered = false;
  /** Turns queued or running, so that `close()` can wait for them. */
  private readonly turns = new Set<Promise<unknown>>();
  readonly store: ConversationStore;
  readonly outbox: Outbox;
  /** Each channel's download of the media citizens send (messaging/media-fetch.ts), used by src/media/. */
  readonly mediaFetchers = new MediaFetchers();
  private readonly ownership: ConversationOwnership | undefined;
  /** Several instances: the chat (queue key) of each conversation this instance answered lately, to give it back when idle. */
  private readonly chatOfHeld = new Map<string, string>();
  private closing = false;

  constructor(
    store: ConversationStore,
    private readonly logger: Logger,
    options: ChatAdapterOptions = {},
  ) {
    super();
    this.store = store;
    this.ownership = options.ownership;
    this.ownership?.onWork((conversationId) => void this.takeOver(conversationId).catch((error: unknown) => this.logger.error({ err: error, conversation: conversationId }, 'taking a conversation over failed')));
    this.outbox = new Outbox(store, logger, (channel) => this.senderFor(channel), options.outbox);
    if (this.ownership) this.outbox.onDrained = (conversationId) => this.giveBackWhenIdle(conversationId);
    this.onTurnError = async (context, error) => {
      this.logger.error({ err: error, conversation: context.activity.conversation?.id }, 'bot turn failed');
      const text = typeof options.turnFailedText === 'function' ? await options.turnFailedText(context.turnState.get(INBOUND_KEY) as InboundContext | undefined) : options.turnFailedText;
      if (text) await context.sendActivity(text);
    };
  }

  /** Returns the logic it replaces (the benchmark switches between the bot and an echo bot). */
  setLogic(logic: BotLogic): BotLogic {
    const previous = this.logic;
    this.logic = logic;
    return previous;
  }

  registerChannel(channel: string, sender: ChannelSender): void {
    this.senders.set(channel, sender);
    this.outbox.channelsReady((name) => name === channel);
  }

  /**
   * `channel` is connected on one instance at a time (WhatsApp through Baileys): with several
   * instances, its conversations are answered and their replies delivered only where `here` is true
   * (messaging/ownership.ts). Called at the channel's construction (not here), then as its
   * connection moves. Nothing on one process.
   */
  pinChannel(channel: string, here: boolean): void {
    this.ownership?.pin(channel, here);
  }

  /**
   * One sender for every channel whose name starts with `prefix`, also those first seen after a
   * restart: registered before recovery, so that what a crash left unanswered goes out.
   */
  registerChannelFamily(prefix: string, sender: ChannelSender): void {
    this.families.set(prefix, sender);
    this.outbox.channelsReady((name) => name.startsWith(prefix));
  }

  private senderFor(channel: string): ChannelSender | undefined {
    const exact = this.senders.get(channel);
    if (exact) return exact;
    for (const [prefix, sender] of this.families) if (channel.startsWith(prefix)) return sender;
    return undefined;
  }

  /**
   * Stores one message from a citizen and queues its answer behind the chat's earlier messages.
   * Resolves once the message is stored (or recognised as a second delivery), which is when a
   * channel may acknowledge it to its platform: the answer follows through `answered` and the
   * outbox. Rejects when the message could not be stored (the platform should deliver it again),
   * or with UnreadableInboundError when it names no chat that could be answered. A message the
   * schema refuses in part is stored with `unreadable` set, and the citizen is told.
   */
  accept(input: InboundMessage): Promise<Accepted> {
    let message: ParsedInbound;
    try {
      message = readInbound(input);
    } catch (error) {
      return Promise.reject(error);
    }
    // The id, the time and the place in the chat's queue are taken now, in the order channels
    // call `accept`: the chat's messages are answered in the order they arrived.
    const stored = this.store.persistInbound(message);
    stored.catch(() => undefined); // Awaited below and in the queue; this only keeps Node from calling it unhandled meanwhile.
    const turn = this.queue.run(chatKey(message.channel, message.userId), async () => {
      const inbound = await stored;
      if (inbound.duplicate) {
        this.logger.info({ conversation: inbound.conversationId }, 'duplicate delivery ignored');
        return { result: { conversationId: inbound.conversationId, duplicate: true, replies: [] }, delivered: Promise.resolve() };
      }
      messagesIn.inc({ channel: message.channel });
      if (this.ownership) {
        if (!(await this.ownership.claim(inbound.conversationId, message.channel))) {
          // Another instance answers this conversation: it is told, and its answer read back (not
          // in the chat's queue: a sweep of this instance may be the one to answer, in that queue).
          this.store.letGo([inbound.id]);
          const result: TurnResult = { conversationId: inbound.conversationId, duplicate: false, replies: [] };
          const ownership = this.ownership;
          const delivered = ownership.answerOf(inbound.id, inbound.conversationId, (id) => this.store.repliesTo(id)).then((replies) => void (result.replies = replies));
          return { result, delivered };
        }
        this.chatOfHeld.set(inbound.conversationId, chatKey(message.channel, message.userId));
        // Older messages of the conversation another instance stored go first.
        await this.runWaiting(inbound.conversationId, inbound);
      }
      const { replies, delivered } = await this.runTurn(inbound, message);
      return { result: { conversationId: inbound.conversationId, duplicate: false, replies }, delivered };
    });
    // Settles once the replies had their first delivery attempt (the chat's next message is
    // already being answered meanwhile).
    const answered = this.track(
      turn.then(async ({ result, delivered }) => {
        await delivered;
        this.giveBackWhenIdle(result.conversationId);
        return result;
      }),
    );
    answered.catch(() => undefined); // A failed turn is logged by runTurn; the message stays unanswered for the next start.
    return stored.then((inbound) => ({ conversationId: inbound.conversationId, messageId: inbound.id, duplicate: inbound.duplicate, answered }));
  }

  /** One message from a citizen, stored and answered in order with the chat's other messages: for channels that answer in their own response. */
  async receive(input: InboundMessage): Promise<TurnResult> {
    return (await this.accept(input)).answered;
  }

  /**
   * Several instances: gives the conversation back once nothing of it is queued, running or waiting
   * for delivery here (messaging/ownership.ts), so that its next message is answered wherever it
   * arrives. Checked after the pass of the event loop in which a turn or a delivery ended, when the
   * chat's queue has let it go.
   */
  private giveBackWhenIdle(conversationId: string): void {
    if (!this.ownership) return;
    setImmediate(() => {
      const chat = this.chatOfHeld.get(conversationId);
      if (this.closing || !chat || this.queue.busy(chat) || this.outbox.delivering(conversationId)) return;
      this.chatOfHeld.delete(conversationId);
      void this.ownership!.giveBack(conversationId);
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.turns.add(work);
    void work.then(
      () => this.turns.delete(work),
      () => this.turns.delete(work),
    );
    return work;
  }

  /** Runs the bot on a stored message and stores (and hands to the outbox) what it answered. */
  private async runTurn(
    inbound: Pick<StoredInbound, 'id' | 'conversationId' | 'contactId' | 'createdAt'>,
    message: ParsedInbound,
  ): Promise<{ replies: OutboundMessage[]; delivered: Promise<void> }> {
    this.active.add(inbound.id);
    const endTimer = turnDuration.startTimer({ channel: message.channel });
    this.store.beginTurn(inbound.id);
    try {
      const target: ChatTarget = { address: message.address, lastInboundAt: inbound.createdAt };
      const sender = this.senderFor(message.channel);
      if (sender?.typing) {
        // Cosmetic: a failure to show "typing…" must not delay or break the answer.
        sender
          .typing({ conversationId: inbound.conversationId, ...target }, message.platformMessageId)
          .catch((error: unknown) => this.logger.debug({ err: error }, 'typing indicator failed'));
      }
      const activity: Partial<Activity> = {
        type: ActivityTypes.Message,
        id: inbound.id,
        channelId: message.channel,
        text: message.text,
        timestamp: inbound.createdAt,
        from: { id: message.userId, name: message.userName ?? message.userId },
        recipient: BOT_ACCOUNT,
        conversation: { id: inbound.conversationId, isGroup: false, conversationType: 'personal', name: '' },
        channelData: { address: message.address },
        attachments: message.media.map((media) => ({ contentType: media.mimeType ?? media.kind, contentUrl: media.url, name: media.kind })),
        entities: message.location ? [{ type: 'Place', geo: { ...message.location, type: 'GeoCoordinates' } }] : [],
      };
      const context = new TurnContext(this, activity);
      const turn: TurnBuffer = { conversationId: inbound.conversationId, channel: message.channel, inboundId: inbound.id, target, replies: [], all: [], delivering: [], state: [] };
      context.turnState.set(TURN_KEY, turn);
      context.turnState.set(TURN_STATE_WRITES, turn.state);
      context.turnState.set(INBOUND_KEY, { messageId: inbound.id, contactId: inbound.contactId, message } satisfies InboundContext);
      await this.runMiddleware(context, this.logic);
      const { delivered } = await this.commit(turn, true);
      endTimer();
      return { replies: turn.all, delivered: Promise.all([...turn.delivering, delivered]).then(() => undefined) };
    } catch (error) {
      this.store.abandonTurn(inbound.id);
      this.logger.error({ err: error, conversation: inbound.conversationId, message: inbound.id }, 'turn failed: the message stays unanswered until the next start');
      throw error;
    } finally {
      this.active.delete(inbound.id);
    }
  }

  /**
   * Stores the replies collected so far (and, at the end, marks the message processed), then hands
   * them to the outbox. Returns when they are stored; the promise it returns settles when they had
   * their first delivery attempt.
   */
  private async commit(turn: TurnBuffer, final: boolean): Promise<{ delivered: Promise<void> }> {
    const replies = turn.replies.splice(0);
    const outboxed = this.senderFor(turn.channel) !== undefined;
    for (const row of replies) row.status = outboxed ? 'pending' : 'sent';
    const kept = await this.store.commitTurn(replies, final ? turn.inboundId : undefined, final ? turn.state : undefined);
    if (!kept) {
      // Another instance answered this message first (this one's lease lapsed): its replies stand.
      this.logger.warn({ conversation: turn.conversationId, message: turn.inboundId }, 'turn dropped: the message was answered by another instance');
      turn.all.splice(0, turn.all.length, ...(turn.inboundId ? await this.store.repliesTo(turn.inboundId) : []));
      return { delivered: Promise.resolve() };
    }
    if (turn.handedOver && replies.length > 0) {
      this.store.letGo(replies.map((row) => row.id));
      return { delivered: this.ownership!.wake(turn.conversationId, turn.channel) };
    }
    if (!outboxed || replies.length === 0) return { delivered: Promise.resolve() };
    return { delivered: this.outbox.enqueue(replies.map((row) => ({ id: row.id, conversationId: row.conversationId, channel: turn.channel, message: row.message, target: turn.target }))) };
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) throw new Error('sendActivities: the activity names no conversation');
    // A context this adapter did not make (rare): its replies are stored one call at a time.
    const turn = (context.turnState.get(TURN_KEY) as TurnBuffer | undefined) ?? { conversationId, channel: context.activity.channelId, replies: [], all: [], delivering: [] };
    const own = context.turnState.has(TURN_KEY);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        // What was said before the pause goes out before it.
        turn.delivering.push((await this.commit(turn, false)).delivered);
        await new Promise((resolve) => setTimeout(resolve, Number(activity.value) || 0));
        responses.push({ id: '' });
        continue;
      }
      if (activity.type !== ActivityTypes.Message) {
        responses.push({ id: '' });
        continue;
      }
      const outbound = outboundFromActivity(activity);
      // A person's message sent through `notify` carries its author; the bot's own replies do not.
      const from = activity.channelData as { author?: Author; authorName?: string } | undefined;
      const stamp = nextStamp();
      turn.replies.push({
        id: stamp.id,
        createdAt: stamp.at,
        conversationId,
        author: from?.author ?? 'bot',
        authorName: from?.authorName,
        replyToId: turn.inboundId,
        message: outbound,
        status: 'pending',
      });
      turn.all.push(outbound);
      responses.push({ id: stamp.id });
    }
    if (!own) await this.commit(turn, false);
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error('This channel cannot edit a sent message.');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('This channel cannot delete a sent message.');
  }

  /** Proactive turn: the bot writes first in an existing conversation (status changes, agent replies). */
  async continueConversation(reference: Partial<ConversationReference>, logic: BotLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    const context = new TurnContext(this, activity);
    const conversationId = activity.conversation?.id;
    const turn: TurnBuffer | undefined = conversationId ? { conversationId, channel: activity.channelId ?? '', replies: [], all: [], delivering: [] } : undefined;
    if (turn) context.turnState.set(TURN_KEY, turn);
    await this.runMiddleware(context, logic);
    if (turn) turn.delivering.push((await this.commit(turn, false)).delivered);
    if (turn) await Promise.all(turn.delivering);
  }

  /** Sends `text` to a stored conversation on the channel the citizen used: stored, then delivered by the outbox. */
  async notify(conversationId: string, text: string, choices: string[] = [], from?: { author: Author; authorName?: string }): Promise<void> {
    const conversation = await this.store.conversation(conversationId);
    if (!conversation) throw new Error(`Unknown conversation: ${conversationId}`);
    // The citizen's data was erased (KVKK): nobody is left to write to, and nothing new is stored about them.
    if (conversation.mode === 'erased') return;
    const reference: Partial<ConversationReference> = {
      channelId: conversation.channel,
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      user: { id: conversation.contact.platformUserId, name: conversation.contact.displayName ?? '' },
      bot: BOT_ACCOUNT,
    };
    // The same queue as the citizen's messages: a notification never overtakes a reply being prepared.
    // With several instances, the conversation's holder delivers it (stored here, then it is told).
    const chat = chatKey(conversation.channel, conversation.contact.platformUserId);
    await this.track(
      this.queue.run(chat, async () =>
        this.continueConversation(reference, async (context) => {
          if (this.ownership && !(await this.ownership.claim(conversationId, conversation.channel))) (context.turnState.get(TURN_KEY) as TurnBuffer).handedOver = true;
          else if (this.ownership) {
            this.chatOfHeld.set(conversationId, chat);
            // What a previous holder left undelivered goes out before this message.
            await this.adoptLeftovers(conversationId);
          }
          await context.sendActivity({
            type: ActivityTypes.Message,
            text,
            channelData: from,
            suggestedActions: choices.length ? { to: [], actions: choices.map((c) => ({ type: 'imBack', title: c, value: c })) } : undefined,
          });
        }),
      ),
    );
    this.giveBackWhenIdle(conversationId);
  }

  /**
   * Picks up what a previous run left unfinished, once, at start-up (after the bot is wired and the
   * channels' senders are registered, before new messages come in):
   *   - replies stored but not delivered go back to the outbox, oldest first;
   *   - messages stored but never answered are answered now, in order per chat, without being
   *     stored again; one whose replies were already stored is only marked processed.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { replayed: 0, alreadyAnswered: 0, pendingDeliveries: 0, failed: 0 };
    if (this.recovered) return report;
    this.recovered = true;
    if (this.ownership) {
      // Several instances: only conversations nobody alive holds, and what they left undelivered
      // comes with them (`takeOver`); the rest is swept while running.
      await this.outbox.start({ leftovers: false });
      await this.ownership.sweep({ all: true });
      this.ownership.begin();
      return report;
    }
    report.pendingDeliveries = await this.outbox.start();
    const unprocessed = await this.store.unprocessedInbound();
    if (unprocessed.length === 0) return report;
    const answered = await this.store.answered(unprocessed.map((row) => row.id));
    const work = unprocessed.map((row) =>
      this.track(
        this.queue.run(chatKey(row.message.channel, row.message.userId), async () => {
          if (this.active.has(row.id)) return;
          if (answered.has(row.id)) {
            await this.store.markProcessed(row.id);
            report.alreadyAnswered++;
            return;
          }
          try {
            await this.runTurn(row, row.message);
            report.replayed++;
          } catch {
            report.failed++; // runTurn logged why.
          }
        }),
      ),
    );
    await Promise.all(work);
    this.logger.info(report, 'recovery: unanswered messages from the previous run answered');
    return report;
  }

  /**
   * Another instance's messages of a conversation this instance holds: those stored before
   * `current` (or all of them), answered in order, each told to the instance waiting for it. Runs
   * inside the chat's queue.
   */
  private async runWaiting(conversationId: string, current?: Pick<StoredInbound, 'id' | 'createdAt'>): Promise<void> {
    // Its previous holder may have died (or shut down) with replies stored and not delivered: they go
    // out before this turn's own (a take-over adopted them already, `takeOver`).
    if (current && (await this.adoptLeftovers(conversationId)).inbound.length === 0) return;
    const rows = await this.store.unprocessedInbound({ conversationId });
    for (const row of rows) {
      if (this.active.has(row.id)) continue;
      if (current && (row.createdAt > current.createdAt || (row.createdAt.getTime() === current.createdAt.getTime() && row.id >= current.id))) break;
      try {
        if ((await this.store.answered([row.id])).has(row.id)) await this.store.markProcessed(row.id);
        else await this.runTurn(row, row.message);
      } catch {
        // runTurn logged why; the message stays unanswered for a sweep.
      }
      this.ownership?.answered(row.id, true);
    }
  }

  /**
   * A conversation this instance holds has work another instance stored (or a dead one left): its
   * unanswered messages are answered in order, and its undelivered replies delivered from here.
   */
  private async takeOver(conversationId: string): Promise<void> {
    if (this.closing) return;
    const conversation = await this.store.conversation(conversationId);
    if (!conversation) return;
    await this.adoptLeftovers(conversationId);
    const chat = chatKey(conversation.channel, conversation.contact.platformUserId);
    this.chatOfHeld.set(conversationId, chat);
    await this.track(this.queue.run(chat, () => this.runWaiting(conversationId)));
    this.giveBackWhenIdle(conversationId);
  }

  /**
   * Replies stored in the conversation and delivered by nobody (a dead or stopped holder's), queued
   * here; returns what waits in it, also its unanswered messages.
   */
  private async adoptLeftovers(conversationId: string): Promise<WaitingWork> {
    const waiting = await this.store.waitingWork(conversationId);
    if (waiting.deliveries.length > 0) this.outbox.adopt(waiting.deliveries);
    return waiting;
  }

  /** Waits for turns in progress, lets deliveries in progress finish, and stops the outbox's timer. */
  async close(): Promise<void> {
    this.closing = true;
    await this.ownership?.close();
    while (this.turns.size > 0) await Promise.allSettled([...this.turns]);
    await this.outbox.close();
    await this.store.flush();
  }
}
