// The in-process botbuilder adapter. Every channel that is not Bot Framework itself (web chat,
// terminal, Telegram, WhatsApp, tests) hands its messages to `receive`, which:
//   1. stores the message (before anything acts on it) and drops a second delivery of it,
//   2. queues it behind earlier messages of the same chat,
//   3. runs the bot through botbuilder's middleware pipeline,
//   4. stores every reply before the channel's sender delivers it.
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
import { ConversationStore, type Author } from '../messaging/conversation-store.ts';
import { KeyedQueue } from '../messaging/keyed-queue.ts';
import type { DeliveryTarget } from '../messaging/delivery.ts';
import { InboundMessageSchema, type InboundMessage, type OutboundMessage, type ParsedInbound } from '../messaging/message.ts';

/**
 * Delivers a stored reply to a chat. Channels that answer in the HTTP response need none.
 * `send` throws a DeliveryError (messaging/delivery.ts) when the platform refuses the message.
 */
export interface ChannelSender {
  send(target: DeliveryTarget, message: OutboundMessage): Promise<void>;
  /** Shows "typing…" (and marks the citizen's message read) while the bot works on it. */
  typing?(target: DeliveryTarget, platformMessageId?: string): Promise<void>;
}

export interface TurnResult {
  conversationId: string;
  duplicate: boolean;
  replies: OutboundMessage[];
}

/** What the bot logic learns about the message beyond the Activity. */
export interface InboundContext {
  messageId: string;
  contactId: string;
  message: ParsedInbound;
}

export const INBOUND_KEY = Symbol('cozum.inbound');
const REPLIES_KEY = Symbol('cozum.replies');
const BOT_ACCOUNT = { id: 'cozum', name: 'Çözüm', role: 'bot' };

export type BotLogic = (context: TurnContext) => Promise<void>;

export function outboundFromActivity(activity: Partial<Activity>): OutboundMessage {
  const choices = (activity.suggestedActions?.actions ?? []).map((action) => String(action.title ?? action.value));
  return { text: activity.text ?? '', choices };
}

export class ChatAdapter extends BotAdapter {
  private logic: BotLogic = async () => undefined;
  private readonly senders = new Map<string, ChannelSender>();
  private readonly queue = new KeyedQueue();
  readonly store: ConversationStore;

  constructor(
    store: ConversationStore,
    private readonly logger: Logger,
  ) {
    super();
    this.store = store;
    this.onTurnError = async (context, error) => {
      this.logger.error({ err: error, conversation: context.activity.conversation?.id }, 'bot turn failed');
      await context.sendActivity('Üzgünüm, bir sorun oluştu. Lütfen mesajınızı tekrar gönderin ya da *menü* yazın.');
    };
  }

  setLogic(logic: BotLogic): void {
    this.logic = logic;
  }

  registerChannel(channel: string, sender: ChannelSender): void {
    this.senders.set(channel, sender);
  }

  /** One message from a citizen, answered in order with the chat's other messages. */
  async receive(input: InboundMessage): Promise<TurnResult> {
    const message = InboundMessageSchema.parse(input);
    const opened = await this.store.open(message);
    return this.queue.run(opened.conversationId, async () => {
      const recorded = await this.store.recordInbound(opened.conversationId, message);
      if (recorded.duplicate) {
        this.logger.info({ conversation: opened.conversationId }, 'duplicate delivery ignored');
        return { conversationId: opened.conversationId, duplicate: true, replies: [] };
      }
      const activity: Partial<Activity> = {
        type: ActivityTypes.Message,
        id: recorded.id,
        channelId: message.channel,
        text: message.text,
        timestamp: new Date(),
        from: { id: message.userId, name: message.userName ?? message.userId },
        recipient: BOT_ACCOUNT,
        conversation: { id: opened.conversationId, isGroup: false, conversationType: 'personal', name: '' },
        channelData: { address: message.address },
        attachments: message.media.map((media) => ({ contentType: media.mimeType ?? media.kind, contentUrl: media.url, name: media.kind })),
        entities: message.location ? [{ type: 'Place', geo: { ...message.location, type: 'GeoCoordinates' } }] : [],
      };
      const sender = this.senders.get(message.channel);
      if (sender?.typing) {
        const target = { conversationId: opened.conversationId, address: message.address, lastInboundAt: new Date() };
        // Cosmetic: a failure to show "typing…" must not delay or break the answer.
        sender.typing(target, message.platformMessageId).catch((error) => this.logger.debug({ err: error }, 'typing indicator failed'));
      }
      const context = new TurnContext(this, activity);
      const replies: OutboundMessage[] = [];
      context.turnState.set(REPLIES_KEY, replies);
      context.turnState.set(INBOUND_KEY, { messageId: recorded.id, contactId: opened.contactId, message } satisfies InboundContext);
      await this.runMiddleware(context, this.logic);
      await this.store.markProcessed(recorded.id);
      return { conversationId: opened.conversationId, duplicate: false, replies };
    });
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) throw new Error('sendActivities: the activity names no conversation');
    const collected = context.turnState.get(REPLIES_KEY) as OutboundMessage[] | undefined;
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
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
      const id = await this.store.recordOutbound(conversationId, outbound, from?.author ?? 'bot', from?.authorName);
      await this.deliver(conversationId, context.activity.channelId, id, outbound);
      collected?.push(outbound);
      responses.push({ id });
    }
    return responses;
  }

  private async deliver(conversationId: string, channel: string, messageId: string, outbound: OutboundMessage): Promise<void> {
    const sender = this.senders.get(channel);
    if (!sender) {
      // In-process channels read their replies from the turn result or the stored transcript.
      await this.store.markSent(messageId);
      return;
    }
    const conversation = await this.store.conversation(conversationId);
    try {
      const target: DeliveryTarget = {
        conversationId,
        address: JSON.parse(conversation?.address ?? '{}') as Record<string, unknown>,
        lastInboundAt: conversation?.lastMessageAt ?? new Date(0),
      };
      await sender.send(target, outbound);
      await this.store.markSent(messageId);
    } catch (error) {
      this.logger.warn({ err: error, conversation: conversationId, channel }, 'delivery failed');
      await this.store.markFailed(messageId);
    }
  }

  async updateActivity(): Promise<void> {
    throw new Error('Bu kanal gönderilmiş mesajı düzenlemeyi desteklemiyor.');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('Bu kanal gönderilmiş mesajı silmeyi desteklemiyor.');
  }

  /** Proactive turn: the bot writes first in an existing conversation (status changes, agent replies). */
  async continueConversation(reference: Partial<ConversationReference>, logic: BotLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  /** Sends `text` to a stored conversation on the channel the citizen used. */
  async notify(conversationId: string, text: string, choices: string[] = [], from?: { author: Author; authorName?: string }): Promise<void> {
    const conversation = await this.store.conversation(conversationId);
    if (!conversation) throw new Error(`Bilinmeyen konuşma: ${conversationId}`);
    const reference: Partial<ConversationReference> = {
      channelId: conversation.channel,
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      user: { id: conversation.contact.platformUserId, name: conversation.contact.displayName ?? '' },
      bot: BOT_ACCOUNT,
    };
    await this.queue.run(conversationId, () =>
      this.continueConversation(reference, async (context) => {
        await context.sendActivity({
          type: ActivityTypes.Message,
          text,
          channelData: from,
          suggestedActions: choices.length ? { to: [], actions: choices.map((c) => ({ type: 'imBack', title: c, value: c })) } : undefined,
        });
      }),
    );
  }
}
