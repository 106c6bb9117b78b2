// Server-sent events for the console's live views. Only small "changed" notices travel (what
// kind of thing changed and its ids); the page refetches what it shows. A comment line every
// 25 seconds keeps proxies from closing the stream and checks that the session still exists.
import type { Request, Response } from 'express';
import type { CozumEvents, CozumEventMap } from '../handoff/events.ts';
import type { ConsoleAuth, ConsoleSession } from './auth.ts';

export const HEARTBEAT_MS = 25_000;

export function streamEvents(events: CozumEvents, auth: ConsoleAuth, session: ConsoleSession, request: Request, response: Response, heartbeatMs = HEARTBEAT_MS): void {
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Connection', 'keep-alive');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  response.write('retry: 3000\n\n');

  let closed = false;
  const send = (data: Record<string, unknown>) => {
    if (!closed) response.write(`event: changed\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const onMessage = (e: CozumEventMap['message'][0]) => send({ kind: 'message', conversationId: e.conversationId, direction: e.direction });
  const onConversation = (e: CozumEventMap['conversation'][0]) => send({ kind: 'conversation', conversationId: e.conversationId });
  const onTicket = (e: CozumEventMap['ticket'][0]) => send({ kind: 'ticket', ticketId: e.ticketId, conversationId: e.conversationId ?? null });
  events.on('message', onMessage);
  events.on('conversation', onConversation);
  events.on('ticket', onTicket);

  const timer = setInterval(() => {
    auth
      .stillValid(session.id)
      .then((valid) => {
        if (closed) return;
        if (valid) return void response.write(': ping\n\n');
        response.write('event: logout\ndata: {}\n\n');
        response.end();
        cleanup();
      })
      .catch(() => undefined);
  }, heartbeatMs);
  timer.unref();

  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    events.off('message', onMessage);
    events.off('conversation', onConversation);
    events.off('ticket', onTicket);
  };
  request.on('close', cleanup);
  response.on('close', cleanup);
}
