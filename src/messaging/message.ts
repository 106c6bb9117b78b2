// The shapes every channel speaks: what arrives from a citizen and what goes back.
import { z } from 'zod';

export const MediaSchema = z.object({
  kind: z.enum(['image', 'audio', 'video', 'document', 'sticker', 'other']),
  url: z.string().optional(),
  mimeType: z.string().optional(),
  /** Platform file id (Telegram file_id, WhatsApp media id) to fetch it later. */
  fileId: z.string().optional(),
  /** Size in bytes, when the platform tells it (Telegram file_size): larger than limits.maxMediaBytes is refused. */
  size: z.number().int().nonnegative().optional(),
});
export type Media = z.infer<typeof MediaSchema>;

export const LocationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof LocationSchema>;

export const InboundMessageSchema = z.object({
  channel: z.string().min(1),
  /** The citizen's id on the platform (Telegram user id, WhatsApp JID, web chat session). */
  userId: z.string().min(1).max(200),
  userName: z.string().max(200).optional(),
  text: z.string().default(''),
  /** The platform's id of this message, so that a second delivery is recognised. */
  platformMessageId: z.string().max(200).optional(),
  media: z.array(MediaSchema).default([]),
  location: LocationSchema.optional(),
  /** What the channel needs to write back to this chat (chat id, service URL…). */
  address: z.record(z.string(), z.unknown()).default({}),
});
export type InboundMessage = z.input<typeof InboundMessageSchema>;
export type ParsedInbound = z.output<typeof InboundMessageSchema>;

export interface OutboundMessage {
  text: string;
  /** Options the citizen can pick, in order; text-only channels number them. */
  choices: string[];
}

/** For channels without buttons: the choices as a numbered list under the text. */
export function renderChoicesAsText(message: OutboundMessage): string {
  if (message.choices.length === 0) return message.text;
  const lines = message.choices.map((choice, index) => `${index + 1}. ${choice}`);
  return `${message.text}\n\n${lines.join('\n')}`;
}
