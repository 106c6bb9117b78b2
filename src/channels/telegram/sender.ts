// Çözüm → Telegram: replies as HTML (messaging/text-format.ts: *bold* as <b>, everything else
// escaped), split to fit Telegram's limit once rendered, choices as a reply keyboard; Telegram's errors translated once into DeliveryError.
import { TelegramError, type Telegram } from 'telegraf';
import type { ChannelSender } from '../../messaging/adapter.ts';
import { DeliveryError, type DeliveryTarget } from '../../messaging/delivery.ts';
import { renderChoicesAsText } from '../../messaging/message.ts';
import { renderPieces, renderText } from '../../messaging/text-format.ts';

/** Telegram's limit for one message's text, after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

function chatIdOf(target: DeliveryTarget): number | string {
  const chatId = target.address.chatId;
  if (typeof chatId !== 'number' && typeof chatId !== 'string') {
    throw new DeliveryError('Telegram: the conversation has no chatId address', { permanent: true });
  }
  return chatId;
}

/** What a failed Bot API call means for the outbox. */
export function deliveryErrorOf(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof TelegramError) {
    const code = error.code;
    if (code === 429) {
      const seconds = Number(error.parameters?.retry_after ?? 1);
      return new DeliveryError(`Telegram 429: ${error.description}`, { retryAfterMs: Math.max(1, seconds) * 1000, cause: error });
    }
    if (code >= 500) return new DeliveryError(`Telegram ${code}: ${error.description}`, { cause: error });
    // 403: the citizen blocked the bot; 400: chat not found or a message Telegram will never take; 401: token revoked.
    return new DeliveryError(`Telegram ${code}: ${error.description}`, { permanent: true, cause: error });
  }
  // Network failures (FetchError, timeouts): Telegram may well answer later.
  return new DeliveryError(`Telegram: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function isEntityParseError(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 400 && /parse entities/i.test(error.description);
}

/** Sends the bot's replies through the Bot API. */
export function telegramSender(telegram: Telegram): ChannelSender {
  return {
    async send(target, message) {
      const chatId = chatIdOf(target);
      // The limit holds for the text as sent, tags and escapes included.
      const pieces = renderPieces(renderChoicesAsText(message), 'telegram-html', TELEGRAM_TEXT_LIMIT);
      for (const [index, { source, rendered }] of pieces.entries()) {
        const last = index === pieces.length - 1;
        // Only the last piece carries the keyboard; a message without choices removes an old one.
        const replyMarkup = !last
          ? undefined
          : message.choices.length > 0
            ? { keyboard: message.choices.map((choice) => [{ text: choice }]), resize_keyboard: true, one_time_keyboard: true }
            : { remove_keyboard: true as const };
        try {
          try {
            await telegram.sendMessage(chatId, rendered, { parse_mode: 'HTML', reply_markup: replyMarkup, link_preview_options: { is_disabled: true } });
          } catch (error) {
            // Should our HTML ever be refused, the plain text still reaches the citizen.
            if (!isEntityParseError(error)) throw error;
            await telegram.sendMessage(chatId, renderText(source, 'plain'), { reply_markup: replyMarkup, link_preview_options: { is_disabled: true } });
          }
        } catch (error) {
          throw deliveryErrorOf(error);
        }
      }
    },
    async typing(target) {
      await telegram.sendChatAction(chatIdOf(target), 'typing');
    },
  };
}
