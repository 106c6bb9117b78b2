// The live stream (server-sent events) the pages listen to.
import express, { type Router } from 'express';
import { z } from 'zod';
import { consoleSession } from '../auth.ts';
import { streamEvents } from '../live.ts';
import type { RouteContext } from './context.ts';
import { Id } from './validate.ts';

const EventsQuery = z.object({ conversation: Id.optional().catch(undefined) });

export function eventRoutes({ events, handoffs, audience, auth, views, heartbeatMs }: RouteContext): Router {
  const api = express.Router();

  api.get('/events', async (request, response, next) => {
    try {
      const session = consoleSession(response);
      // The page of one conversation hears all of its messages, if the agent may open it.
      const wanted = EventsQuery.parse(request.query).conversation;
      const conversationId = wanted && (await views.canOpenConversation(session.agent, wanted)) ? wanted : undefined;
      streamEvents(events, handoffs, audience, auth, session, request, response, { conversationId, heartbeatMs });
    } catch (error) {
      next(error);
    }
  });

  return api;
}
