// Bot Framework (Azure Bot Service: Teams, Web Chat, Direct Line, the Emulator) on
// POST /api/messages, through botbuilder's CloudAdapter.
//
// The CloudAdapter authenticates the request (Microsoft's JWT when an app id is configured; nothing
// in Emulator mode) and gives us a TurnContext. We do not run the bot on that context: the activity
// is translated into an InboundMessage and handed to the same ChatAdapter every other channel uses,
// so Bot Framework conversations get the same storage, duplicate check, per-chat order, dialogs and
// tickets. Contacts are stored under the channel "botframework:<channelId>" (botframework:msteams,
// botframework:emulator…), with the ConversationReference as the address.
//
// Replies go out through a ChannelSender. A reply whose request is still open (the adapter's
// `receive` resolves once the replies went out) is sent on that request's TurnContext, found
// through the stored reply's `replyToId` → the inbound message's platform id = the activity id:
// the answer is a proper reply to the citizen's message, and channels that want replies in the
// HTTP response (deliveryMode expectReplies) get them there. Anything else (an agent's answer, a
// ticket status change, a retry after the request ended) goes out as a proactive message with
// `continueConversationAsync` and the stored reference.
import {
  ActionTypes,
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import { supportsSuggestedActions } from 'botbuilder-dialogs';
import { z } from 'zod';
import express, { type Request, type Response, type Router } from 'express';
import type { ChatAdapter } from '../bot/adapter.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { DeliveryError, type DeliveryTarget } from '../messaging/delivery.ts';
import { renderChoicesAsText, type InboundMessage, type Media, type OutboundMessage } from '../messaging/message.ts';
import type { Database } from '../storage/database.ts';
import type { Channel, ChannelDependencies } from './channel.ts';

/** The fields the adapter relies on, checked before botbuilder sees the body: malformed input is a 400, not a crash. */
const ActivityShape = z.looseObject({
  type: z.string().min(1).max(100),
  id: z.string().max(1000).optional(),
  channelId: z.string().min(1).max(200),
  serviceUrl: z.string().min(1).max(2000),
  text: z.string().max(100_000).optional(),
  from: z.looseObject({ id: z.string().min(1).max(1000) }),
  recipient: z.looseObject({ id: z.string().max(1000) }).optional(),
  conversation: z.looseObject({ id: z.string().min(1).max(1000) }),
});

export const BOTFRAMEWORK_CHANNEL = 'botframework';
export const BOTFRAMEWORK_PREFIX = `${BOTFRAMEWORK_CHANNEL}:`;

type BotFrameworkSettings = Config['channels']['botFramework'];

/** Refuses settings Azure would refuse later, with the setting's name and what to do. */
export function checkBotFrameworkSettings(settings: BotFrameworkSettings): { authEnabled: boolean } {
  const appId = settings.appId?.trim();
  const password = settings.appPassword?.trim();
  if (!appId) {
    if (password) throw new Error('channels.botFramework.appPassword (MICROSOFT_APP_PASSWORD) verilmiş ama appId (MICROSOFT_APP_ID) boş: ikisi birlikte verilmeli.');
    return { authEnabled: false };
  }
  if (settings.appType !== 'UserAssignedMSI' && !password) {
    throw new Error('channels.botFramework.appId (MICROSOFT_APP_ID) verilmiş ama appPassword (MICROSOFT_APP_PASSWORD) boş: Azure Bot kaynağının istemci parolasını girin.');
  }
  if (settings.appType !== 'MultiTenant' && !settings.tenantId?.trim()) {
    throw new Error(`channels.botFramework.tenantId (MICROSOFT_APP_TENANT_ID) gerekli: appType ${settings.appType} bir Azure kiracı kimliği ister.`);
  }
  return { authEnabled: true };
}

function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

function mediaKind(contentType: string): Media['kind'] | undefined {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType === 'application/pdf' || contentType.startsWith('application/vnd.openxmlformats') || contentType === 'application/msword') return 'document';
  // Cards, Teams' text/html copy of the message, file consent cards: not something the citizen sent.
  return undefined;
}

function locationOf(activity: Activity): { latitude: number; longitude: number } | undefined {
  for (const entity of activity.entities ?? []) {
    const candidate = (entity.type === 'Place' ? (entity as { geo?: unknown }).geo : entity.type === 'GeoCoordinates' ? entity : undefined) as
      | { latitude?: unknown; longitude?: unknown }
      | undefined;
    if (typeof candidate?.latitude === 'number' && typeof candidate.longitude === 'number') return { latitude: candidate.latitude, longitude: candidate.longitude };
  }
  return undefined;
}

