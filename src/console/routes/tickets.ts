// A ticket of a conversation: notes, its status, passing it to another department or agent.
import express, { type Router } from 'express';
import { z } from 'zod';
import { HandoffError } from '../../handoff/handoff.ts';
import { TicketStatusSchema } from '../../tickets/status.ts';
import { consoleSession } from '../auth.ts';
import { ticketAction } from './actions.ts';
import type { RouteContext } from './context.ts';
import { Id } from './validate.ts';

const NoteBody = z.object({ text: z.string().trim().min(1, 'Boş not eklenemez.').max(4000, 'Not en fazla 4000 karakter olabilir.') });
const TransferBody = z.object({ department: z.string().trim().max(200).optional(), agentId: Id.optional(), note: z.string().trim().max(2000).default('') });
const StatusBody = z.object({ status: TicketStatusSchema, note: z.string().trim().max(2000).default('') });

export function ticketRoutes({ db, views, handoff, catalog }: RouteContext): Router {
  const api = express.Router();

  api.post('/tickets/:id/notes', ticketAction(views, (request, response, id) => handoff.addNote(consoleSession(response).agent, id, NoteBody.parse(request.body ?? {}).text)));
  api.post('/tickets/:id/status', ticketAction(views, async (request, response, id) => {
    const body = StatusBody.parse(request.body ?? {});
    await handoff.setStatus(consoleSession(response).agent, id, body.status, body.note);
  }));
  api.post('/tickets/:id/transfer', ticketAction(views, async (request, response, id) => {
    const body = TransferBody.parse(request.body ?? {});
    const department = body.department || undefined;
    if (!department && !body.agentId) throw new HandoffError('Bir birim ya da görevli seçin.');
    if (department && !(await catalog.departments(db)).includes(department)) throw new HandoffError('Bu birim tanımlı değil.');
    if (body.agentId && !(await db.agent.findFirst({ where: { id: body.agentId, active: true }, select: { id: true } }))) throw new HandoffError('Aktarılacak görevli bulunamadı.');
    await handoff.transfer(consoleSession(response).agent, id, { department, agentId: body.agentId }, body.note);
  }));

  return api;
}
