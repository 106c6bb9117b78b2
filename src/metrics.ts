// What Prometheus scrapes at GET /metrics (http/metrics.ts): prom-client's process metrics (CPU,
// memory, the event loop's delay) and what the assistant does, counted where it happens. Like the
// log, every layer may count here; nothing here imports the project's code. Labels are bounded
// sets (channel names, intent names, results), never a citizen's id or text. What is read from the
// database at each scrape (the outbox's depth, the open tickets) comes from a source main.ts sets
// (`setMetricsSource`), read once per scrape.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process: the default metrics start timers that live as long as it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 10 });

const registers = [metricsRegistry];

export const messagesIn = new Counter({
  name: 'cozum_messages_in_total',
  help: "Citizens' messages stored, by channel (a platform's second delivery of one is not counted).",
  labelNames: ['channel'] as const,
  registers,
});

export const messagesOut = new Counter({
  name: 'cozum_messages_out_total',
  help: 'Messages to citizens that left the outbox, by channel and result (sent, or failed for good).',
  labelNames: ['channel', 'result'] as const,
  registers,
});

export const turnDuration = new Histogram({
  name: 'cozum_turn_duration_seconds',
  help: "From a stored message to the bot's replies stored (the turn itself, not the platform's delivery).",
  labelNames: ['channel'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});

export const nluIntents = new Counter({
  name: 'cozum_nlu_intent_total',
  help: 'What the NLU made of citizens\' messages, by intent acted on ("none" below the threshold).',
  labelNames: ['intent'] as const,
  registers,
});

export const nluConfidence = new Histogram({
  name: 'cozum_nlu_confidence',
  help: "The classifier's confidence in its best guess, per message.",
  buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
  registers,
});

export const escalations = new Counter({
  name: 'cozum_escalations_total',
  help: 'Conversations handed to a person (a handoff ticket queued for agents).',
  registers,
});

export const deliveryRetries = new Counter({
  name: 'cozum_delivery_retries_total',
  help: 'Deliveries to citizens that failed and will be tried again, by channel (a platform down or slowing us down).',
  labelNames: ['channel'] as const,
  registers,
});

export const queueWait = new Histogram({
  name: 'cozum_handoff_queue_wait_seconds',
  help: 'From a conversation handed to a person to an agent taking it over (the first claim or answer).',
  buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600],
  registers,
});

/** What a scrape reads from the database: counts over indexes, so that a scrape stays cheap. */
export interface LiveFigures {
  /** Replies waiting in the outbox (pending, retries included). */
  outboxPending: number;
  /** Open tickets by status (finished ones only grow: the console's figures count them). */
  openTickets: Record<string, number>;
  /** Open tickets past their deadline (dueAt). */
  overdueTickets: number;
}

let source: (() => Promise<LiveFigures>) | undefined;
let reading: Promise<LiveFigures | undefined> | undefined;

/**
 * Where the scrape-time figures come from (main.ts: the database). Returns what lets go of it when
 * the process closes (leaving alone a source set since, as a test's next instance in one process does).
 */
export function setMetricsSource(read: () => Promise<LiveFigures>): () => void {
  source = read;
  return () => {
    if (source === read) source = undefined;
  };
}

// The gauges below are collected together at each scrape: one read serves them all. A failed read
// (the database unreachable) leaves them as they were; /readyz says why.
function liveFigures(): Promise<LiveFigures | undefined> {
  if (!source) return Promise.resolve(undefined);
  reading ??= source()
    .catch(() => undefined)
    .finally(() => setImmediate(() => (reading = undefined)));
  return reading;
}

export const outboxPending = new Gauge({
  name: 'cozum_outbox_pending',
  help: 'Replies to citizens waiting in the outbox (to be sent, or to be tried again).',
  registers,
  async collect() {
    const figures = await liveFigures();
    if (figures) this.set(figures.outboxPending);
  },
});

export const openTickets = new Gauge({
  name: 'cozum_tickets_open',
  help: 'Open tickets (new, assigned, in progress), by status.',
  labelNames: ['status'] as const,
  registers,
  async collect() {
    const figures = await liveFigures();
    if (figures) for (const [status, count] of Object.entries(figures.openTickets)) this.set({ status }, count);
  },
});

export const overdueTickets = new Gauge({
  name: 'cozum_tickets_overdue',
  help: 'Open tickets past their deadline.',
  registers,
  async collect() {
    const figures = await liveFigures();
    if (figures) this.set(figures.overdueTickets);
  },
});
