// The web chat channel: a page on the assistant's own server and a small JSON API behind it.
// A browser gets a random session token from the server and keeps it in localStorage, so the
// conversation survives a page reload. Only the holder of the token can read that conversation;
// the database keeps a hash of it, never the token itself.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ChatAdapter } from '../../bot/adapter.ts';
import type { ConversationStore } from '../../messaging/conversation-store.ts';
import type { Channel, ChannelDependencies } from '../channel.ts';
import { escapeHtml } from '../../http/html.ts';

export const WEBCHAT_CHANNEL = 'webchat';
const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
/** Longer than any message a citizen would type, short enough to refuse abuse. */
const MAX_TEXT = 20_000;

/** What the chat page loads: its own script, style and API, nothing from elsewhere. */
const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'";
const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.:[\]-]+$/;

const TokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const SendSchema = z.object({ text: z.string().max(MAX_TEXT), id: z.string().max(100).optional() });

function userIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

function tokenOf(request: Request): string | undefined {
  const parsed = TokenSchema.safeParse(request.header('x-chat-session'));
  return parsed.success ? parsed.data : undefined;
}

function publicMessage(row: { id: string; direction: string; author: string; text: string; payload: string; createdAt: Date }) {
  const payload = JSON.parse(row.payload) as { choices?: string[] };
  return { id: row.id, from: row.direction === 'in' ? 'citizen' : row.author, text: row.text, choices: payload.choices ?? [], at: row.createdAt.toISOString() };
}

export function webchatRouter(adapter: ChatAdapter, store: ConversationStore, municipalityName: string): Router {
  const router = express.Router();

  const page = readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8').replaceAll('{{name}}', escapeHtml(municipalityName));
  // ?embed=1: the same page inside the iframe of embed.js, without its own header (the panel has one).
  const embedPage = page.replace('<body ', '<body class="embed" ');
  const embedScript = readFileSync(path.join(STATIC_DIR, 'embed.js'), 'utf8');

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
      .replace("'{{title}}'", () => JSON.stringify(`${municipalityName} · Asistan`).replaceAll('<', '\\u003c'));
    response.setHeader('Cache-Control', 'public, max-age=3600');
    response.setHeader('Vary', 'Host');
    response.type('text/javascript').send(script);
  });
  router.use('/webchat', express.static(STATIC_DIR, { index: false, maxAge: '1h' }));

  router.post('/api/chat/session', (_request, response) => {
    response.json({ token: randomBytes(32).toString('base64url'), municipality: municipalityName });
  });

  router.post('/api/chat/messages', express.json({ limit: '256kb' }), async (request: Request, response: Response) => {
    const token = tokenOf(request);
    if (!token) return void response.status(401).json({ error: 'Oturum bulunamadı. Lütfen sayfayı yenileyin.' });
    const body = SendSchema.safeParse(request.body);
    if (!body.success) return void response.status(400).json({ error: `Mesaj en fazla ${MAX_TEXT} karakter olabilir.` });
    const result = await adapter.receive({
      channel: WEBCHAT_CHANNEL,
      userId: userIdOf(token),
      text: body.data.text,
      platformMessageId: body.data.id,
    });
    response.json({ duplicate: result.duplicate, replies: result.replies });
  });

  router.get('/api/chat/messages', async (request: Request, response: Response) => {
    const token = tokenOf(request);
    if (!token) return void response.status(401).json({ error: 'Oturum bulunamadı. Lütfen sayfayı yenileyin.' });
    const after = typeof request.query.after === 'string' ? request.query.after.slice(0, 100) : undefined;
    const conversationId = await store.findConversation(WEBCHAT_CHANNEL, userIdOf(token));
    if (!conversationId) return void response.json({ messages: [] });
    const rows = await store.transcript(conversationId, { afterId: after });
    response.json({ messages: rows.map(publicMessage) });
  });

  return router;
}

export function createWebchat({ adapter, store, config }: ChannelDependencies): Channel {
  return {
    name: WEBCHAT_CHANNEL,
    router: webchatRouter(adapter, store, config.municipality.name),
    start: async () => undefined,
    stop: async () => undefined,
  };
}
