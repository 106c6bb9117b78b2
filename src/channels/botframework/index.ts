// Bot Framework (Azure Bot Service: Teams, Web Chat, Direct Line, the Emulator) on
// POST /api/messages, through botbuilder's CloudAdapter.
//
// On with Microsoft app credentials (the CloudAdapter checks Microsoft's JWT on every request).
// Without them the channel is off, unless `channels.botFramework.emulator` turns it on for the
// Bot Framework Emulator on this machine: no authentication then, so start-up refuses it unless
// the server listens on loopback only, requests relayed from elsewhere are refused, and replies go
// only to a serviceUrl on this machine. In every mode the activity is checked before botbuilder
// sees it (400 for what the code needs and does not find), and nothing in it may add a path, a
// query or credentials to the URLs the server posts to.
//
// The CloudAdapter gives us a TurnContext. We do not run the bot on it: the activity is translated
// into an InboundMessage and handed to the same ChatAdapter every other channel uses, so Bot
// Framework conversations get the same storage, duplicate check, per-chat order, dialogs and
// tickets. Contacts are stored under the channel "botframework:<channelId>" (botframework:msteams,
// botframework:emulator…), with the ConversationReference as the address.
//
// The request is answered (200) once the message is stored; the answer goes out through the
// outbox as a reply to the citizen's activity (replyToId = its id), with
// `continueConversationAsync` and the stored reference, like an agent's answer or a ticket status
// change. Only a request with deliveryMode "expectReplies", which wants the replies in its HTTP
// response, stays open until they are sent on its TurnContext.
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  DeliveryModes,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import express, { type Request, type Response, type Router } from 'express';
import type { ChatAdapter } from '../../messaging/adapter.ts';
import { ConfigError, type Config } from '../../config.ts';
import { isLoopbackAddress, isLoopbackHost } from '../../http/loopback.ts';
import { botFrameworkMediaFetcher } from './media.ts';
import type { Logger } from '../../log.ts';
import { DeliveryError, type DeliveryTarget } from '../../messaging/delivery.ts';
import { UnreadableInboundError, type OutboundMessage } from '../../messaging/message.ts';
import type { Database } from '../../storage/database.ts';
import type { Channel, ChannelDependencies, ChannelTexts } from '../channel.ts';
import { PathSafeId, ActivityShape, BOTFRAMEWORK_CHANNEL, BOTFRAMEWORK_PREFIX, inboundFromActivity } from './inbound.ts';
import { activityFromOutbound, deliveryError } from './sender.ts';
export { BOTFRAMEWORK_CHANNEL, BOTFRAMEWORK_PREFIX, inboundFromActivity } from './inbound.ts';
export { activityFromOutbound } from './sender.ts';


type BotFrameworkSettings = Config['channels']['botFramework'];

/** `authenticated`: Microsoft's tokens checked; `emulator`: no authentication, this machine only; `off`. */
export type BotFrameworkMode = 'authenticated' | 'emulator' | 'off';

/** Refuses settings Azure would refuse later, and an unauthenticated endpoint open to the network, with the setting's name and what to do. */
export function checkBotFrameworkSettings(settings: BotFrameworkSettings, host: string): BotFrameworkMode {
  const appId = settings.appId?.trim();
  const password = settings.appPassword?.trim();
  if (!appId) {
    if (password) throw new ConfigError('channels.botFramework.appPassword (MICROSOFT_APP_PASSWORD) is set but appId (MICROSOFT_APP_ID) is empty: set both.');
    if (!settings.emulator) return 'off';
    if (!isLoopbackHost(host)) {
      throw new ConfigError(
        `channels.botFramework.emulator (BOTFRAMEWORK_EMULATOR) runs without authentication and is only for the Bot Framework Emulator on this machine: host (HOST) must be 127.0.0.1, not ${host}. For access from the network set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.`,
      );
    }
    return 'emulator';
  }
  if (settings.appType !== 'UserAssignedMSI' && !password) {
    throw new ConfigError('channels.botFramework.appId (MICROSOFT_APP_ID) is set but appPassword (MICROSOFT_APP_PASSWORD) is empty: give the Azure Bot resource\'s client secret.');
  }
  if (settings.appType !== 'MultiTenant' && !settings.tenantId?.trim()) {
    throw new ConfigError(`channels.botFramework.tenantId (MICROSOFT_APP_TENANT_ID) is required: appType ${settings.appType} needs an Azure tenant id.`);
  }
  return 'authenticated';
}

/**
 * Why replies may not be posted to this serviceUrl, or undefined. With authentication the channel
 * vouches for it in its token; still, no credentials, query, fragment or odd path segment. For the
 * Emulator: http(s) on this machine, nothing after the port.
 */