/** A Bot Framework message activity as Çözüm's InboundMessage; undefined when it carries no citizen. */
export function inboundFromActivity(activity: Activity): InboundMessage | undefined {
  const userId = activity.from?.id;
  if (!userId || !activity.channelId || !activity.conversation?.id || !activity.serviceUrl) return undefined;
  const text = (activity.text ? TurnContext.removeRecipientMention(activity) ?? activity.text : '').trim();
  const media: Media[] = [];
  for (const attachment of activity.attachments ?? []) {
    const kind = mediaKind(attachment.contentType ?? '');
    if (kind && attachment.contentUrl) media.push({ kind, url: attachment.contentUrl, mimeType: attachment.contentType });
  }
  const reference = TurnContext.getConversationReference(activity);
  return {
    channel: `${BOTFRAMEWORK_PREFIX}${activity.channelId}`,
    userId,
    userName: activity.from.name || undefined,
    text,
    platformMessageId: activity.id,
    media,
    location: locationOf(activity),
    address: reference as Record<string, unknown>,
  };
}

/** The reply as an activity: choices as imBack buttons, and as a numbered list where buttons do not show. */
export function activityFromOutbound(message: OutboundMessage, channelId: string | undefined): Partial<Activity> {
  const buttons = message.choices.length > 0 && supportsSuggestedActions(channelId ?? '', message.choices.length);
  return {
    type: ActivityTypes.Message,
    text: buttons ? message.text : renderChoicesAsText(message),
    suggestedActions: message.choices.length
      ? { to: [], actions: message.choices.map((choice) => ({ type: ActionTypes.ImBack, title: choice, value: choice })) }
      : undefined,
  };
}

function referenceOf(target: DeliveryTarget): Partial<ConversationReference> {
  const reference = target.address as Partial<ConversationReference>;
  if (!reference.serviceUrl || !reference.conversation?.id) throw new DeliveryError('Bot Framework: konuşmanın adresi yok', { permanent: true });
  return reference;
}

function conversationKey(reference: Partial<ConversationReference>): string {
  return JSON.stringify([reference.channelId, reference.serviceUrl, reference.conversation?.id]);
}

function deliveryError(error: unknown): DeliveryError {
  const status = (error as { statusCode?: number }).statusCode;
  // 403: the bot was removed or blocked; 404: the conversation no longer exists.
  return new DeliveryError(`Bot Framework mesajı gönderilemedi${status ? ` (HTTP ${status})` : ''}`, {
    cause: error,
    permanent: status === 403 || status === 404,
    retryAfterMs: status === 429 ? 30_000 : undefined,
  });
}

export class BotFrameworkChannel implements Channel {
  readonly name = BOTFRAMEWORK_CHANNEL;
  readonly router: Router;
  readonly authEnabled: boolean;
  private readonly cloud: CloudAdapter;
  private readonly appId: string;
  /** Requests still open, per conversation. */
  private readonly liveTurns = new Map<string, TurnContext[]>();
  private readonly registered = new Set<string>();
  private readonly sender: Parameters<ChatAdapter['registerChannel']>[1];

  constructor(
    private readonly chat: ChatAdapter,
    private readonly db: Database,
    private readonly logger: Logger,
    settings: BotFrameworkSettings,
  ) {
    this.authEnabled = checkBotFrameworkSettings(settings).authEnabled;
    this.appId = settings.appId?.trim() ?? '';
    const authentication = new ConfigurationBotFrameworkAuthentication(
      this.authEnabled
        ? { MicrosoftAppId: this.appId, MicrosoftAppPassword: settings.appPassword?.trim() ?? '', MicrosoftAppTenantId: settings.tenantId?.trim() ?? '', MicrosoftAppType: settings.appType }
        : {},
    );
    this.cloud = new CloudAdapter(authentication);
    this.cloud.onTurnError = async (context, error) => {
      this.logger.error({ err: error, channel: context.activity.channelId }, 'Bot Framework turn failed');
      await context.sendActivity('Üzgünüm, bir sorun oluştu. Lütfen mesajınızı tekrar gönderin.').catch(() => undefined);
    };
    this.sender = {
      send: (target, message) => this.send(target, message),
      typing: (target, platformMessageId) => this.typing(target, platformMessageId),
    };
    this.router = this.messagesRouter();
  }

  async start(): Promise<void> {
    // Conversations from before a restart can receive proactive messages before they write again.
    const rows = await this.db.conversation.findMany({ where: { channel: { startsWith: BOTFRAMEWORK_PREFIX } }, distinct: ['channel'], select: { channel: true } });
    for (const row of rows) this.ensureSender(row.channel);
  }

