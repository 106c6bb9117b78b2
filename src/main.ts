// Wires Çözüm together: configuration → database → content → NLU → bot → channels → HTTP.
// `npm start` runs this file; tests call `startCozum` with their own configuration.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatAdapter } from './messaging/adapter.ts';
import { CozumBot } from './bot/bot.ts';
import { UnreadableMessages } from './bot/unreadable.ts';
import { EmergencyDetector } from './bot/emergencies.ts';
import { EmergencyTurn } from './bot/emergency-turn.ts';
import { InstitutionFinder } from './bot/institutions.ts';
import { ConfigError, databaseUrl, loadConfig, type Config } from './config.ts';
import { loadBotContent } from './content/bot-texts.ts';
import { loadEmergencies } from './content/emergencies.ts';
import { loadInstitutions } from './content/institutions.ts';
import { answersByIntent, loadIntents, type Intent } from './content/intents.ts';
import { ContentError } from './content/yaml-file.ts';
import { createChannels } from './channels/index.ts';
import { WhatsAppBaileysChannel } from './channels/whatsapp-baileys/index.ts';
import type { Channel } from './channels/channel.ts';
import { createHttpApp, listen } from './http/server.ts';
import { Readiness } from './http/health.ts';
import { createLogger, type Logger } from './log.ts';
import { ConversationStore } from './messaging/conversation-store.ts';
import { InboundLimits } from './messaging/inbound-limits.ts';
import { loadOrTrain } from './nlu/model-cache.ts';
import { Nlu, trainingExamples } from './nlu/nlu.ts';
import { asciiWordsOf } from './nlu/phrases.ts';
import { openDatabase, type Database } from './storage/database.ts';
import { PrismaStorage } from './storage/state-storage.ts';
import { JsonChangeConversationState } from './storage/conversation-state.ts';
import { checkFollowUps, loadDialogs } from './dialogs/load.ts';
import { FormDialog } from './dialogs/form-dialog.ts';
import { loadVocabulary } from './dialogs/vocabulary.ts';
import { globalCommand } from './bot/commands.ts';
import { DialogServices } from './dialogs/services.ts';
import { Tickets } from './tickets/tickets.ts';
import { CozumEvents } from './messaging/events.ts';
import { Handoff } from './handoff/handoff.ts';
import { installConsoleAuth } from './console/auth.ts';
import { createConsole } from './console/console.ts';
import { whatsappLinkRouter } from './console/whatsapp-link.ts';
import { applyRetention } from './privacy/erasure.ts';
import { databaseLimits, memoryLimits } from './storage/rate-limits.ts';
import { publicPathLimits } from './http/rate-limits.ts';
import { WEBHOOK_PATH as WHATSAPP_WEBHOOK } from './channels/whatsapp-cloud/index.ts';
import { buildServices } from './open311/services.ts';
import { Open311Requests } from './open311/requests.ts';
import { ApiKeys } from './open311/keys.ts';
import { createOpen311Router } from './open311/router.ts';
import { createKeyRoutes } from './console/api-keys.ts';

/** The channels' unauthenticated entry points (each checks a secret or a signature after this). */
const PUBLIC_WEBHOOKS = [
  { method: 'GET', path: WHATSAPP_WEBHOOK },
  { method: 'POST', path: WHATSAPP_WEBHOOK },
  { method: 'POST', path: '/telegram/' },
  { method: 'POST', path: '/api/messages' },
];

export interface Cozum {
  config: Config;
  db: Database;
  tickets: Tickets;
  handoff: Handoff;
  events: CozumEvents;
  adapter: ChatAdapter;
  nlu: Nlu;
  intents: Intent[];
  logger: Logger;
  /** What `/readyz` reports; `close()` drains it first. */
  readiness: Readiness;
  /** Listening HTTP server, when started with `http: true`. */
  server?: Server;
  url?: string;
  close(): Promise<void>;
}

/** Loads content and trains (or loads) the NLU model: what `classify`, `nlu:eval` and the bot share. */
export function loadNlu(config: Config): { intents: Intent[]; nlu: Nlu; trained: boolean; modelFile: string } {
  const intents = loadIntents(path.resolve(config.contentDir, 'intents'), config.municipality);
  const model = loadOrTrain(trainingExamples(intents), path.resolve(config.nlu.cacheDir || path.join(config.dataDir, 'cache')));
  return { intents, nlu: new Nlu(model.classifier, config.nlu.threshold), trained: model.trained, modelFile: model.file };
}

