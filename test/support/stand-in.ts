// What the platform stand-ins share: an HTTP server on 127.0.0.1 that records calls and lets a
// test wait for them, and a platform that takes its time to answer a send (`latency.slowMs`) or
// does not answer at all until the test lets it (`latency.hold()` / `release()`).
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForEvent } from './wait.ts';

export class Latency {
  /** Milliseconds every send waits before it is answered. */
  slowMs = 0;
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  /** Sends wait from now on, until `release()`. */
  hold(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  /** Waits as the platform would before answering a send. */
  async wait(): Promise<void> {
    if (this.gate) await this.gate.promise;
    if (this.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, this.slowMs));
  }
}

/** False when the caller went away while the platform took its time (a killed process): it never learns whether the send went out. */
export function stillListening(request: IncomingMessage, response: ServerResponse): boolean {
  return !(response.destroyed || request.socket.destroyed || request.socket.readableEnded);
}

export abstract class StandIn {
  readonly latency = new Latency();
  /** Emits `event` whenever something a test may wait for was recorded. */
  protected readonly events = new EventEmitter();
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly event: string,
    /** Added to the server's address to make `url` (Graph API's version prefix). */
    private readonly basePath = '',
  ) {
    this.events.setMaxListeners(100);
  }

  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>;

  /** What was recorded, for the message of a wait that timed out. */
  protected abstract describe(): string;

  async start(): Promise<this> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${this.basePath}`;
    return this;
  }

  async close(): Promise<void> {
    this.latency.release();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `find` returns something; rejects after a generous bound with what was recorded. */
  waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    return waitForEvent(this.events, this.event, find, { what, timeoutMs, describe: () => this.describe() });
  }

  protected recorded(): void {
    this.events.emit(this.event);
  }
}

/** Reads a request's whole body as text. */
export async function bodyOf(request: IncomingMessage): Promise<string> {
  let raw = '';
  for await (const chunk of request) raw += String(chunk);
  return raw;
}
