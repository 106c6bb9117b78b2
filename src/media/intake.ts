// Media on receipt, as botbuilder middleware (like messaging/inbound-limits.ts): it runs after the
// adapter stored the message and the channel acknowledged it, inside the chat's queue, before the
// bot. It records the attachments and waits for their first download attempt, so that the citizen
// hears at once when a file was refused (its real type, its size, a broken photo), and the bot sees
// only the attachments that were kept or are still arriving, each with its Media id.
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { INBOUND_KEY, type InboundContext } from '../messaging/adapter.ts';
import type { Logger } from '../log.ts';
import type { Refusal } from './content.ts';
import type { MediaService } from './media.ts';

export interface MediaTexts {
  mediaTooLarge(maxBytes: number): string;
  mediaWrongType: string;
  mediaUnreadable: string;
}

export class MediaIntake implements Middleware {
  constructor(
    private readonly media: MediaService,
    private readonly texts: (inbound: InboundContext) => MediaTexts | Promise<MediaTexts>,
    /** The limit named to a citizen whose file was too large. */
    private readonly maxBytesFor: (kind: string) => number,
    private readonly logger?: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const inbound = context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const conversationId = context.activity.conversation?.id;
    if (!inbound || !conversationId || context.activity.type !== ActivityTypes.Message || inbound.message.media.length === 0) return next();
    const received = await this.media.receive(conversationId, inbound.messageId, inbound.message.channel, inbound.message.media);
    // Kept: stored, still arriving (a retry is planned), or failed for good: it stays with the
    // message and on the ticket, shown there as not received (the agent can ask for it again); the
    // citizen's form goes on. Only a refused file (its type, its size, a broken photo) is left out,
    // and the citizen told why.
    const kept = inbound.message.media.flatMap((item, position) => {
      const row = received[position];
      return row && row.status !== 'refused' ? [{ ...item, id: row.id }] : [];
    });
    const refusals = new Map<Refusal, string>();
    received.forEach((row) => {
      if (row.status === 'refused' && row.reason) refusals.set(row.reason, row.kind);
    });
    if (refusals.size > 0) {
      const texts = await this.texts(inbound);
      for (const [reason, kind] of refusals) {
        const text = { tooLarge: () => texts.mediaTooLarge(this.maxBytesFor(kind)), wrongType: () => texts.mediaWrongType, unreadable: () => texts.mediaUnreadable }[reason]();
        await context.sendActivity(text);
      }
    }
    inbound.message.media = kept;
    if (kept.length < received.length) this.logger?.debug({ refused: received.length - kept.length }, 'media refused on receipt');
    // Only refused files and nothing else: the citizen was told, there is nothing more to answer.
    if (refusals.size > 0 && kept.length === 0 && inbound.message.text.trim() === '' && !inbound.message.location) return;
    await next();
  }
}
