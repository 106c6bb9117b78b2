// A console action on a conversation or a ticket: found and visible to the agent first (404
// otherwise), then run; Handoff's refusals become 409 and a body not in its schema 400.
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { HandoffError } from '../../handoff/handoff.ts';
import { consoleSession } from '../auth.ts';
import type { ConsoleViews } from '../views.ts';
import { firstIssue, IdParams } from './validate.ts';

export const CONVERSATION_NOT_FOUND = 'Görüşme bulunamadı ya da bu görüşmeyi görme yetkiniz yok.';
export const TICKET_NOT_FOUND = 'Talep bulunamadı ya da bu talebi görme yetkiniz yok.';

type Action = (request: Request, response: Response, id: string) => Promise<unknown>;

export function conversationAction(views: ConsoleViews, action: Action) {
  return async (request: Request, response: Response, next: NextFunction) => {
    const params = IdParams.safeParse(request.params);
    if (!params.success || !(await views.canOpenConversation(consoleSession(response).agent, params.data.id))) return void response.status(404).json({ error: CONVERSATION_NOT_FOUND });
    await run(response, next, () => action(request, response, params.data.id));
  };
}

export function ticketAction(views: ConsoleViews, action: Action) {
  return async (request: Request, response: Response, next: NextFunction) => {
    const params = IdParams.safeParse(request.params);
    if (!params.success || !(await views.ticketVisible(consoleSession(response).agent, params.data.id))) return void response.status(404).json({ error: TICKET_NOT_FOUND });
    await run(response, next, () => action(request, response, params.data.id));
  };
}

async function run(response: Response, next: NextFunction, action: () => Promise<unknown>) {
  try {
    await action();
    if (!response.headersSent) response.json({ ok: true });
  } catch (error) {
    if (error instanceof HandoffError) return void response.status(409).json({ error: error.message });
    if (error instanceof z.ZodError) return void response.status(400).json({ error: firstIssue(error) });
    next(error);
  }
}
