// The supervisor's page: figures for a period, the CSV of tickets, failed deliveries sent again.
import express, { type Router } from 'express';
import { z } from 'zod';
import { consoleSession } from '../auth.ts';
import type { RouteContext } from './context.ts';
import { IdParams } from './validate.ts';

/** Days back from today; anything else (missing, not a whole number, over ten years) is 30. */
const PeriodQuery = z.object({ days: z.coerce.number().int().min(0).max(3650).catch(30) });

/** What writing to a response whose browser went away fails with. */
const BROWSER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE']);

export function statsRoutes({ config, logger, clock, stats, outbox, supervisorOnly, catalog }: RouteContext): Router {
  const api = express.Router();

  // What the assistant treats as an emergency: each kind, its number and department, and the
  // phrases it is recognised by in each language the citizens write in.
  api.get('/emergency-kinds', supervisorOnly, (_request, response) => {
    response.json({ kinds: catalog.emergencyKinds });
  });

  api.get('/stats', supervisorOnly, async (request, response) => {
    const { days } = PeriodQuery.parse(request.query);
    const [figures, failed] = await Promise.all([stats.figures(days), stats.failedMessages()]);
    response.json({ ...figures, failedMessages: failed, canRetry: Boolean(outbox) });
  });

  api.post('/messages/:id/retry', supervisorOnly, async (request, response) => {
    const params = IdParams.safeParse(request.params);
    if (!outbox || !params.success) return void response.status(404).json({ error: 'Mesaj bulunamadı.' });
    const id = params.data.id;
    const queued = await outbox.retry(id);
    if (!queued) return void response.status(409).json({ error: 'Bu mesaj yeniden gönderilemiyor (iletilmiş ya da zaten sırada olabilir).' });
    logger.info({ message: id, by: consoleSession(response).agent.username }, 'failed delivery queued again from the console');
    response.json({ ok: true });
  });

  api.get('/export.csv', supervisorOnly, async (request, response) => {
    const { days } = PeriodQuery.parse(request.query);
    const stamp = new Intl.DateTimeFormat('sv-SE', { timeZone: config.timeZone }).format(clock());
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="talepler-${stamp}.csv"`);
    // Streamed as the worker reads the rows: the next chunk is read once this one is sent, so a slow
    // download pauses the reading (back-pressure) and the chunk's memory can be written into again.
    const sent = (chunk: Buffer) => new Promise<void>((resolve, reject) => response.write(chunk, (error) => (error ? reject(error) : resolve())));
    try {
      await stats.csv(days, sent);
      response.end();
    } catch (error) {
      if (!response.headersSent) throw error;
      // The browser went away, or the worker failed mid-way: the response ends short, nothing to send.
      if (!BROWSER_GONE.has((error as { code?: string }).code ?? '')) logger.warn({ err: error }, 'CSV export ended early');
      response.destroy();
    }
  });

  return api;
}
