// Wires Çözüm together: configuration → database → content → NLU → bot → channels → HTTP.
// `npm start` runs this file; tests call `startCozum` with their own configuration.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatAdapter, type InboundContext } from './messaging/adapter.ts';
import { CozumBot } from './bot/bot.ts';
import { UnreadableMessages } from './bot/unreadable.ts';
import { EmergencyDetector } from './bot/emergencies.ts';
import { EmergencyTurn } from './bot/emergency-turn.ts';
import { InstitutionFinder } from './bot/institutions.ts';
import { ConfigError, databaseUrl, loadConfigOrExit, type Config } from './config.ts';
import { loadBotContent } from './content/bot-texts.ts';
import { municipalityValues } from './content/municipality.ts';
import { loadEmergencyLanguages } from './content/emergencies.ts';
import { loadInstitutions } from './content/institutions.ts';
import { answersByIntent, loadIntents, loadIntentTranslations, type Intent } from './content/intents.ts';
import { contentFolder, DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language } from './content/languages.ts';
import { languageExamples, LanguageDetector } from './nlu/language.ts';
import type { IntentClassifier } from './nlu/classifier.ts';
import { ContentError } from './content/yaml-file.ts';
import { createChannels } from './channels/index.ts';
import { runHere, type Channel, type RunExclusively } from './channels/channel.ts';
import { createHttpApp, listen } from './http/server.ts';
import { Readiness } from './http/health.ts';
import { createLogger, type Logger } from './log.ts';
import { ConversationStore } from './messaging/conversation-store.ts';
import { ConversationOwnership } from './messaging/ownership.ts';
import { relayEvents } from './messaging/event-relay.ts';
import { Cluster, singletonRunner } from './storage/cluster.ts';
import { directSql } from './storage/direct-sql.ts';
import { InboundLimits } from './messaging/inbound-limits.ts';
import { loadOrTrain, type ModelSource } from './nlu/model-cache.ts';
import { Nlu, shippedLanguageModelFile, shippedModelFile, trainingExamples } from './nlu/nlu.ts';
import { asciiWordsOf } from './nlu/phrases.ts';
import { openDatabase, optimizeDatabase, type Database } from './storage/database.ts';
import { migrationsDirOf } from './storage/migrate.ts';
import { databaseLabel } from './storage/database-label.ts';
import { agentAddCommand } from './console/agent-add-command.ts';
import { PrismaStorage } from './storage/state-storage.ts';
import { JsonChangeConversationState } from './storage/conversation-state.ts';
import { checkFollowUps, loadDialogs, loadDialogTranslations } from './dialogs/load.ts';
import type { DialogSpec } from './dialogs/spec.ts';
import { FormDialog } from './dialogs/form-dialog.ts';
import { loadVocabulary } from './dialogs/vocabulary.ts';
import { globalCommand } from './bot/commands.ts';
import { DialogServices } from './dialogs/services.ts';
import { rebuildDailyFigures } from './tickets/daily-figures.ts';
import { Tickets } from './tickets/tickets.ts';
import { CozumEvents } from './messaging/events.ts';
import { Handoff } from './handoff/handoff.ts';
import { installConsoleAuth, LOGIN_TEXTS } from './console/auth.ts';
import { createConsole } from './console/console.ts';
import { whatsappLinkRouter, type WhatsAppLink } from './console/whatsapp-link.ts';
import { applyRetention, RETENTION_BATCH } from './privacy/erasure.ts';
import { databaseLimits, memoryLimits, redisLimits } from './storage/rate-limits.ts';
import { openRedis, RedisUnreachable } from './storage/redis.ts';
import { readLiveFigures } from './storage/live-figures.ts';
import { setMetricsSource } from './metrics.ts';
import { OPEN_STATUSES } from './tickets/status.ts';
import { publicPathLimits } from './http/rate-limits.ts';
import { WEBHOOK_PATH as WHATSAPP_WEBHOOK } from './channels/whatsapp-cloud/index.ts';
import { buildServices } from './open311/services.ts';
import { Open311Requests } from './open311/requests.ts';
import { ApiKeys } from './open311/keys.ts';
import { createOpen311Router } from './open311/router.ts';
import { createKeyRoutes } from './console/api-keys.ts';
import { createDeliveryRoutes } from './console/integration-deliveries.ts';
import { loadEmails } from './content/emails.ts';
import { MediaService } from './media/media.ts';
import { MediaIntake } from './media/intake.ts';
import { DatabaseMediaStore, FolderMediaStore } from './media/store.ts';
import type { MediaLimits } from './media/content.ts';
import { checkIntegrationsConfig, startIntegrations, type Integrations } from './integrations/index.ts';

