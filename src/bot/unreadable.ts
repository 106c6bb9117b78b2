// A message the platform delivered in a shape we could not read (messaging/message.ts
// `readInbound`: a location off the globe, an id too long…) is stored like any other, then
// answered here with one polite sentence from bot/texts.yaml and kept from the bot, which would
// only guess at it. Runs as botbuilder middleware, after the message is stored and in the chat's
// order, like flood control.
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../log.ts';
import { INBOUND_KEY, type InboundContext } from '../messaging/adapter.ts';

export class UnreadableMessages implements Middleware {
  constructor(
    /** What the citizen is told (texts.unreadable). */
    private readonly reply: string,
    private readonly logger?: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const unreadable = inbound?.message.unreadable;
    if (!unreadable || context.activity.type !== ActivityTypes.Message) return next();
    // Which fields failed, never their values: they may hold personal data.
    this.logger?.warn({ channel: inbound.message.channel, fields: unreadable, message: inbound.messageId }, 'unreadable message stored; the citizen was asked to send it again');
    await context.sendActivity(this.reply);
  }
}