  async stop(): Promise<void> {}

  private ensureSender(channel: string): void {
    if (this.registered.has(channel)) return;
    this.chat.registerChannel(channel, this.sender);
    this.registered.add(channel);
  }

  private messagesRouter(): Router {
    const router = express.Router();
    router.post('/api/messages', express.json({ limit: '1mb' }), async (request: Request, response: Response) => {
      if (this.authEnabled && !/^Bearer \S+$/i.test(request.header('authorization') ?? '')) {
        this.logger.warn('Bot Framework request without a token refused');
        return void response.status(401).json({ error: 'Yetkisiz istek.' });
      }
      if (!this.authEnabled) {
        // Emulator mode checks no token, so it answers only a serviceUrl on this machine: nobody
        // can make the server post replies to an address of their choosing.
        const serviceUrl = (request.body as { serviceUrl?: unknown } | undefined)?.serviceUrl;
        if (typeof serviceUrl === 'string' && !isLoopbackUrl(serviceUrl)) {
          this.logger.warn('Bot Framework request refused: without MICROSOFT_APP_ID only the Emulator on this machine is answered');
          return void response.status(403).json({ error: 'Kimlik doğrulaması kapalıyken yalnızca bu makinedeki Emulator kabul edilir.' });
        }
      }
      if (!ActivityShape.safeParse(request.body).success) {
        return void response.status(400).json({ error: 'Geçersiz etkinlik.' });
      }
      await this.cloud.process(request, response, (context) => this.onTurn(context));
    });
    return router;
  }

  private async onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (activity.type !== ActivityTypes.Message) return;
    const inbound = inboundFromActivity(activity);
    if (!inbound) return;
    this.ensureSender(inbound.channel);
    const reference = inbound.address as Partial<ConversationReference>;
    const key = conversationKey(reference);
    this.liveTurns.set(key, [...(this.liveTurns.get(key) ?? []), context]);
    try {
      await this.chat.receive(inbound);
    } finally {
      const rest = (this.liveTurns.get(key) ?? []).filter((open) => open !== context);
      if (rest.length > 0) this.liveTurns.set(key, rest);
      else this.liveTurns.delete(key);
    }
  }

  /** The open request whose activity has this id, if any. */
  private liveTurn(reference: Partial<ConversationReference>, activityId: string | null | undefined): TurnContext | undefined {
    if (!activityId) return undefined;
    return this.liveTurns.get(conversationKey(reference))?.find((open) => open.activity.id === activityId);
  }

  /** The open request a stored reply answers, if it is still open. */
  private async liveTurnOfReply(reference: Partial<ConversationReference>, messageId: string | undefined): Promise<TurnContext | undefined> {
    if (!messageId || !this.liveTurns.has(conversationKey(reference))) return undefined;
    const reply = await this.db.message.findUnique({ where: { id: messageId }, select: { replyToId: true } });
    if (!reply?.replyToId) return undefined;
    const inbound = await this.db.message.findUnique({ where: { id: reply.replyToId }, select: { platformMessageId: true } });
    return this.liveTurn(reference, inbound?.platformMessageId);
  }

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    const reference = referenceOf(target);
    const activity = activityFromOutbound(message, reference.channelId);
    try {
      const live = await this.liveTurnOfReply(reference, target.messageId);
      if (live) {
        await live.sendActivity(activity);
        return;
      }
      const { activityId: _reply, ...conversation } = reference;
      await this.cloud.continueConversationAsync(this.appId, conversation, async (context) => {
        await context.sendActivity(activity);
      });
    } catch (error) {
      throw deliveryError(error);
    }
  }

  async typing(target: DeliveryTarget, platformMessageId?: string): Promise<void> {
    const live = this.liveTurn(referenceOf(target), platformMessageId);
    if (live) await live.sendActivity({ type: ActivityTypes.Typing });
  }
}

export function createBotFramework({ config, adapter, db, logger }: ChannelDependencies): Channel {
  const channel = new BotFrameworkChannel(adapter, db, logger, config.channels.botFramework);
  logger.info(
    { auth: channel.authEnabled, appType: channel.authEnabled ? config.channels.botFramework.appType : undefined },
    channel.authEnabled
      ? 'Bot Framework on /api/messages, authentication on'
      : 'Bot Framework on /api/messages, authentication off (Emulator on this machine only); set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Azure Bot Service',
  );
  return channel;
}
