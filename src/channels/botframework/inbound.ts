// Bot Framework → Çözüm: an activity checked before botbuilder sees it (what the code needs and
// does not find is a 400), then read as an InboundMessage (text, attachments, a location entity).
import { TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import type { InboundMessage, Media } from '../../messaging/message.ts';

/**
 * Conversation and activity ids end up in the path of the URLs replies are posted to. botbuilder
 * percent-encodes them, but a server that decodes %2F would still walk up the path: ids are held to
 * the characters Bot Framework channels use (Teams: `19:…@thread.tacv2;messageid=…`, `a:1…`;
 * Direct Line: `…-us`; the Emulator: a uuid with `|livechat`), without slashes, percent signs,
 * question marks or dot-only names.
 */
export const PathSafeId = z
  .string()
  .regex(/^[A-Za-z0-9:@;=|.,_+!$*'()~-]{1,500}$/, 'unexpected characters')
  .refine((id) => !/^\.+$/.test(id), 'dots only');

/** What the code needs from an activity, checked before botbuilder sees it: what is missing or malformed is a 400, not a crash or a failed turn. */
export const ActivityShape = z.looseObject({
  type: z.string().min(1).max(100),
  id: PathSafeId.optional(),
  channelId: z.string().regex(/^[A-Za-z0-9._-]{1,50}$/),
  serviceUrl: z.string().min(1).max(500),
  text: z.string().max(100_000).optional(),
  from: z.looseObject({ id: z.string().min(1).max(1000) }),
  // TurnContext.removeRecipientMention reads it.
  recipient: z.looseObject({ id: z.string().min(1).max(1000) }),
  conversation: z.looseObject({ id: PathSafeId }),
});

export const BOTFRAMEWORK_CHANNEL = 'botframework';

export const BOTFRAMEWORK_PREFIX = `${BOTFRAMEWORK_CHANNEL}:`;

function mediaKind(contentType: string): Media['kind'] | undefined {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType === 'application/pdf' || contentType.startsWith('application/vnd.openxmlformats') || contentType === 'application/msword') return 'document';
  // Cards, Teams' text/html copy of the message, file consent cards: not something the citizen sent.
  return undefined;
}

/**
 * A file a citizen sent in Teams arrives as a "download info" attachment: its contentUrl is the
 * file's SharePoint address (which needs a Microsoft login), its content a short-lived download URL
 * that does not, and the file's extension.
 */
const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';

function teamsFileKind(fileType: string): Media['kind'] | undefined {
  const extension = fileType.toLowerCase();
  if (['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'bmp'].includes(extension)) return 'image';
  if (['mp3', 'm4a', 'ogg', 'oga', 'opus', 'wav', 'aac', 'amr'].includes(extension)) return 'audio';
  if (['mp4', 'mov', 'webm', '3gp'].includes(extension)) return 'video';
  if (['pdf', 'doc', 'docx'].includes(extension)) return 'document';
  return undefined;
}

function teamsFile(content: unknown): Media | undefined {
  const file = content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
  const kind = teamsFileKind(typeof file?.fileType === 'string' ? file.fileType : '');
  return kind && typeof file?.downloadUrl === 'string' ? { kind, url: file.downloadUrl } : undefined;
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
    if (attachment.contentType === TEAMS_FILE) {
      const file = teamsFile(attachment.content);
      if (file) media.push(file);
      continue;
    }
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
