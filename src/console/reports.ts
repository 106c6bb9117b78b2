// The report worker as the main thread sees it: the figures as a promise, the CSV export as
// chunks handed to a writer (one chunk asked for at a time, so a slow download slows the reading of
// rows instead of filling memory). The thread starts at the first report and stops after some idle
// minutes, or at close().
// Figures and exports of a year take hundreds of milliseconds of SQLite and formatting at 350,000
// tickets; on the main thread every citizen's chat turn would wait behind them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { TicketReport } from '../storage/ticket-report.ts';

export type ReportRequest =
  | { id: number; kind: 'figures'; since: Date | null; now: Date; openStatuses: readonly string[] }
  | { id: number; kind: 'csv'; since: Date | null; now: Date }
  /** `written`: the previous chunk's memory, given back once the response has sent it, for the next chunk. */
  | { id: number; kind: 'more'; written?: ArrayBuffer }
  | { id: number; kind: 'cancel' };

export type ReportResponse = { id: number; figures: TicketReport } | { id: number; chunk: Uint8Array } | { id: number; done: true } | { id: number; error: string };

interface Pending {
  resolve(message: ReportResponse): void;
  reject(error: Error): void;
}

/** A thread without a report for this long stops (its 40–50 MB go back); the next report starts it again. */
const IDLE_MS = 10 * 60_000;

export class ReportWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Exports under way: between two chunks nothing is pending, but the thread holds their cursors. */
  private exporting = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    /** The database's URL (a SQLite file or PostgreSQL). */
    private readonly url: string,
    private readonly config: Config,
    private readonly logger?: Logger,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** Whether the thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Running, with no answer awaited and no export under way. */
  private get idle(): boolean {
    return this.worker !== undefined && this.pending.size === 0 && this.exporting === 0;
  }

  /** Stops the thread once nothing was asked of it for `idleMs`. */
  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    if (!this.idle) return;
    this.idleTimer = setTimeout(() => {
      const worker = this.worker;
      if (!worker || !this.idle) return;
      this.worker = undefined;
      this.logger?.info({ idleSeconds: Math.round(this.idleMs / 1000) }, 'report worker stopped: no report asked for meanwhile');
      void worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private thread(): Worker {
    clearTimeout(this.idleTimer);
    if (this.worker) return this.worker;
    if (this.url === 'file::memory:') throw new Error('reports need a database file: an in-memory database cannot be opened by the report worker');
    const worker = new Worker(new URL('./report-worker-boot.mjs', import.meta.url), {
      // The worker's module beside this one: compiled under `npm start` (dist/), TypeScript under tsx.
      workerData: { entry: new URL(`./report-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url).href, url: this.url, config: this.config },
      // Small heaps: this thread's garbage is rows and lines that live for one chunk, and whatever
      // V8 lets a heap grow to stays resident between reports. With V8's defaults the year's
      // export took the process from 360 to 530 MB; with these, to 410–440 MB, 15–25% slower
      // (docs/performance.md, "Memory"). A year's figures and a batch of the export's rows need
      // a few MB; the thread's modules about 15.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
    });
    worker.unref();
    worker.on('message', (message: ReportResponse) => this.pending.get(message.id)?.resolve(message));
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => {
      this.logger?.error({ err: error }, 'report worker failed');
      fail(error);
    });
    worker.on('exit', (code) => fail(new Error(`report worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /**
   * Starts the thread now, if it is not running: loading its modules takes a second or two (more
   * under load), which the first figures after start-up would otherwise wait for.
   */
  warm(): void {
    if (this.url === 'file::memory:') return;
    try {
      this.thread();
      this.stopWhenIdle();
    } catch (error) {
      this.logger?.warn({ err: error }, 'report worker could not start');
    }
  }

  /** Sends `request` (with the memory in `transfer` moved, not copied) and waits for the next answer to its id. */
  private ask(request: ReportRequest, transfer: ArrayBuffer[] = []): Promise<ReportResponse> {
    const worker = this.thread();
    return new Promise<ReportResponse>((resolve, reject) => {
      this.pending.set(request.id, {
        resolve: (message) => {
          this.pending.delete(request.id);
          this.stopWhenIdle();
          if ('error' in message) reject(new Error(`report worker: ${message.error}`));
          else resolve(message);
        },
        reject: (error) => {
          this.pending.delete(request.id);
          this.stopWhenIdle();
          reject(error);
        },
      });
      worker.postMessage(request, transfer);
    });
  }

  async figures(period: { since: Date | null; now: Date; openStatuses: readonly string[] }): Promise<TicketReport> {
    const answer = await this.ask({ id: this.nextId++, kind: 'figures', ...period });
    if (!('figures' in answer)) throw new Error('report worker: unexpected answer to figures');
    return answer.figures;
  }

  /**
   * The CSV's bytes (UTF-8, with its byte order mark), a chunk at a time, each given to `write`,
   * which resolves once the chunk is sent. Its memory then goes back to the worker, which writes
   * the next chunk into it: an export holds one chunk's memory, where chunks left to the garbage
   * collector piled up to 40 MB outside the heap during a year's export. Rejects with what `write`
   * rejects with (the browser went away), after telling the worker to stop reading.
   */
  async csv(period: { since: Date | null; now: Date }, write: (chunk: Buffer) => Promise<void>): Promise<void> {
    const id = this.nextId++;
    let finished = false;
    this.exporting++;
    try {
      let answer = await this.ask({ id, kind: 'csv', ...period });
      while ('chunk' in answer) {
        const { buffer, byteOffset, byteLength } = answer.chunk;
        await write(Buffer.from(buffer, byteOffset, byteLength));
        answer = await this.ask({ id, kind: 'more', written: buffer as ArrayBuffer }, [buffer as ArrayBuffer]);
      }
      finished = true;
    } finally {
      this.exporting--;
      if (!finished && this.worker) this.worker.postMessage({ id, kind: 'cancel' } satisfies ReportRequest);
      this.stopWhenIdle();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