const RETENTION_FIRST_RUN_MS = 60_000;
const RETENTION_PAUSE_MS = 1_000;

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
  /** Photos, voice notes and files citizens sent (src/media/). */
  media: MediaService;
  adapter: ChatAdapter;
  nlu: Nlu;
  intents: Intent[];
  logger: Logger;
  /** What `/readyz` reports; `close()` drains it first. */
  readiness: Readiness;
  /** The rebuild of the daily figures after start-up: resolves true once this instance made them hold every ticket (false at close if it did not: another instance rebuilds). */
  dailyFigures: Promise<boolean>;
  /** How jobs that must run on one instance only are run (what channels are given; tests build channels with it). */
  runExclusively: RunExclusively;
  /** Listening HTTP server, when started with `http: true`. */
  server?: Server;
  url?: string;
  close(): Promise<void>;
}

/**
 * Loads the intents and the NLU model (the shipped one when it was trained on these intents, else
 * one trained here before, else trains): what `classify`, `nlu:eval` and the bot share.
 */
export function loadNlu(
  config: Config,
  onTraining?: (reason: string) => void,
): { intents: Intent[]; byLanguage: Record<Language, Intent[]>; nlu: Nlu; languages: LanguageDetector; trained: boolean; source: ModelSource; modelFile: string } {
  const byLanguage = loadIntentsByLanguage(config);
  const intents = byLanguage[DEFAULT_LANGUAGE];
  const cacheDir = path.resolve(config.nlu.cacheDir || path.join(config.dataDir, 'cache'));
  const models = LANGUAGES.map((language) =>
    loadOrTrain(trainingExamples(byLanguage[language]), { shipped: shippedModelFile(config.contentDir, language), cacheDir, onTraining, prefix: `nlu-intents-${language}-` }),
  );
  const languageModel = loadOrTrain(languageExamplesOf(byLanguage), { shipped: shippedLanguageModelFile(config.contentDir), cacheDir, onTraining, prefix: 'nlu-language-' });
  const languages = new LanguageDetector(languageModel.classifier);
  const classifiers = Object.fromEntries(LANGUAGES.map((language, index) => [language, models[index]!.classifier])) as Record<Language, IntentClassifier>;
  return {
    intents,
    byLanguage,
    nlu: new Nlu(classifiers, config.nlu.threshold, languages),
    languages,
    trained: models.some((model) => model.trained) || languageModel.trained,
    source: models[0]!.source,
    modelFile: models[0]!.file,
  };
}

/** intents/ and its translations (locales/<language>/intents/). */
export function loadIntentsByLanguage(config: Config): Record<Language, Intent[]> {
  const values = municipalityValues(config.contentDir, config.municipality);
  const intents = loadIntents(path.resolve(config.contentDir, 'intents'), values[DEFAULT_LANGUAGE]);
  return Object.fromEntries(
    LANGUAGES.map((language) => [
      language,
      language === DEFAULT_LANGUAGE ? intents : loadIntentTranslations(contentFolder(config.contentDir, 'intents', language), intents, values[language]),
    ]),
  ) as Record<Language, Intent[]>;
}

/** What the language classifier learns from: every language's intent examples. */
export function languageExamplesOf(byLanguage: Record<Language, Intent[]>) {
  return languageExamples(Object.fromEntries(LANGUAGES.map((language) => [language, byLanguage[language].flatMap((intent) => intent.examples)])) as Record<Language, string[]>);
}

