// The web chat channel: a page on the assistant's own server and a small JSON API behind it.
// A browser gets a random session token from the server (sessions.ts) and keeps it in
// localStorage, so the conversation survives a page reload. Only the holder of the token can read
// that conversation; the database keeps a hash of it, never the token itself. Per address and per
// session limits keep one machine from filling the database (answered 429 with Retry-After and a
// sentence the page shows).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ChatAdapter } from '../../messaging/adapter.ts';
import type { Config } from '../../config.ts';
import { clientAddress } from '../../http/client-address.ts';
import { readCookie } from '../../http/cookies.ts';
import { escapeHtml } from '../../http/html.ts';
import { overLimit, tooMany } from '../../http/rate-limits.ts';
import type { ConversationStore } from '../../messaging/conversation-store.ts';
import { LocationSchema } from '../../messaging/message.ts';
import { WebUploads } from './uploads.ts';
import type { Database } from '../../storage/database.ts';
import { databaseLimits, memoryLimits, type RateLimitStore } from '../../storage/rate-limits.ts';
import type { Channel, ChannelDependencies, ChannelTexts } from '../channel.ts';
import { greetingHtml } from './greeting.ts';
import { WebchatSessions } from './sessions.ts';

export const WEBCHAT_CHANNEL = 'webchat';
const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
/** Longer than any message a citizen would type, short enough to refuse abuse. */
const MAX_TEXT = 20_000;

/** What the chat page loads: its own script, style and API, nothing from elsewhere. */
const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'";
const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.:[\]-]+$/;

/**
 * Where the browser gives the chat's frame no storage (third-party storage blocked), the session
 * travels in this cookie instead: HttpOnly (no script reads it), and Partitioned (CHIPS: kept per
 * site that frames the chat, allowed where third-party cookies are not), so no page around the
 * chat ever holds or chooses the token.
 */
const SESSION_COOKIE = 'cozum_chat';
const SESSION_COOKIE_DAYS = 180;
const SendSchema = z.object({ text: z.string().max(MAX_TEXT), id: z.string().max(100).optional(), location: LocationSchema.optional() });
/** An upload's own id (the page's message id): the same upload sent twice is kept once. */
const UploadQuery = z.object({ id: z.string().max(100).optional().catch(undefined) });
/** A message costs one point of the per-address limit per started block of this many characters. */
const CHARACTERS_PER_POINT = 1000;

/** A wait rounded up as the citizen reads it: seconds under a minute, then whole minutes, then hours. */
export function roundedWaitSeconds(ms: number): number {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? seconds : Math.ceil(seconds / 60) * 60;
}

/** The best of `offered` in an Accept-Language header ("ar-SY,ar;q=0.9,en;q=0.8"), by the header's order of preference. */
export function preferredLanguage(header: string | undefined, offered: readonly string[]): string | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = Number(parameters.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { language: tag.trim().slice(0, 2).toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0 && offered.includes(entry.language))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.language;
}

/** The page's token (X-Chat-Session, from its localStorage), or the cookie where it has no storage. */
function tokenOf(request: Request): string | undefined {
  return request.header('x-chat-session') ?? readCookie(request.headers.cookie, SESSION_COOKIE);
}

function publicMessage(row: { id: string; direction: string; author: string; text: string; payload: string; createdAt: Date }) {
  const payload = JSON.parse(row.payload) as { choices?: string[]; media?: unknown[]; location?: unknown };
  // What the citizen sent besides words: the page shows it as "📷 Photo" or "📍 Location".
  const attachment = payload.media?.length ? 'photo' : payload.location ? 'pin' : null;
  return { id: row.id, from: row.direction === 'in' ? 'citizen' : row.author, text: row.text, choices: payload.choices ?? [], attachment, at: row.createdAt.toISOString() };
}

