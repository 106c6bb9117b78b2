// Çözüm → Bot Framework: a reply as a Markdown activity (choices as suggested actions where the
// client shows them all, a numbered text elsewhere); connector errors translated once into DeliveryError.
import { ActionTypes, ActivityTypes, type Activity } from 'botbuilder';
import { botFrameworkChoices, choiceLayout } from '../../messaging/choices.ts';
import { DeliveryError } from '../../messaging/delivery.ts';
import { renderChoicesAsText, type OutboundMessage } from '../../messaging/message.ts';
import { renderText } from '../../messaging/text-format.ts';

/**
 * The reply as an activity: Markdown with hard line breaks (Web Chat and Teams read text as
 * Markdown), choices as imBack buttons where the client shows them all, else a numbered list.
 */
export function activityFromOutbound(message: OutboundMessage, channelId: string | undefined): Partial<Activity> {
  const buttons = choiceLayout(botFrameworkChoices(channelId), message.choices) === 'buttons';
  return {
    type: ActivityTypes.Message,
    text: renderText(buttons ? message.text : renderChoicesAsText(message), 'markdown'),
    textFormat: 'markdown',
    suggestedActions: buttons ? { to: [], actions: message.choices.map((choice) => ({ type: ActionTypes.ImBack, title: choice, value: choice })) } : undefined,
  };
}

export function deliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  // 403: the bot was removed or blocked; 404: the conversation no longer exists.
  return new DeliveryError(`Bot Framework message could not be sent${status ? ` (HTTP ${status})` : ''}`, {
    cause: error,
    permanent: status === 403 || status === 404,
    retryAfterMs: status === 429 ? 30_000 : undefined,
  });
}
