// The report worker's thread: the supervisor's figures and the CSV export, on connections of its
// own (read-only, WAL lets them read while the bot writes), so that a year of tickets is grouped,
// read and formatted here and never on the main thread where citizens' turns run (reports.ts).
// On PostgreSQL the queries run in the server and this thread reads and formats their results.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config.ts';
import { sqliteReportDb, ticketReport, ticketRows, type ReportDb, type ReportRow } from '../storage/ticket-report.ts';
import { postgresReportDb, reportPool, ticketRowsPostgres } from '../storage/ticket-report-postgres.ts';
import { Catalog } from './catalog.ts';
import type { ReportRequest, ReportResponse } from './reports.ts';
import { csvLines } from './stats.ts';

const { url, config } = workerData as { url: string; config: Config };
const catalog = Catalog.load(config);

/** The two databases' report queries, behind what this thread needs of them. */
interface ReportSource {
  /** The figures' connection (storage/ticket-report.ts has their queries, the same for both databases). */
  db: ReportDb;
  /** An export's rows; `close` ends its reading early. */
  rows(since: Date | null): { next(): ReportRow | undefined | Promise<ReportRow | undefined>; close(): void };
}

function sqliteSource(file: string): ReportSource {
  const open = () => {
    const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 10000');
    return sqlite;
  };
  return {
    db: sqliteReportDb(open()),
    rows(since) {
      // Each export reads in batches on its own connection (storage/ticket-report.ts).
      const sqlite = open();
      const rows = ticketRows(sqlite, since);
      return {
        // Synchronous: a year's export is 350,000 rows, each awaited row would cost a turn of the loop.
        next: () => rows.next().value ?? undefined,
        close: () => {
          rows.return(undefined);
          sqlite.close();
        },
      };
    },
  };
}

function postgresSource(databaseUrl: string): ReportSource {
  const pool = reportPool(databaseUrl);
  return {
    db: postgresReportDb(pool),
    rows(since) {
      const rows = ticketRowsPostgres(pool, since);
      return {
        next: async () => (await rows.next()).value ?? undefined,
        close: () => void rows.return(undefined),
      };
    },
  };
}

const source = url.startsWith('file:') ? sqliteSource(url.slice('file:'.length)) : postgresSource(url);
/** Export chunks of about this many characters: small enough for back-pressure, large enough to be cheap. */
const CHUNK = 64 * 1024;
type Job = { next(): Promise<string | null>; close(): void };
const exports = new Map<number, Job>();

const send = (message: ReportResponse) => parentPort!.postMessage(message);

function startExport(id: number, since: Date | null, now: Date): Job {
  // Read in batches, paused between chunks until the main thread has written the previous one:
  // memory stays constant however long the period, and no read snapshot is held across the pause.
  const rows = source.rows(since);
  // csvLines takes one row per line it makes: the next row is fetched (awaited) before each line.
  const buffer: ReportRow[] = [];
  let finished = false;
  const feed: Iterable<ReportRow> = { [Symbol.iterator]: () => ({ next: () => (buffer.length > 0 ? { value: buffer.shift()!, done: false } : { value: undefined, done: true }) }) };
  const lines = csvLines(feed, catalog, config.timeZone, now, config.integrations.consoleUrl);
  let first = true;
  const job: Job = {
    async next(): Promise<string | null> {
      let out = first ? '\uFEFF' : '';
      first = false;
      for (;;) {
        if (buffer.length === 0 && !finished) {
          const next = rows.next();
          const row = next instanceof Promise ? await next : next;
          if (row) buffer.push(row);
          else finished = true;
        }
        const line = lines.next();
        if (line.done) return out || null;
        out += line.value;
        if (out.length >= CHUNK) return out;
      }
    },
    close() {
      exports.delete(id);
      lines.return(undefined);
      rows.close();
    },
  };
  exports.set(id, job);
  return job;
}

const utf8 = new TextEncoder();
/** Chunks' memory the main thread gave back after sending them (reports.ts), written into again. */
const spare: ArrayBuffer[] = [];

/** `text` as UTF-8 in a given-back buffer large enough for it, or a new one. */
function encode(text: string): Uint8Array {
  // UTF-8 takes at most three bytes per UTF-16 unit; a chunk is CHUNK characters and a line more.
  const needed = text.length * 3;
  const index = spare.findIndex((buffer) => buffer.byteLength >= needed);
  const buffer = index >= 0 ? spare.splice(index, 1)[0]! : new ArrayBuffer(Math.max(needed, CHUNK * 3));
  const { written } = utf8.encodeInto(text, new Uint8Array(buffer));
  return new Uint8Array(buffer, 0, written);
}

async function pump(id: number, job: Job) {
  const chunk = await job.next();
  if (chunk === null) {
    job.close();
    send({ id, done: true });
    return;
  }
  // As bytes whose memory moves to the main thread (transferred, not copied): its heap never holds
  // the export's text, and the memory comes back with the request for the next chunk.
  const bytes = encode(chunk);
  parentPort!.postMessage({ id, chunk: bytes } satisfies ReportResponse, [bytes.buffer as ArrayBuffer]);
}

async function answer(request: ReportRequest): Promise<void> {
  if (request.kind === 'figures') {
    send({ id: request.id, figures: await ticketReport(source.db, { since: request.since, now: request.now, openStatuses: request.openStatuses }) });
  } else if (request.kind === 'csv') {
    await pump(request.id, startExport(request.id, request.since, request.now));
  } else if (request.kind === 'more') {
    if (request.written && spare.length < 2) spare.push(request.written);
    const job = exports.get(request.id);
    if (job) await pump(request.id, job);
  } else if (request.kind === 'cancel') {
    exports.get(request.id)?.close();
  }
}

parentPort!.on('message', (request: ReportRequest) => {
  answer(request).catch((error: unknown) => {
    exports.get(request.id)?.close();
    send({ id: request.id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  });
});