export interface WebchatDependencies {
  adapter: ChatAdapter;
  store: ConversationStore;
  db: Database;
  municipalityName: string;
  /** The first bubble, in the page as it is served (bot/texts.yaml: webGreeting, menuButton). */
  greeting?: { text: string; button: string };
  /**
   * The page's own words in each language, Turkish first: the page shows those of the citizen's
   * language once the server names it, and a new visitor's browser language before that; the
   * server's refusals are worded in the citizen's language (a new visitor's browser's).
   */
  words?: Record<string, ChannelTexts>;
  limits: Config['limits']['http'];
  /** Counters of new sessions: kept across restarts (the database). */
  durableLimits: RateLimitStore;
  /** Counters of messages and reads: a check per request, kept in memory or Redis. */
  fastLimits: RateLimitStore;
  /** Largest upload (a photo or file from the attach button), in bytes. */
  maxUploadBytes?: number;
}

/** The web chat page's own words (bot/texts.yaml `web…`). */
export type WebLabels = Pick<
  ChannelTexts,
  'webTitle' | 'webSubtitle' | 'webChatLabel' | 'webInputLabel' | 'webPlaceholder' | 'webSend' | 'webOffline' | 'webSendAgain' | 'webAttach' | 'webLocation' | 'webPhoto' | 'webPin' | 'webLocationRefused'
>;

const labelsOf = (words: ChannelTexts): WebLabels => ({
  webTitle: words.webTitle, webSubtitle: words.webSubtitle, webChatLabel: words.webChatLabel, webInputLabel: words.webInputLabel,
  webPlaceholder: words.webPlaceholder, webSend: words.webSend, webOffline: words.webOffline, webSendAgain: words.webSendAgain,
  webAttach: words.webAttach, webLocation: words.webLocation, webPhoto: words.webPhoto, webPin: words.webPin, webLocationRefused: words.webLocationRefused,
});

