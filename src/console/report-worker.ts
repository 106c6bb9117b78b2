// The report worker's thread: the supervisor's figures and the CSV export, on connections of its
// own (read-only, WAL lets them read while the bot writes), so that a year of tickets is grouped,
// read and formatted here and never on the main thread where citizens' turns run (reports.ts).
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config.ts';
import { ticketReport, ticketRows } from '../storage/ticket-report.ts';
import { Catalog } from './catalog.ts';
import type { ReportRequest, ReportResponse } from './reports.ts';
import { csvLines } from './stats.ts';

const { file, config } = workerData as { file: string; config: Config };
const catalog = Catalog.load(config);
const open = () => {
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 10000');
  return sqlite;
};
let shared: BetterSqlite3.Database | undefined;
/** Export chunks of about this many characters: small enough for back-pressure, large enough to be cheap. */
const CHUNK = 64 * 1024;
const exports = new Map<number, { next(): string | null; close(): void }>();

const send = (message: ReportResponse) => parentPort!.postMessage(message);

function startExport(id: number, since: Date | null, now: Date) {
  const sqlite = open();
  // Each export reads in batches on its own connection (storage/ticket-report.ts), paused between
  // chunks until the main thread has written the previous one: memory stays constant however long
  // the period, and no read snapshot is held across the pause.
  const lines = csvLines(ticketRows(sqlite, since), catalog, config.timeZone, now);
  let first = true;
  const job = {
    next(): string | null {
      let out = first ? '\uFEFF' : '';
      first = false;
      for (;;) {
        const line = lines.next();
        if (line.done) return out || null;
        out += line.value;
        if (out.length >= CHUNK) return out;
      }
    },
    close() {
      exports.delete(id);
      lines.return(undefined);
      sqlite.close();
    },
  };
  exports.set(id, job);
  return job;
}

function pump(id: number, job: { next(): string | null; close(): void }) {
  const chunk = job.next();
  if (chunk === null) {
    job.close();
    send({ id, done: true });
  } else send({ id, chunk });
}

parentPort!.on('message', (request: ReportRequest) => {
  try {
    if (request.kind === 'figures') {
      shared ??= open();
      send({ id: request.id, figures: ticketReport(shared, { since: request.since, now: request.now, openStatuses: request.openStatuses }) });
    } else if (request.kind === 'csv') {
      pump(request.id, startExport(request.id, request.since, request.now));
    } else if (request.kind === 'more') {
      const job = exports.get(request.id);
      if (job) pump(request.id, job);
    } else if (request.kind === 'cancel') {
      exports.get(request.id)?.close();
    }
  } catch (error) {
    exports.get(request.id)?.close();
    send({ id: request.id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});