export async function startCozum(config: Config, options: { http?: boolean; logger?: Logger } = {}): Promise<Cozum> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const { db, migrations } = await openDatabase(databaseUrl(config));
  if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrations applied');

  const started = Date.now();
  const { intents, nlu, trained, modelFile } = loadNlu(config);
  logger.info({ intents: intents.length, trained, ms: Date.now() - started, model: path.relative(process.cwd(), modelFile) }, trained ? 'NLU model trained' : 'NLU model loaded from cache');
  const { texts, menu } = loadBotContent(path.resolve(config.contentDir, 'bot'), config.municipality, intents.map((intent) => intent.name));
  const emergencyContent = loadEmergencies(path.resolve(config.contentDir, 'bot'), config.municipality);
  const vocabulary = loadVocabulary(path.resolve(config.contentDir, 'bot'), (text) => globalCommand(text) !== undefined);
  const specs = loadDialogs(path.resolve(config.contentDir, 'dialogs'), config.municipality);
  checkFollowUps(intents, specs);

  const events = new CozumEvents();
  const store = new ConversationStore(db, events);
  const adapter = new ChatAdapter(store, logger);
  const conversationState = new JsonChangeConversationState(new PrismaStorage(db));
  const tickets = new Tickets(db, config.tickets.prefix, config.timeZone);
  const answers = answersByIntent(intents);
  const dialogServices = new DialogServices(config, db, tickets, nlu, answers);
  // What a form calls another request made in its middle: the other forms' titles, and a person.
  const requestTitles = new Map([...specs.map((spec) => [spec.intent, spec.title] as const), ['handoff.agent', texts.personButton] as const]);
  const dialogs = specs.map((spec) => ({
    intent: spec.intent,
    dialog: new FormDialog(spec, dialogServices, { texts, vocabulary, requestTitles }),
    reportsProblems: spec.ticket?.type === 'complaint',
  }));
  const handoff = new Handoff({ db, tickets, notifier: adapter, config, events, texts });
  const emergencies = new EmergencyTurn(EmergencyDetector.forIntents(emergencyContent, intents), emergencyContent, handoff, vocabulary);
  const institutions = new InstitutionFinder(
    loadInstitutions(path.resolve(config.contentDir, 'bot'), config.municipality),
    asciiWordsOf(intents.flatMap((intent) => intent.examples)),
  );
  const bot = new CozumBot({ config, nlu, intents, conversationState, store, handoff, db, dialogs, texts, menu, vocabulary, emergencies, institutions });
  adapter.setLogic((context) => bot.run(context));
  // Flood control and media size, between storing a message and the bot (messaging/inbound-limits.ts).
  adapter.use(new InboundLimits(config.limits, logger));
  // A message the platform sent in a shape we could not read: the citizen is asked to send it again.
  adapter.use(new UnreadableMessages(texts.unreadable, logger));

  // KVKK retention: citizens silent for `retentionDays` are erased and tickets closed that long ago anonymised, checked daily.
  let retention = Promise.resolve();
  const runRetention = () => {
    retention = applyRetention(db, config.retentionDays)
      .then((done) => void ((done.contacts > 0 || done.tickets > 0) && logger.info({ ...done, days: config.retentionDays }, 'retention: personal data erased')))
      .catch((error: unknown) => logger.error({ err: error }, 'retention run failed'));
  };
  runRetention();
  const retentionTimer = setInterval(runRetention, 24 * 3_600_000).unref();

  // Rate-limit counters (login throttling, web chat sessions) on the database: shared by instances,
  // kept across restarts; expired ones are swept hourly.
  const limits = databaseLimits(db);
  let sweeping = Promise.resolve();
  const sweepTimer = setInterval(() => {
    sweeping = limits.sweep().then(() => undefined, (error: unknown) => logger.warn({ err: error }, 'rate-limit sweep failed'));
  }, 3_600_000).unref();

  // A citizen's message a person leaves unanswered for a few minutes gets one acknowledgement.
  let acknowledging = Promise.resolve();
  const acknowledgeEvery = config.handoff.acknowledgeEverySeconds * 1000;
  const acknowledgeTimer = acknowledgeEvery > 0
    ? setInterval(() => {
        acknowledging = acknowledging
          .then(() => handoff.acknowledgeUnanswered())
          .then(() => undefined)
          .catch((error: unknown) => logger.error({ err: error }, 'handoff acknowledgement run failed'));
      }, acknowledgeEvery).unref()
    : undefined;

  const readiness = new Readiness({
    pingDatabase: async () => void (await db.$queryRaw`SELECT 1`),
    appliedMigrations: async () =>
      (await db.$queryRaw<{ migration_name: string }[]>`SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`).map(
        (row) => row.migration_name,
      ),
  });
  let server: Server | undefined;
  let url: string | undefined;
  let channels: Channel[] = [];
  if (options.http) {
    channels = createChannels({ config, adapter, store, db, logger, limits });
    for (const channel of channels) readiness.setChannel(channel.name, { ready: false, detail: 'starting' });
    // What a crash left unanswered or undelivered, now that the senders are registered and before new messages come in.
    await adapter.recover();
    const agentConsole = createConsole({ db, handoff, events, config, logger, outbox: adapter.outbox, limits });
    // Open311 (GeoReport v2) for the municipality's other systems, and the admins' key management.
    const apiKeys = new ApiKeys(db);
    const open311 = [createKeyRoutes(apiKeys, logger)];
    if (config.open311.enabled) {
      const services = buildServices(specs, dialogServices.neighbourhoods, config.tickets.defaultSlaHours);
      const requests = new Open311Requests({ db, tickets, services, neighbourhoods: dialogServices.neighbourhoods, publicPhones: dialogServices.publicPhones, defaultSlaHours: config.tickets.defaultSlaHours });
      open311.push(createOpen311Router({ config, requests, services, keys: apiKeys, logger, keyLimits: limits, addressLimits: memoryLimits() }));
    }
    // A flood guard per client address on the login and the webhooks; the web chat limits its own routes.
    const guards = [readiness.gate(), publicPathLimits(config.limits.http, memoryLimits(), PUBLIC_WEBHOOKS)];
    // The WhatsApp (Baileys) pairing page belongs to the console; the channel only reports its link.
    const baileys = channels.find((channel) => channel instanceof WhatsAppBaileysChannel);
    const routers = [...channels.flatMap((channel) => (channel.router ? [channel.router] : [])), ...(baileys ? [whatsappLinkRouter(baileys, logger)] : [])];
    const app = createHttpApp([...routers, ...open311, agentConsole.router], logger, { guards, probes: readiness.router(), trustProxy: config.trustProxy });
    installConsoleAuth(app, agentConsole.auth);
    server = await listen(app, config.port, config.host);
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    for (const channel of channels) {
      await channel.start();
      readiness.setChannel(channel.name, { ready: true });
    }
    readiness.markReady();
    logger.info({ url, channels: channels.map((c) => c.name) }, `web chat ready at ${url}`);
    logger.info(`agent console at ${url}/console`);
    if ((await db.agent.count()) === 0) logger.warn('no agent account yet: create the admin with `npm run agent:add -- --admin` (it asks for the password)');
  } else {
    await adapter.recover();
    readiness.markReady();
  }

  return {
    config, db, tickets, handoff, events, adapter, nlu, intents, logger, readiness, server, url,
    async close() {
      // Draining: `/readyz` answers 503, new work is refused with 503 (the platform or client sends
      // it again), no new connections; what was accepted is answered before the process lets go.
      readiness.drain();
      const serverClosed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      clearInterval(retentionTimer);
      clearInterval(sweepTimer);
      clearInterval(acknowledgeTimer);
      await Promise.all([retention, sweeping, acknowledging]);
      for (const channel of channels) await channel.stop();
      await readiness.idle();
      await adapter.close();
      // What is left open is idle keep-alive and the console's live streams (GET): closed now.
      server?.closeAllConnections();
      await serverClosed;
      await db.$disconnect();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  try {
    const cozum = await startCozum(config, { http: true });
    cozum.logger.info(`${config.municipality.name} asistanı çalışıyor: ${cozum.url}`);
    const stop = async (signal: NodeJS.Signals) => {
      cozum.logger.info({ signal, deadlineSeconds: config.shutdownTimeoutSeconds }, 'shutting down: draining, then finishing the turns in flight');
      // A turn stuck on a platform that does not answer must not keep the process (and its
      // replacement) waiting: what was not answered is answered after the next start.
      setTimeout(() => {
        cozum.logger.error({ deadlineSeconds: config.shutdownTimeoutSeconds }, 'shutdown deadline passed: exiting with work in flight (recovered at the next start)');
        process.exit(1);
      }, config.shutdownTimeoutSeconds * 1000).unref();
      await cozum.close();
      cozum.logger.info('shut down cleanly');
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    // A channel's settings are checked when it is built: a wrong one stops start-up with its message, as for the rest of the configuration.
    if (error instanceof ContentError || error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