export function serviceUrlProblem(value: string, mode: BotFrameworkMode): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && !(mode === 'emulator' && url.protocol === 'http:')) return 'scheme';
  if (url.username || url.password) return 'credentials';
  if (url.search || url.hash || /[?#]/.test(value)) return 'query';
  // Before URL parsing folds them away: percent-escapes, backslashes, dot segments.
  if (/[%\\]|\/\.{1,2}(\/|$)/.test(value)) return 'path';
  if (mode === 'emulator') {
    if (!isLoopbackHost(url.hostname)) return 'not on this machine';
    if (url.pathname !== '/') return 'path';
    return undefined;
  }
  if (!/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/.test(url.pathname)) return 'path';
  return undefined;
}

function conversationKey(reference: Partial<ConversationReference>): string {
  return JSON.stringify([reference.channelId, reference.serviceUrl, reference.conversation?.id]);
}

/** A message of an expectReplies request stays open until its replies are in hand; every other request is answered once the message is stored. */
function wantsRepliesInResponse(activity: Activity): boolean {
  return activity.deliveryMode === DeliveryModes.ExpectReplies;
}

export class BotFrameworkChannel implements Channel {
  readonly name = BOTFRAMEWORK_CHANNEL;
  readonly router: Router;
  private readonly cloud: CloudAdapter;
  private readonly appId: string;
  /** expectReplies requests still open, per conversation: their replies go in the HTTP response. */
  private readonly liveTurns = new Map<string, TurnContext[]>();

  /** The apology for a failed turn in the language of the citizen who wrote, when they are known. */
  private async turnFailedText(activity: Partial<Activity>): Promise<string> {
    const userId = activity.from?.id;
    const contact = userId && activity.channelId
      ? await this.db.contact.findUnique({ where: { channel_platformUserId: { channel: `${BOTFRAMEWORK_PREFIX}${activity.channelId}`, platformUserId: userId } }, select: { language: true } }).catch(() => null)
      : null;
    return (this.textsIn?.(contact?.language) ?? this.texts!).turnFailed;
  }

  constructor(
    private readonly chat: ChatAdapter,
    private readonly db: Database,
    private readonly logger: Logger,
    settings: BotFrameworkSettings,
    readonly mode: Exclude<BotFrameworkMode, 'off'>,
    private readonly texts?: ChannelTexts,
    private readonly textsIn?: (language: string | null | undefined) => ChannelTexts,
  ) {
    this.appId = mode === 'authenticated' ? (settings.appId?.trim() ?? '') : '';
    const authentication = new ConfigurationBotFrameworkAuthentication(
      mode === 'authenticated'
        ? { MicrosoftAppId: this.appId, MicrosoftAppPassword: settings.appPassword?.trim() ?? '', MicrosoftAppTenantId: settings.tenantId?.trim() ?? '', MicrosoftAppType: settings.appType }
        : {},
    );
    this.cloud = new CloudAdapter(authentication);
    this.cloud.onTurnError = async (context, error) => {
      if (error instanceof NotStoredError) {
        // Answered 500 by the CloudAdapter: the channel may deliver it again; nothing to tell the citizen yet.
        this.logger.error({ err: error.cause, channel: context.activity.channelId }, 'Bot Framework message could not be stored');
        throw error;
      }
      this.logger.error({ err: error, channel: context.activity.channelId }, 'Bot Framework turn failed');
      if (this.texts) await context.sendActivity(await this.turnFailedText(context.activity)).catch(() => undefined);
    };
    // Every "botframework:<channel>" conversation, also those from before a restart, before recovery runs.
    this.chat.registerChannelFamily(BOTFRAMEWORK_PREFIX, {
      send: (target, message) => this.send(target, message),
      typing: (target, platformMessageId) => this.typing(target, platformMessageId),
    });
    this.chat.mediaFetchers.registerFamily(BOTFRAMEWORK_PREFIX, botFrameworkMediaFetcher(mode === 'emulator'));
    this.router = this.messagesRouter();
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  private messagesRouter(): Router {
    const router = express.Router();
    // Who may call is decided before the body is read.
    const caller = (request: Request, response: Response, next: () => void) => {
      if (this.mode === 'authenticated' && !/^Bearer \S+$/i.test(request.header('authorization') ?? '')) {
        this.logger.warn('Bot Framework request without a token refused');
        return void response.status(401).json({ error: 'Yetkisiz istek.' });
      }
      if (this.mode === 'emulator' && !isLoopbackAddress(request.ip)) {
        // Listening on loopback, yet relayed by a proxy on this machine: without authentication only the Emulator here is answered.
        this.logger.warn('Bot Framework request from outside this machine refused: emulator mode has no authentication');
        return void response.status(403).json({ error: 'Without authentication only the Emulator on this machine is accepted.' });
      }
      next();
    };
    router.post('/api/messages', caller, express.json({ limit: '1mb' }), async (request: Request, response: Response) => {
      const shape = ActivityShape.safeParse(request.body);
      if (!shape.success) {
        const fields = [...new Set(shape.error.issues.map((issue) => issue.path.join('.')))];
        this.logger.warn({ fields }, 'Bot Framework activity refused: required fields missing or malformed');
        return void response.status(400).json({ error: 'Invalid activity.', fields });
      }
      const problem = serviceUrlProblem(shape.data.serviceUrl, this.mode);
      if (problem) {
        this.logger.warn({ problem }, 'Bot Framework activity refused: replies cannot go to its serviceUrl');
        return void response.status(this.mode === 'emulator' && problem === 'not on this machine' ? 403 : 400).json({ error: 'Invalid serviceUrl.' });
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
    const live = wantsRepliesInResponse(activity);
    const key = conversationKey(inbound.address as Partial<ConversationReference>);
    if (live) this.liveTurns.set(key, [...(this.liveTurns.get(key) ?? []), context]);
    try {
      let accepted;
      try {
        accepted = await this.chat.accept(inbound);
      } catch (error) {
        if (error instanceof UnreadableInboundError) {
          this.logger.warn({ fields: error.problems }, 'Bot Framework message names no chat that could be answered; skipped');
          return;
        }
        throw new NotStoredError(error);
      }
      // Only a request that wants its replies in the response waits for them.
      if (live) await accepted.answered.catch(() => undefined);
    } finally {
      if (live) {
        const rest = (this.liveTurns.get(key) ?? []).filter((open) => open !== context);
        if (rest.length > 0) this.liveTurns.set(key, rest);
        else this.liveTurns.delete(key);
      }
    }
  }

  /** The stored address, checked again before anything is posted to it (rows from older versions were not). */
  private referenceOf(target: DeliveryTarget): Partial<ConversationReference> {
    const reference = target.address as Partial<ConversationReference>;
    if (!reference.serviceUrl || !reference.conversation?.id) throw new DeliveryError('Bot Framework: the conversation has no address', { permanent: true });
    if (serviceUrlProblem(reference.serviceUrl, this.mode) || !PathSafeId.safeParse(reference.conversation.id).success) {
      throw new DeliveryError('Bot Framework: the conversation\'s address is not valid', { permanent: true });
    }
    return reference;
  }

  /** The open expectReplies request whose activity has this id, if any. */
  private liveTurn(reference: Partial<ConversationReference>, activityId: string | null | undefined): TurnContext | undefined {
    if (!activityId) return undefined;
    return this.liveTurns.get(conversationKey(reference))?.find((open) => open.activity.id === activityId);
  }

  /** The platform id of the citizen's message a stored reply answers, if it answers one. */
  private async answeredActivityId(messageId: string | undefined): Promise<string | undefined> {
    if (!messageId) return undefined;
    const reply = await this.db.message.findUnique({ where: { id: messageId }, select: { replyToId: true } });
    if (!reply?.replyToId) return undefined;
    const inbound = await this.db.message.findUnique({ where: { id: reply.replyToId }, select: { platformMessageId: true } });
    const id = inbound?.platformMessageId ?? undefined;
    return id && PathSafeId.safeParse(id).success ? id : undefined;
  }

  async send(target: DeliveryTarget, message: OutboundMessage): Promise<void> {
    try {
      const reference = this.referenceOf(target);
      const activity = activityFromOutbound(message, reference.channelId);
      const replyTo = await this.answeredActivityId(target.messageId);
      const live = this.liveTurn(reference, replyTo);
      if (live) {
        await live.sendActivity(activity);
        return;
      }
      await this.proactive(reference, replyTo, activity);
    } catch (error) {
      throw deliveryError(error);
    }
  }

  async typing(target: DeliveryTarget, platformMessageId?: string): Promise<void> {
    const reference = this.referenceOf(target);
    const live = this.liveTurn(reference, platformMessageId);
    if (live) await live.sendActivity({ type: ActivityTypes.Typing });
    else await this.proactive(reference, undefined, { type: ActivityTypes.Typing });
  }

  /** Posts to the stored conversation; as a reply to the citizen's activity `replyTo`, when given. */
  private async proactive(reference: Partial<ConversationReference>, replyTo: string | undefined, activity: Partial<Activity>): Promise<void> {
    const { activityId: _last, ...conversation } = reference;
    await this.cloud.continueConversationAsync(this.appId, conversation, async (context) => {
      // botbuilder makes every activity sent here a reply to the continuation event's own random id;
      // the citizen's message is what it answers, or nothing.
      context.activity.id = replyTo;
      await context.sendActivity(activity);
    });
  }
}

/** The message could not be stored: the request is answered 500, so that the channel may deliver it again. */
class NotStoredError extends Error {
  constructor(cause: unknown) {
    super('Bot Framework message could not be stored', { cause });
    this.name = 'NotStoredError';
  }
}

export function createBotFramework({ config, adapter, db, logger, texts, textsIn }: ChannelDependencies): Channel | undefined {
  const settings = config.channels.botFramework;
  const mode = checkBotFrameworkSettings(settings, config.host);
  if (mode === 'off') {
    logger.info('Bot Framework off: set channels.botFramework.appId (MICROSOFT_APP_ID) to turn it on, or BOTFRAMEWORK_EMULATOR=true for the Emulator on this machine');
    return undefined;
  }
  const channel = new BotFrameworkChannel(adapter, db, logger, settings, mode, texts, textsIn);
  logger.info(
    { auth: mode === 'authenticated', appType: mode === 'authenticated' ? settings.appType : undefined },
    mode === 'authenticated'
      ? 'Bot Framework on /api/messages, authentication on'
      : 'Bot Framework on /api/messages for the Emulator on this machine, authentication off; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Azure Bot Service',
  );
  return channel;
}