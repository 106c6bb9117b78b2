// Çözüm → Bot Framework: a reply as an activity (choices as suggested actions where the channel
// shows them, a numbered text elsewhere); connector errors translated once into DeliveryError.
import { ActionTypes, ActivityTypes, type Activity } from 'botbuilder';
import { supportsSuggestedActions } from 'botbuilder-dialogs';
import { DeliveryError } from '../../messaging/delivery.ts';
import { renderChoicesAsText, type OutboundMessage } from '../../messaging/message.ts';

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
