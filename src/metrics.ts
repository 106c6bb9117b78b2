// What Prometheus scrapes at GET /metrics (http/metrics.ts): prom-client's process metrics (CPU,
// memory, the event loop's delay) and what the assistant does, counted where it happens. Like the
// log, every layer may count here; nothing here imports the project's code. Labels are bounded
// sets (channel names, intent names, results), never a citizen's id or text.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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