const MODEL_SOURCES: Record<ModelSource, string> = {
  shipped: 'NLU model loaded (shipped with the content)',
  cache: 'NLU model loaded (trained here before)',
  trained: 'NLU model trained and kept for the next start',
};

export async function startCozum(config: Config, options: { http?: boolean; logger?: Logger } = {}): Promise<Cozum> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // What the schema cannot check alone (a webhook's address), before anything is opened.
  checkIntegrationsConfig(config);
  // One line per start-up stage, so that a slow one shows where the time goes.
  let stageStarted = Date.now();
  const took = () => {
    const ms = Date.now() - stageStarted;
    stageStarted = Date.now();
    return ms;
  };
  const database = databaseLabel(databaseUrl(config));
  const { db, migrations, dialect } = await openDatabase(databaseUrl(config));
  logger.info(
    { database, ms: took(), ...(migrations.applied.length > 0 && { applied: migrations.applied }) },
    migrations.applied.length > 0 ? `database ready: ${database} (${migrations.applied.length} migrations applied)` : `database ready: ${database}`,
  );

  // The counters checked on every request (web chat messages and reads, the HTTP flood guard, the
  // Open311 calls per address): in Redis with several instances, so that every instance agrees on
  // an address's count; else in this process's memory (a database write per request would cost
  // more than the limit is worth).
  let redisClosing = false;
  const redis = config.redisUrl
    ? await openRedis(config.redisUrl, {
        lost: (error) => {
          if (!redisClosing) logger.warn({ err: error, redis: databaseLabel(config.redisUrl!) }, 'Redis unreachable: flood counters are kept per instance until it is back (nobody is refused for it)');
        },
        back: () => logger.info({ redis: databaseLabel(config.redisUrl!) }, 'Redis reachable again: flood counters shared by the instances again'),
      }).catch(async (error: unknown) => {
        // The database is open already: start-up stops cleanly.
        await db.$disconnect();
        throw error instanceof RedisUnreachable ? new ConfigError(error.message) : error;
      })
    : undefined;
  if (redis) logger.info({ redis: databaseLabel(config.redisUrl!) }, 'Redis ready: flood counters shared by the instances');
  const fastLimits = () => (redis ? redisLimits(redis, { keyPrefix: config.redisKeyPrefix }) : memoryLimits());

  const { intents, byLanguage, nlu, languages: detector, source, modelFile } = loadNlu(config, (reason) => {
    logger.info({ reason }, `training the NLU model (${reason}): this takes 10–60 s, once; the model is kept for the next start`);
  });
  logger.info({ intents: intents.length, ms: took(), model: path.relative(process.cwd(), modelFile) }, MODEL_SOURCES[source]);
  const { texts, languages } = loadBotContent(path.resolve(config.contentDir, 'bot'), config.municipality, intents.map((intent) => intent.name));
  const emergencyContent = loadEmergencyLanguages(path.resolve(config.contentDir), config.municipality);
  const vocabulary = loadVocabulary(path.resolve(config.contentDir, 'bot'), (text) => globalCommand(text) !== undefined);
  // The settings as each language's content reads them ({{hours}} in words).
  const values = municipalityValues(config.contentDir, config.municipality);
  const specs = loadDialogs(path.resolve(config.contentDir, 'dialogs'), values[DEFAULT_LANGUAGE]);
  checkFollowUps(intents, specs);
  logger.info({ dialogs: specs.length, ms: took() }, 'content loaded');

  // Several instances on one PostgreSQL database (storage/cluster.ts): heartbeats, leases, notices.
  // SQLite is one process: none of it.
  const cluster = dialect === 'postgresql'
    ? new Cluster(db, databaseUrl(config), {
        leaseMs: config.leaseSeconds * 1000,
        name: process.env.INSTANCE_NAME || `${hostname()}:${config.port || path.resolve(config.dataDir)}`,
        onError: (error, what) => logger.warn({ err: error, what }, 'cluster: trouble'),
      })
    : undefined;
  await cluster?.start();
  if (cluster) logger.info({ instance: cluster.id, leaseSeconds: config.leaseSeconds }, 'instance registered: conversations and singletons shared with the other instances on this database');
  const events = new CozumEvents();
  if (cluster) relayEvents(events, cluster);
  const store = new ConversationStore(db, events);
  const ownership = cluster ? new ConversationOwnership(cluster, directSql(db), logger) : undefined;
  // What the bot says in a citizen's language (Contact.language), Turkish when it is not known.
  const textsIn = (language: string | null | undefined) => languages[isLanguage(language) ? language : DEFAULT_LANGUAGE].texts;
  const adapter = new ChatAdapter(store, logger, {
    ownership,
    // The apology for a failed turn, in the language of the citizen who wrote.
    turnFailedText: async (inbound) => {
      const contact = inbound && (await db.contact.findUnique({ where: { id: inbound.contactId }, select: { language: true } }).catch(() => null));
      return textsIn(contact?.language).turnFailed;
    },
  });
  const media = createMedia(config, db, adapter, logger, events, cluster);
  const conversationState = new JsonChangeConversationState(new PrismaStorage(db));
  const tickets = new Tickets(db, config.tickets.prefix, config.timeZone);
  const answers = Object.fromEntries(LANGUAGES.map((language) => [language, answersByIntent(byLanguage[language])])) as Record<Language, Map<string, string>>;
  const dialogServices = new DialogServices(config, db, tickets, nlu, answers);
  media.service.onLocated((photo) => dialogServices.locateFromPhoto(photo));
  // What a form calls another request made in its middle: the other forms' titles, and a person.
  const specsByLanguage = Object.fromEntries(
    LANGUAGES.map((language) => [language, language === DEFAULT_LANGUAGE ? specs : loadDialogTranslations(contentFolder(config.contentDir, 'dialogs', language), specs, values[language])]),
  ) as Record<Language, DialogSpec[]>;
  const titlesIn = (language: Language) =>
    new Map([...specsByLanguage[language].map((spec) => [spec.intent, spec.title] as const), ['handoff.agent', languages[language].texts.personButton] as const]);
  const requestTitles = titlesIn(DEFAULT_LANGUAGE);
  const requestTitlesByLanguage = Object.fromEntries(LANGUAGES.map((language) => [language, titlesIn(language)])) as Record<Language, Map<string, string>>;
  const dialogs = specs.map((spec, index) => ({
    intent: spec.intent,
    dialog: new FormDialog(
      spec,
      dialogServices,
      { texts, languages, vocabulary, requestTitles, requestTitlesByLanguage },
      Object.fromEntries(LANGUAGES.map((language) => [language, specsByLanguage[language][index]!])),
    ),
    reportsProblems: spec.ticket?.type === 'complaint',
  }));
  const handoff = new Handoff({ db, tickets, notifier: adapter, config, events, texts, languages, mediaFiles: media.service.store });
  const emergencies = new EmergencyTurn(EmergencyDetector.forLanguages(emergencyContent, intents), emergencyContent, handoff, vocabulary);
  const institutions = new InstitutionFinder(
    loadInstitutions(path.resolve(config.contentDir, 'bot'), values[DEFAULT_LANGUAGE]),
    asciiWordsOf(intents.flatMap((intent) => intent.examples)),
  );
  const bot = new CozumBot({ config, nlu, intents, intentsByLanguage: byLanguage, detector, conversationState, store, handoff, db, dialogs, languages, vocabulary, emergencies, institutions });
  adapter.setLogic((context) => bot.run(context));
  // What the middleware below says, in the language of the citizen who wrote (read only when it speaks).
  const textsOfSender = async (inbound: InboundContext) => {
    const contact = await db.contact.findUnique({ where: { id: inbound.contactId }, select: { language: true } });
    return textsIn(contact?.language);
  };
  // Flood control and media size, between storing a message and the bot (messaging/inbound-limits.ts).
  adapter.use(
    new InboundLimits(
      config.limits,
      textsOfSender,
      logger,
      // With Redis, one count per citizen for every instance; otherwise the sliding window in memory.
      redis ? fastLimits() : undefined,
    ),
  );
  // A message the platform sent in a shape we could not read: the citizen is asked to send it again.
  adapter.use(new UnreadableMessages(texts.unreadable, logger));
  // Photos, voice notes and files: recorded, downloaded from the channel and checked before the bot sees them.
  const maxBytesFor = (kind: string) => media.limits.maxBytes[kind as keyof MediaLimits['maxBytes']] ?? config.limits.maxMediaBytes;
  adapter.use(
    new MediaIntake(
      media.service,
      textsOfSender,
      maxBytesFor,
      logger,
    ),
  );

  // KVKK retention: citizens silent for `retentionDays` are erased and tickets closed that long ago
  // anonymised, checked daily. Not during start-up: the first run waits a minute, and works off a
  // backlog in small batches with a pause between them (privacy/erasure.ts), so start-up takes the
  // same time whatever the number of tickets, and citizens' turns run between the batches.
  let retention = Promise.resolve();
  let closing = false;
  const runRetention = () => {
    retention = (async () => {
      for (;;) {
        const done = await applyRetention(db, config.retentionDays, new Date(), media.service.store);
        if (done.contacts > 0 || done.tickets > 0) logger.info({ ...done, days: config.retentionDays }, 'retention: personal data erased');
        if (closing || (done.contacts < RETENTION_BATCH && done.tickets < RETENTION_BATCH)) return;
        await new Promise((resolve) => setTimeout(resolve, RETENTION_PAUSE_MS).unref());
      }
    })().catch((error: unknown) => logger.error({ err: error }, 'retention run failed'));
  };
  let firstRetention: NodeJS.Timeout | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  // What must run on one instance only (the retention job, the daily figures' rebuild, Telegram
  // long polling, the WhatsApp session): with several instances, on the one holding its lease
  // (storage/cluster.ts `Singleton`), moving to another when that one dies; alone, here at once.
  const runExclusively: RunExclusively = cluster ? singletonRunner(cluster, logger) : runHere;
  const retentionRun = runExclusively('retention', {
    start() {
      firstRetention = setTimeout(runRetention, RETENTION_FIRST_RUN_MS).unref();
      retentionTimer = setInterval(runRetention, 24 * 3_600_000).unref();
    },
    stop() {
      clearTimeout(firstRetention);
      clearInterval(retentionTimer);
    },
  });

  // The supervisor's daily figures (tickets/daily-figures.ts): an existing database is counted once,
  // after start-up, in small batches with pauses, so that start-up never waits for it and citizens'
  // turns run in between; the figures are counted from the tickets until it is done. One instance
  // rebuilds (two would do the same work; a batch the other counted first is rolled back, not
  // counted twice), and another that takes over carries on from the mark. `dailyFigures` says
  // whether it finished here.
  let figuresStopped = false;
  let figuresRun = Promise.resolve();
  let figuresDone!: (complete: boolean) => void;
  const dailyFigures = new Promise<boolean>((resolve) => (figuresDone = resolve));
  const figuresRebuild = runExclusively('daily-figures', {
    start() {
      figuresStopped = false;
      figuresRun = (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const started = Date.now();
        const complete = await rebuildDailyFigures(db, { stopped: () => closing || figuresStopped });
        if (complete && Date.now() - started > 1000) logger.info({ ms: Date.now() - started }, 'daily figures rebuilt');
        if (complete) figuresDone(true);
      })().catch((error: unknown) => logger.error({ err: error }, 'daily figures rebuild failed'));
    },
    async stop() {
      figuresStopped = true;
      await figuresRun;
    },
  });

  // Rate-limit counters (login throttling, web chat sessions) on the database: shared by instances,
  // kept across restarts; expired ones are swept hourly. Login lock-outs stay there with Redis too:
  // they are rare writes (one per login attempt), must survive a restart, and must not fall back to
  // per-process counting while Redis is down (an attacker would get one allowance per instance).
  const limits = databaseLimits(db);
  let sweeping = Promise.resolve();
  const sweepTimer = setInterval(() => {
    sweeping = limits.sweep().then(() => undefined, (error: unknown) => logger.warn({ err: error }, 'rate-limit sweep failed'));
  }, 3_600_000).unref();

  // The query planner's statistics follow the data as it grows (storage/database.ts).
  let optimizing = Promise.resolve();
  const optimizeTimer = setInterval(() => {
    optimizing = optimizeDatabase(db).catch((error: unknown) => logger.warn({ err: error }, 'database optimize failed'));
  }, 6 * 3_600_000).unref();

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

  // What /metrics reads from the database at each scrape: the outbox's depth, the open and overdue tickets.
  const dropMetricsSource = setMetricsSource(() => readLiveFigures(db, OPEN_STATUSES, new Date()));

  const readiness = new Readiness({
    pingDatabase: async () => void (await db.$queryRaw`SELECT 1`),
    appliedMigrations: async () =>
      (await db.$queryRaw<{ migration_name: string }[]>`SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`).map(
        (row) => row.migration_name,
      ),
    migrationsDir: migrationsDirOf(dialect),
    ...(redis && { pingRedis: async () => void (await redis.ping()) }),
  });
  let server: Server | undefined;
  let url: string | undefined;
  let channels: Channel[] = [];
  let agentConsole: ReturnType<typeof createConsole> | undefined;
  let integrations: Integrations | undefined;
  if (options.http) {
    channels = await createChannels({ config, adapter, store, db, logger, limits, fastLimits: fastLimits(), texts, textsIn, languages: LANGUAGES, runExclusively });
    for (const channel of channels) readiness.setChannel(channel.name, { ready: false, detail: 'starting' });
    // What a crash left unanswered or undelivered, now that the senders are registered and before new messages come in.
    // Departments' systems (integrations/): e-mail is the Open311 requesters' channel, registered before recovery like the others.
    const apiKeys = new ApiKeys(db);
    const services = buildServices(specs, dialogServices.neighbourhoods, config.tickets.defaultSlaHours);
    integrations = await startIntegrations({
      config, db, handoff, events, keys: apiKeys, limits, logger, cluster,
      emails: loadEmails(path.resolve(config.contentDir, 'bot'), values[DEFAULT_LANGUAGE]),
      categoryNames: new Map(services.map((service) => [service.code, service.name])),
    });
    adapter.registerChannel('open311', integrations.requesterSender);
    await media.service.start();
    await adapter.recover();
    agentConsole = createConsole({ db, handoff, events, config, logger, outbox: adapter.outbox, media: media.service, limits });
    // Open311 (GeoReport v2) for the municipality's other systems, and the admins' key management.
    const open311 = [createKeyRoutes(apiKeys, logger), createDeliveryRoutes(integrations.deliveries, integrations.outbox, logger), ...integrations.routers];
    if (config.open311.enabled) {
      const requests = new Open311Requests({ db, tickets, services, neighbourhoods: dialogServices.neighbourhoods, publicPhones: dialogServices.publicPhones, defaultSlaHours: config.tickets.defaultSlaHours, describe: texts.problem });
      open311.push(createOpen311Router({ config, requests, services, keys: apiKeys, logger, keyLimits: limits, addressLimits: fastLimits() }));
    }
    // A flood guard per client address on the login and the webhooks; the web chat limits its own routes.
    const guards = [readiness.gate(), publicPathLimits(config.limits.http, fastLimits(), PUBLIC_WEBHOOKS, LOGIN_TEXTS.tooMany)];
    // The WhatsApp (Baileys) pairing page belongs to the console; the channel only reports its link.
    // Told by its shape, not its class: the Baileys module is loaded only when the channel is on.
    const baileys = channels.find((channel): channel is Channel & WhatsAppLink => 'linkStatus' in channel);
    const routers = [...channels.flatMap((channel) => (channel.router ? [channel.router] : [])), ...(baileys ? [whatsappLinkRouter(baileys, logger)] : [])];
    const app = createHttpApp([...routers, ...open311, agentConsole.router], logger, { guards, probes: readiness.router(), trustProxy: config.trustProxy, metricsToken: config.metricsToken });
    installConsoleAuth(app, agentConsole.auth);
    server = await listen(app, config.port, config.host);
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    for (const channel of channels) {
      await channel.start();
      readiness.setChannel(channel.name, { ready: true });
    }
    readiness.markReady();
    // The figures' worker loads its modules now, not while the first supervisor waits for figures.
    if (config.console.reportsAtStart) agentConsole.warmReports();
    // Since the process started, module loading included: the figure a person waiting for the page
    // sees, and the processor time it took (what a busy machine stretches).
    const cpu = process.cpuUsage();
    logger.info(
      { url, channels: channels.map((c) => c.name), ms: took(), sinceProcessStart: Math.round(process.uptime() * 1000), cpuMs: Math.round((cpu.user + cpu.system) / 1000) },
      `web chat ready at ${url}`,
    );
    logger.info(`agent console at ${url}/console`);
    if ((await db.agent.count()) === 0) {
      logger.warn({ database, command: agentAddCommand(process.env) }, `no agent account yet: create the admin with \`${agentAddCommand(process.env)}\` (it asks for the password)`);
    }
  } else {
    await media.service.start();
    await adapter.recover();
    readiness.markReady();
  }

  return {
    config, db, tickets, handoff, events, media: media.service, adapter, nlu, intents, logger, readiness, server, url, dailyFigures, runExclusively,
    async close() {
      // Draining: `/readyz` answers 503, new work is refused with 503 (the platform or client sends
      // it again), no new connections; what was accepted is answered before the process lets go.
      readiness.drain();
      const serverClosed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      closing = true;
      await Promise.all([retentionRun.stop(), figuresRebuild.stop()]);
      figuresDone(false);
      clearInterval(sweepTimer);
      clearInterval(acknowledgeTimer);
      clearInterval(optimizeTimer);
      await Promise.all([retention, sweeping, acknowledging, optimizing]);
      for (const channel of channels) await channel.stop();
      await readiness.idle();
      // The report worker (figures, CSV) goes before the database it reads.
      await agentConsole?.close();
      await adapter.close();
      await media.service.close();
      // After the adapter: its outbox may still be e-mailing an Open311 requester through the integrations' mailer.
      await integrations?.close();
      // Leases handed back: the other instances take the conversations over at once.
      await cluster?.close();
      // What is left open is idle keep-alive and the console's live streams (GET): closed now.
      server?.closeAllConnections();
      await serverClosed;
      // No request counts any more: the flood counters' connection goes with the database's.
      dropMetricsSource();
      redisClosing = true;
      // QUIT when connected; a connection Redis already lost is only stopped from coming back.
      await redis?.quit().catch(() => redis.disconnect());
      await db.$disconnect();
    },
  };
}

/** The media service as the configuration says: its store (database or folder), limits and download retries. */
function createMedia(config: Config, db: Database, adapter: ChatAdapter, logger: Logger, events: CozumEvents, cluster: Cluster | undefined): { service: MediaService; limits: MediaLimits } {
  const settings = config.media;
  const limits: MediaLimits = {
    maxBytes: { image: settings.maxImageBytes, audio: settings.maxAudioBytes, video: settings.maxVideoBytes, document: settings.maxDocumentBytes },
    maxImageSide: settings.maxImageSide,
  };
  const store = settings.store === 'folder' ? new FolderMediaStore(db, path.resolve(settings.folder || path.join(config.dataDir, 'media'))) : new DatabaseMediaStore(db);
  const service = new MediaService(db, store, adapter.mediaFetchers, logger, {
    limits,
    events,
    cluster,
    downloads: { maxAttempts: settings.downloadAttempts, baseDelayMs: settings.retryBaseSeconds * 1000 },
  });
  return { service, limits };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  try {
    const cozum = await startCozum(config, { http: true });
    cozum.logger.info(`${config.municipality.name} assistant running at ${cozum.url} (Ctrl+C stops it)`);
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
