// What citizens sent, for the agents allowed to open the conversation it came in (issue 16): the
// photo (re-encoded without metadata when it was stored), a thumbnail of it, the voice note, the
// file. The address is the Media row's random id; the session is checked on every request (the
// JSON API's login check answers 401 before this), and an agent of another department gets 403.
// A download that failed for good can be put back in line from the conversation (POST …/retry,
// with the session's CSRF token like every console POST).
import express, { type Router } from 'express';
import { z } from 'zod';
import { LRUCache } from 'lru-cache';
import { thumbnailOf } from '../../media/content.ts';
import { consoleSession } from '../auth.ts';
import type { RouteContext } from './context.ts';

const MediaParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
const MediaQuery = z.object({ thumb: z.literal('1').optional().catch(undefined) });

/** What agents read when a media request is refused. */
export const MEDIA_ERRORS = {
  notFound: 'Dosya bulunamadı.',
  forbidden: 'Bu dosyayı açma yetkiniz yok.',
  notReceived: 'Dosya henüz alınmadı ya da alınamadı.',
  notFailed: 'Bu dosya için yeniden deneme gerekmiyor: alınmış ya da zaten alınmaya çalışılıyor.',
};

/** File names a download offers, by type. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/x-m4a': 'm4a', 'audio/aac': 'aac',
  'audio/amr': 'amr', 'audio/wav': 'wav', 'video/mp4': 'mp4', 'video/3gpp': '3gp', 'video/quicktime': 'mov', 'application/pdf': 'pdf',
};

export function mediaRoutes({ views, media }: RouteContext): Router {
  const api = express.Router();
  // Thumbnails are small and asked for on every refresh of a conversation: kept for a while.
  const thumbnails = new LRUCache<string, Buffer>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (value) => value.length || 1 });

  api.get('/media/:id', async (request, response) => {
    const params = MediaParams.safeParse(request.params);
    const row = params.success && media ? await media.row(params.data.id) : undefined;
    if (!row) return void response.status(404).json({ error: MEDIA_ERRORS.notFound });
    if (!(await views.canOpenConversation(consoleSession(response).agent, row.conversationId))) return void response.status(403).json({ error: MEDIA_ERRORS.forbidden });
    const content = await media!.content(row.id);
    if (!content) return void response.status(404).json({ error: MEDIA_ERRORS.notReceived });
    const { thumb } = MediaQuery.parse(request.query);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'private, no-store');
    if (thumb && content.kind === 'image') {
      let small = thumbnails.get(row.id);
      if (!small) {
        small = await thumbnailOf(content.bytes);
        thumbnails.set(row.id, small);
      }
      return void response.type('image/jpeg').send(small);
    }
    // Pictures and sound play in the page; anything else (a PDF) is downloaded, never rendered here.
    const inline = content.kind === 'image' || content.kind === 'audio' || content.kind === 'video';
    const name = `cozum-${row.id.slice(0, 8)}.${EXTENSIONS[content.mimeType] ?? 'bin'}`;
    response.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${name}"`);
    response.type(content.mimeType).send(content.bytes);
  });

  // "Yeniden dene" next to a file the channel never gave: the download starts again from its first attempt.
  api.post('/media/:id/retry', async (request, response) => {
    const params = MediaParams.safeParse(request.params);
    const row = params.success && media ? await media.row(params.data.id) : undefined;
    if (!row) return void response.status(404).json({ error: MEDIA_ERRORS.notFound });
    if (!(await views.canOpenConversation(consoleSession(response).agent, row.conversationId))) return void response.status(403).json({ error: MEDIA_ERRORS.forbidden });
    if (!(await media!.retry(row.id))) return void response.status(409).json({ error: MEDIA_ERRORS.notFailed });
    response.json({ ok: true });
  });

  return api;
}
