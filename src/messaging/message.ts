// The shapes every channel speaks: what arrives from a citizen and what goes back.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MediaSchema = z.object({
  kind: z.enum(['image', 'audio', 'video', 'document', 'sticker', 'other']),
  url: z.string().optional(),
  mimeType: z.string().optional(),
  /** Platform file id (Telegram file_id, WhatsApp media id) to fetch it later. */
  fileId: z.string().optional(),
  /** Size in bytes, when the platform tells it (Telegram file_size): larger than limits.maxMediaBytes is refused. */
  size: z.number().int().nonnegative().optional(),
  /** What else the channel needs to download it later (Baileys' media keys), kept with the message. */
  source: z.record(z.string(), z.unknown()).optional(),
  /** Our Media row (src/media/), once the attachment was recorded: the dialogs keep this, not the platform's id. */
  id: z.string().max(100).optional(),
});
export type Media = z.infer<typeof MediaSchema>;

export const LocationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof LocationSchema>;

/** A lone UTF-16 surrogate: the database would store U+FFFD instead, and the stored id would no longer match. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** An id we look rows up by: stored exactly as given. */
const exactId = (max: number) => z.string().max(max).refine((id) => !LONE_SURROGATE.test(id), 'not well-formed Unicode');

export const InboundMessageSchema = z.object({
  channel: exactId(200).min(1),
  /** The citizen's id on the platform (Telegram user id, WhatsApp JID, web chat session). */
  userId: exactId(200).min(1),
  userName: z.string().max(200).optional(),
  text: z.string().default(''),
  /** The platform's id of this message, so that a second delivery is recognised. */
  platformMessageId: exactId(200).optional(),
  media: z.array(MediaSchema).default([]),
  location: LocationSchema.optional(),
  /** What the channel needs to write back to this chat (chat id, service URL…). */
  address: z.record(z.string(), z.unknown()).default({}),
  /**
   * Set when the platform sent something we could not read (a location off the globe, an id too
   * long…): the fields that failed. The message is stored and the citizen told, but the bot does
   * not act on it.
   */
  unreadable: z.array(z.string().max(100)).max(20).optional(),
});
export type InboundMessage = z.input<typeof InboundMessageSchema>;
export type ParsedInbound = z.output<typeof InboundMessageSchema>;

/** A message that names no chat we could answer (no usable user id, channel or address): it can only be logged. */
export class UnreadableInboundError extends Error {
  constructor(
    readonly channel: string | undefined,
    /** The fields that failed; never their values (they may be personal). */
    readonly problems: string[],
  ) {
    super(`inbound message names no chat that could be answered (${problems.join(', ')})`);
    this.name = 'UnreadableInboundError';
  }
}

/** Over-long platform ids are kept as a digest: a second delivery of the same message is still recognised. */
function platformIdDigest(id: string): string {
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * A channel's message as the adapter stores it. What the schema refuses is not thrown away with the
 * rest: as long as the citizen's chat can be named, the message is kept with what could be read and
 * the list of what could not (`unreadable`), so the citizen can be told. Only a message without a
 * usable chat throws (UnreadableInboundError).
 */
export function readInbound(input: unknown): ParsedInbound {
  const parsed = InboundMessageSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const shape = InboundMessageSchema.shape;
  const channel = shape.channel.safeParse(raw.channel);
  const userId = shape.userId.safeParse(raw.userId);
  const address = shape.address.safeParse(raw.address);
  const failed = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'message')))];
  if (!channel.success || !userId.success || !address.success) {
    throw new UnreadableInboundError(channel.success ? channel.data : undefined, failed);
  }
  // A name we cannot keep costs the citizen nothing; anything else makes the message unreadable.
  const unreadable = failed.filter((field) => field !== 'userName');
  if (unreadable.length === 0) return InboundMessageSchema.parse({ ...raw, userName: undefined });
  const id = shape.platformMessageId.safeParse(raw.platformMessageId);
  const text = shape.text.safeParse(raw.text);
  const userName = shape.userName.safeParse(raw.userName);
  return {
    channel: channel.data,
    userId: userId.data,
    userName: userName.success ? userName.data : undefined,
    // Kept for the record (an agent may read it); the bot does not act on an unreadable message.
    text: text.success ? text.data : '',
    platformMessageId: id.success ? id.data : typeof raw.platformMessageId === 'string' && raw.platformMessageId !== '' ? platformIdDigest(raw.platformMessageId) : undefined,
    media: [],
    address: address.data,
    unreadable: unreadable.slice(0, 20).map((field) => field.slice(0, 100)),
  };
}

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