export function webchatRouter({ adapter, store, db, municipalityName, greeting, words, limits, durableLimits, fastLimits, maxUploadBytes = 10 * 1024 * 1024 }: WebchatDependencies): Router {
  const router = express.Router();
  const uploads = new WebUploads();
  adapter.mediaFetchers.register(WEBCHAT_CHANNEL, uploads);
  const sessions = new WebchatSessions(db, WEBCHAT_CHANNEL);
  const perMinute = (counters: RateLimitStore, name: string, points: number) => (points > 0 ? counters.limiter({ name, points, seconds: 60, holdInMemory: true }) : undefined);
  const newSessions = perMinute(durableLimits, 'webchat:sessions', limits.chatSessions);
  const messagesByAddress = perMinute(fastLimits, 'webchat:messages', limits.chatMessages);
  const messagesBySession = perMinute(fastLimits, 'webchat:session-messages', limits.chatMessagesPerSession);
  const reads = perMinute(fastLimits, 'webchat:reads', limits.chatReads);

  const page = readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8')
    .replace('{{greeting}}', () => (greeting ? greetingHtml(greeting.text, [greeting.button]) : ''))
    .replaceAll('{{name}}', escapeHtml(municipalityName))
    // Read by chat.js as data (never run): "<" escaped, so nothing in it can end the element.
    .replace('{{labels}}', () => JSON.stringify(Object.fromEntries(Object.entries(words ?? {}).map(([language, w]) => [language, labelsOf(w)]))).replaceAll('<', '\\u003c'));
  const offered = Object.keys(words ?? {});
  // The words of a refusal: the citizen's language once known, else the browser's, else Turkish.
  const wordsFor = async (request: Request, userId?: string): Promise<ChannelTexts | undefined> => {
    if (!words) return undefined;
    const known = userId ? await sessions.languageOf(userId) : null;
    const language = known && words[known] ? known : preferredLanguage(request.header('accept-language'), offered);
    return (language && words[language]) || Object.values(words)[0];
  };
  const refuse = async (request: Request, response: Response, status: number, say: (w: ChannelTexts) => string, fallback: string, userId?: string) => {
    const w = await wordsFor(request, userId);
    response.status(status).json({ error: w ? say(w) : fallback });
  };
  const tooManyFor = async (request: Request, response: Response, waitMs: number, key: 'webTooManySessions' | 'webTooManyMessages' | 'webTooManyReads', userId?: string) => {
    const w = await wordsFor(request, userId);
    return tooMany(request, response, waitMs, w?.format(key, { duration: w.duration(roundedWaitSeconds(waitMs)) }));
  };
  // ?embed=1: the same page inside the iframe of embed.js, without its own header (the panel has one).
  const embedPage = page.replace('<body ', '<body class="embed" ');
  const embedScript = readFileSync(path.join(STATIC_DIR, 'embed.js'), 'utf8');
  // The panel's title and buttons in each language, Turkish first: embed.js picks the host page's
  // language (or the browser's) and follows the chat once the citizen's language is known.
  const embedWords = Object.fromEntries(Object.entries(words ?? {}).map(([language, w]) => [language, { title: w.webTitle, open: w.webOpen, close: w.webClose }]));

  // The chat page may be framed by any site (the municipality's, its district sites…): it holds only
  // the visitor's own conversation, whose token never leaves this origin. Nothing else here may be
  // framed. CSP frame-ancestors is what browsers obey; X-Frame-Options has no "any origin" value,
  // so the page sends none and the other responses send DENY for older browsers.
  router.use(['/webchat', '/api/chat'], (_request, response, next) => {
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    next();
  });
  router.get('/', (request, response) => {
    response.setHeader('Content-Security-Policy', `${PAGE_POLICY}; frame-ancestors *`);
    response.type('html').send(request.query.embed === '1' ? embedPage : page);
  });
  router.get('/webchat/embed.js', (request, response) => {
    // The script finds the assistant's origin from its own URL; the origin written in is a fallback.
    const origin = `${request.protocol}://${request.get('host') ?? ''}`;
    const script = embedScript
      .replace("'{{origin}}'", () => JSON.stringify(ORIGIN_PATTERN.test(origin) ? origin : '').replaceAll('<', '\\u003c'))
      .replace("'{{titles}}'", () => JSON.stringify(embedWords).replaceAll('<', '\\u003c'));
    response.setHeader('Cache-Control', 'public, max-age=3600');
    response.setHeader('Vary', 'Host');
    response.type('text/javascript').send(script);
  });
  router.use('/webchat', express.static(STATIC_DIR, { index: false, maxAge: '1h' }));
  // Browsers ask for /favicon.ico whatever the page says; the chat's icon answers it.
  router.get('/favicon.ico', (_request, response) => {
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.type('image/svg+xml').sendFile(path.join(STATIC_DIR, 'favicon.svg'));
  });

  router.post('/api/chat/session', async (request, response) => {
    const waitMs = newSessions ? await overLimit(newSessions, clientAddress(request)) : 0;
    if (waitMs > 0) return tooManyFor(request, response, waitMs, 'webTooManySessions');
    const token = await sessions.issue();
    response.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/api/chat; Max-Age=${SESSION_COOKIE_DAYS * 86_400}; HttpOnly; Secure; SameSite=None; Partitioned`);
    response.json({ token, municipality: municipalityName });
  });

  router.post('/api/chat/messages', express.json({ limit: '256kb' }), async (request: Request, response: Response) => {
    const userId = await sessions.userOf(tokenOf(request));
    if (!userId) return refuse(request, response, 401, (w) => w.webNoSession, 'No session.');
    const body = SendSchema.safeParse(request.body);
    if (!body.success) return refuse(request, response, 400, (w) => w.format('webMessageTooLong', { max: MAX_TEXT }), `At most ${MAX_TEXT} characters.`, userId);
    // Counted before anything is stored: a refused message costs the database nothing.
    const cost = Math.max(1, Math.ceil(body.data.text.length / CHARACTERS_PER_POINT));
    const waitMs = Math.max(
      messagesBySession ? await overLimit(messagesBySession, userId) : 0,
      messagesByAddress ? await overLimit(messagesByAddress, clientAddress(request), cost) : 0,
    );
    if (waitMs > 0) return tooManyFor(request, response, waitMs, 'webTooManyMessages', userId);
    const result = await adapter.receive({
      channel: WEBCHAT_CHANNEL,
      userId,
      text: body.data.text,
      platformMessageId: body.data.id,
      location: body.data.location,
    });
    response.json({ duplicate: result.duplicate, replies: result.replies, language: await sessions.languageOf(userId) });
  });

  // A photo or file from the attach button (the page has scaled a photo down already): the bytes
  // wait in memory for the media download that follows the stored message (src/media/), which reads
  // their real type and keeps or refuses them; the citizen's answer comes as for a message.
  const readUpload = express.raw({ type: () => true, limit: maxUploadBytes });
  router.post('/api/chat/uploads', async (request: Request, response: Response) => {
    const userId = await sessions.userOf(tokenOf(request));
    if (!userId) return refuse(request, response, 401, (w) => w.webNoSession, 'No session.');
    const waitMs = Math.max(
      messagesBySession ? await overLimit(messagesBySession, userId) : 0,
      messagesByAddress ? await overLimit(messagesByAddress, clientAddress(request)) : 0,
    );
    if (waitMs > 0) return tooManyFor(request, response, waitMs, 'webTooManyMessages', userId);
    const read = await new Promise<unknown>((resolve) => readUpload(request, response, (error?: unknown) => resolve(error)));
    if (read || !Buffer.isBuffer(request.body) || request.body.length === 0) {
      const tooLarge = (read as { type?: string } | undefined)?.type === 'entity.too.large';
      const megabytes = Math.floor(maxUploadBytes / (1024 * 1024));
      if (tooLarge) return refuse(request, response, 413, (w) => w.format('mediaTooLarge', { megabytes }), `At most ${megabytes} MB.`, userId);
      return refuse(request, response, 400, (w) => w.webUploadEmpty, 'Empty upload.', userId);
    }
    const { id } = UploadQuery.parse(request.query);
    const mimeType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim();
    const kind = mimeType.startsWith('image/') ? 'image' : mimeType.startsWith('audio/') ? 'audio' : mimeType.startsWith('video/') ? 'video' : 'document';
    const result = await adapter.receive({
      channel: WEBCHAT_CHANNEL,
      userId,
      text: '',
      platformMessageId: id,
      media: [{ kind, fileId: uploads.keep(request.body), ...(mimeType ? { mimeType } : {}), size: request.body.length }],
    });
    response.json({ duplicate: result.duplicate, replies: result.replies, language: await sessions.languageOf(userId) });
  });

  router.get('/api/chat/messages', async (request: Request, response: Response) => {
    const waitMs = reads ? await overLimit(reads, clientAddress(request)) : 0;
    if (waitMs > 0) return tooManyFor(request, response, waitMs, 'webTooManyReads');
    const userId = await sessions.userOf(tokenOf(request));
    if (!userId) return refuse(request, response, 401, (w) => w.webNoSession, 'No session.');
    const after = typeof request.query.after === 'string' ? request.query.after.slice(0, 100) : undefined;
    const conversationId = await store.findConversation(WEBCHAT_CHANNEL, userId);
    if (!conversationId) return void response.json({ messages: [] });
    const rows = await store.transcript(conversationId, { afterId: after });
    // The page's first read (a reload) learns the language too; its polls every few seconds do not ask.
    response.json({ messages: rows.map(publicMessage), ...(after === undefined ? { language: await sessions.languageOf(userId) } : {}) });
  });

  // A body that is not JSON or too large for the chat's API: the citizen reads why, in their language.
  router.use('/api/chat', (error: Error & { status?: number }, request: Request, response: Response, next: (error?: unknown) => void) => {
    if (!error.status || error.status < 400 || error.status >= 500) return next(error);
    void refuse(request, response, error.status, (w) => w.webUnreadable, 'Unreadable request.').catch(next);
  });

  return router;
}

export function createWebchat({ adapter, store, config, db, limits, fastLimits, texts, textsIn, languages }: ChannelDependencies): Channel {
  return {
    name: WEBCHAT_CHANNEL,
    router: webchatRouter({
      adapter,
      store,
      db,
      municipalityName: config.municipality.name,
      greeting: texts && { text: texts.webGreeting, button: texts.menuButton },
      words: texts && Object.fromEntries((languages ?? ['tr']).map((language) => [language, textsIn?.(language) ?? texts])),
      limits: config.limits.http,
      durableLimits: limits ?? databaseLimits(db),
      fastLimits: fastLimits ?? memoryLimits(),
      maxUploadBytes: config.limits.maxMediaBytes,
    }),
    start: async () => undefined,
    stop: async () => undefined,
  };
}
