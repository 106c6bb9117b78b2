// One conversation: reading it (with one of its tickets), taking it, answering, handing it back.
import express, { type Router } from 'express';
import { z } from 'zod';
import { consoleSession } from '../auth.ts';
import { CONVERSATION_NOT_FOUND, conversationAction } from './actions.ts';
import type { RouteContext } from './context.ts';
import { Id, IdParams } from './validate.ts';

const ConversationQuery = z.object({ ticket: Id.optional().catch(undefined) });
const ReplyBody = z.object({ text: z.string().trim().min(1, 'Boş mesaj gönderilemez.').max(4000, 'Mesaj en fazla 4000 karakter olabilir.') });

export function conversationRoutes({ views, handoff, mapTiles }: RouteContext): Router {
  const api = express.Router();

  api.get('/conversations/:id', async (request, response) => {
    const params = IdParams.safeParse(request.params);
    const { ticket } = ConversationQuery.parse(request.query);
    const view = params.success ? await views.conversation(consoleSession(response).agent, params.data.id, ticket) : undefined;
    if (!view) return void response.status(404).json({ error: CONVERSATION_NOT_FOUND });
    response.json({ ...view, mapTiles });
  });

  api.post('/conversations/:id/claim', conversationAction(views, (_q, response, id) => handoff.claim(consoleSession(response).agent, id)));
  api.post('/conversations/:id/reply', conversationAction(views, (request, response, id) => handoff.reply(consoleSession(response).agent, id, ReplyBody.parse(request.body ?? {}).text)));
  api.post('/conversations/:id/release', conversationAction(views, (_q, response, id) => handoff.release(consoleSession(response).agent, id)));

  return api;
}
