// All configuration in one zod schema: defaults that run, values from an optional
// cozum.config.yaml, and environment variables on top. A wrong value stops start-up with a
// message that names the setting.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const text = z.string().trim().min(1);
/** A yes/no setting that also reads "true"/"false"/"1"/"0" from environment variables. */
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** "08:30" (or "08.30", as Turkish writes it): a time of day, kept as HH:MM. */
const timeOfDay = z
  .string()
  .trim()
  .regex(/^([01]?\d|2[0-3])[:.][0-5]\d$/, 'a time of day such as "08:30"')
  .transform((value) => value.replace('.', ':').padStart(5, '0'));

/** Days 1 (Monday) to 7 (Sunday), and the hours between which the municipality is open on them. */
export const OpeningPeriodSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1, 'at least one day (1 = Monday … 7 = Sunday)'),
    from: timeOfDay,
    to: timeOfDay,
  })
  .strict();
export type OpeningPeriod = z.infer<typeof OpeningPeriodSchema>;

const HOURS_EXAMPLE = 'hours: [{ days: [1, 2, 3, 4, 5], from: "08:30", to: "17:30" }] (days 1 = Monday … 7 = Sunday)';
const TURKISH_DAYS = ['pazartesi', 'salı', 'çarşamba', 'perşembe', 'cuma', 'cumartesi', 'pazar'];
const asciiTurkish = (text: string) => text.replace(/ı/g, 'i').replace(/ş/g, 's').replace(/ç/g, 'c').replace(/ğ/g, 'g').replace(/ö/g, 'o').replace(/ü/g, 'u');
const DAY_GROUPS: Record<string, number[]> = { 'hafta ici': [1, 2, 3, 4, 5], 'hafta sonu': [6, 7], 'her gun': [1, 2, 3, 4, 5, 6, 7] };

function dayNumber(word: string): number | undefined {
  const index = TURKISH_DAYS.map(asciiTurkish).indexOf(word);
  return index < 0 ? undefined : index + 1;
}

/**
 * Opening hours as older configurations wrote them, in Turkish words ("hafta içi 08.30–17.30",
 * "Pazartesi-Cuma 08:00-17:00, Cumartesi 09.00-13.00"), as periods; undefined when not readable.
 */
export function parseTurkishHours(text: string): OpeningPeriod[] | undefined {
  const parts = asciiTurkish(text.toLocaleLowerCase('tr')).split(/\s*(?:[,;]|\bve\b)\s*/).filter(Boolean);
  const periods: OpeningPeriod[] = [];
  for (const part of parts) {
    const match = /^(.*?)\s*:?\s*(\d{1,2}[.:]\d{2})\s*[-–—]\s*(\d{1,2}[.:]\d{2})$/.exec(part.trim());
    if (!match) return undefined;
    const [, dayWords = '', from = '', to = ''] = match;
    const words = dayWords.trim().replace(/\s+/g, ' ');
    let days = DAY_GROUPS[words];
    const range = /^(\S+)\s*[-–—]\s*(\S+)$/.exec(words);
    if (!days && range) {
      const [first, last] = [dayNumber(range[1]!), dayNumber(range[2]!)];
      if (first && last && first <= last) days = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    }
    if (!days && dayNumber(words)) days = [dayNumber(words)!];
    const period = days && OpeningPeriodSchema.safeParse({ days, from, to });
    if (!period?.success) return undefined;
    periods.push(period.data);
  }
  return periods.length > 0 ? periods : undefined;
}

/**
 * When the municipality is open: one period or a list of them. The citizen reads them in their own
 * language (bot/texts.yaml `openingHours`). A Turkish text as older configurations had it
 * ("hafta içi 08.30–17.30") is still read, when it names days and hours.
 */
const OpeningHoursSchema = z.unknown().transform((value, context): OpeningPeriod[] => {
  if (typeof value === 'string') {
    const periods = parseTurkishHours(value);
    if (!periods) context.addIssue({ code: 'custom', message: `"${value}" is not readable as opening hours; write them as ${HOURS_EXAMPLE}` });
    return periods ?? z.NEVER;
  }
  const periods = z.array(OpeningPeriodSchema).min(1).safeParse(Array.isArray(value) ? value : [value]);
  if (periods.success) return periods.data;
  for (const issue of periods.error.issues) {
    context.addIssue({ code: 'custom', message: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}; write opening hours as ${HOURS_EXAMPLE}` });
  }
  return z.NEVER;
});

export const MunicipalitySchema = z.object({
  name: text.default('Yeşilova Belediyesi'),
  city: text.default('İzmir'),
  district: text.default('Bornova'),
  address: text.default('Cumhuriyet Meydanı No: 1, 35040 Bornova / İzmir'),
  website: z.url().default('https://www.yesilova.bel.tr'),
  email: z.email().default('iletisim@yesilova.bel.tr'),
  hours: OpeningHoursSchema.default([{ days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }]),
  phones: z
    .object({
      callCenter: text.default('444 0 153'),
      whatsapp: text.default('0 (532) 000 01 53'),
      funeral: text.default('0 (232) 000 01 88'),
      water: text.default('185'),
      transport: text.default('0 (232) 000 03 20'),
      socialAid: text.default('0 (232) 000 02 40'),
      // What to call now in an emergency (bot/emergencies.yaml): national numbers, and the
      // fault lines of the utilities serving the district.
      emergency: text.default('112'),
      police: text.default('155'),
      gas: text.default('187'),
      electricity: text.default('186'),
      waterFault: text.default('185'),
    })
    .prefault({}),
  links: z
    .object({
      kvkk: z.url().default('https://www.yesilova.bel.tr/kvkk'),
      onlinePayment: z.url().default('https://ebelediye.yesilova.bel.tr/odeme'),
      outages: z.url().default('https://www.yesilova.bel.tr/ariza-ve-kesintiler'),
      transport: z.url().default('https://www.yesilova.bel.tr/ulasim'),
      eBelediye: z.url().default('https://ebelediye.yesilova.bel.tr'),
    })
    .prefault({}),
});
export type Municipality = z.infer<typeof MunicipalitySchema>;

export const ConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: text.default('127.0.0.1'),
  /**
   * Which reverse proxies are believed about the client's address and https (Express' `trust
   * proxy`): 'loopback' (a proxy on this machine), addresses or CIDRs ('10.0.0.0/8, 192.168.1.5'),
   * a number of hops, or 'false'. Behind a proxy on another host, name it here: otherwise rate
   * limits see the proxy's address and the console's cookie loses `Secure`.
   */
  trustProxy: text.default('loopback'),
  /** On SIGTERM: how long turns in flight may take to finish before the process exits anyway. */
  shutdownTimeoutSeconds: z.coerce.number().min(1).max(600).default(25),
  /**
   * Several instances on one PostgreSQL database: how long a dead instance's conversations and
   * singleton jobs stay with it before another instance takes them over.
   */
  leaseSeconds: z.coerce.number().min(1).max(300).default(10),
  /** Where the SQLite file, the NLU model cache and other local state live. */
  dataDir: text.default('./data'),
  /** `file:…` for SQLite, `postgresql://…` for PostgreSQL; empty means `<dataDir>/cozum.db`. */
  databaseUrl: z.string().optional(),
  /**
   * `redis://…`: several instances share their flood counters (web chat, HTTP) through this Redis,
   * so that a limit holds for the whole service, not per instance. Empty: counted in each process.
   */
  redisUrl: z.string().optional(),
  /** Put before every key this deployment writes in Redis: deployments sharing one Redis keep apart. */
  redisKeyPrefix: text.default('cozum:'),
  /**
   * When set, GET /metrics also answers `Authorization: Bearer <token>` from any address (a
   * Prometheus on another host); otherwise it answers this machine (loopback) only.
   */
  metricsToken: z.string().optional(),
  contentDir: text.default('.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  municipality: MunicipalitySchema.prefault({}),
  nlu: z
    .object({
      /** Below this calibrated confidence a message counts as not understood. */
      threshold: z.coerce.number().min(0).max(1).default(0.45),
      /** Where the trained model is kept; empty means `<dataDir>/cache`. */
      cacheDir: z.string().optional(),
    })
    .prefault({}),
  tickets: z
    .object({
      /** Ticket numbers read PREFIX-YEAR-000123. */
      prefix: z.string().regex(/^[A-Z]{2,5}$/, '2–5 capital letters, e.g. BLK').default('CZM'),
      /** Hours within which the citizen is promised an answer, unless a category says otherwise. */
      defaultSlaHours: z.coerce.number().int().min(1).max(24 * 90).default(48),
    })
    .prefault({}),
  channels: z
    .object({
      /** Telegram bot (BotFather token). Long polling unless a public webhook URL is given. */
      telegram: z
        .object({
          token: z.string().regex(/^\d+:[\w-]{20,}$/, 'a Telegram token looks like 123456:ABC…').optional(),
          /** Public https URL of this server; switches Telegram to webhook mode. */
          webhookUrl: z.url().optional(),
          /** Checked against X-Telegram-Bot-Api-Secret-Token on every webhook call. */
          secretToken: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'en az 16 harf/rakam/_/-').optional(),
          /** Bot API server; only tests and self-hosted Bot API servers change it. */
          apiRoot: z.url().default('https://api.telegram.org'),
        })
        .prefault({}),
      /** WhatsApp through Baileys (linked device, paired by QR code): no paperwork, not for large volume. */
      whatsappBaileys: z.object({ enabled: flag.default(false) }).prefault({}),
      /** The official WhatsApp Business Cloud API. */
      whatsappCloud: z
        .object({
          accessToken: z.string().min(20).optional(),
          phoneNumberId: z.string().regex(/^\d+$/).optional(),
          appSecret: z.string().min(16).optional(),
          verifyToken: z.string().min(8).optional(),
          graphApiBase: z.url().default('https://graph.facebook.com/v21.0'),
          /** Approved template for messages sent more than 24 hours after the citizen last wrote. */
          notificationTemplate: z.string().default('cozum_bilgilendirme'),
          templateLanguage: z.string().default('tr'),
        })
        .prefault({}),
      /** Bot Framework (Azure Bot Service: Teams, Web Chat, Direct Line, the Emulator). */
      botFramework: z
        .object({
          appId: z.string().optional(),
          appPassword: z.string().optional(),
          tenantId: z.string().optional(),
          /** SingleTenant | MultiTenant | UserAssignedMSI */
          appType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
          /**
           * Without appId the channel is off. `true` turns it on without authentication, for the
           * Bot Framework Emulator on this machine only: refused unless `host` is a loopback address.
           */
          emulator: flag.default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  handoff: z
    .object({
      /** Department of cases the bot hands over without a topic of their own. */
      defaultDepartment: text.default('Çözüm Merkezi'),
      /**
       * A citizen's message to a person that waits this long without an answer gets one short
       * acknowledgement (queue position, hours), so that nobody talks into silence.
       */
      acknowledgeAfterMinutes: z.coerce.number().min(1).max(120).default(3),
      /** How often unanswered messages are looked for, in seconds; 0 never (tests call the sweep themselves). */
      acknowledgeEverySeconds: z.coerce.number().int().min(0).max(3600).default(30),
      /** When agents answer: days 1 (Monday) to 7 (Sunday), hours HH:MM in the configured time zone. */
      workingHours: z
        .object({
          days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
          start: z.string().regex(/^\d{2}:\d{2}$/).default('08:30'),
          end: z.string().regex(/^\d{2}:\d{2}$/).default('17:30'),
        })
        .prefault({}),
      /** Ready answers agents insert in the console. */
      cannedResponses: z
        .array(z.object({ title: text, text: text }))
        .default([
          { title: 'Karşılama', text: 'Merhaba, ben çözüm merkezinden {agent}. Size nasıl yardımcı olabilirim?' },
          { title: 'Birime iletildi', text: 'Talebiniz ilgili birimimize iletildi. Gelişmeleri size bu kanaldan bildireceğiz.' },
          { title: 'Ek bilgi', text: 'Talebinizi değerlendirebilmemiz için açık adresinizi ve varsa bir fotoğraf paylaşabilir misiniz?' },
          { title: 'Kapanış', text: 'Bizi tercih ettiğiniz için teşekkür ederiz. Başka bir konuda yardım için her zaman yazabilirsiniz.' },
        ]),
    })
    .prefault({}),
  limits: z
    .object({
      /** More than `messages` messages in `seconds` seconds from one citizen: one warning, then a pause. */
      floodMessages: z.coerce.number().int().min(1).default(12),
      floodSeconds: z.coerce.number().int().min(1).default(30),
      floodPauseSeconds: z.coerce.number().int().min(1).default(60),
      /** Largest photo or file accepted from a citizen, in bytes. */
      maxMediaBytes: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
      /**
       * Requests per client address per minute on the public endpoints, answered beyond that with
       * 429 and Retry-After; 0 turns a limit off. Behind a proxy the address is X-Forwarded-For's.
       */
      http: z
        .object({
          /** New web chat sessions (a browser keeps its own, so only a new visitor asks). */
          chatSessions: z.coerce.number().int().min(0).default(10),
          /** Web chat messages; a long one counts once per started 1000 characters. */
          chatMessages: z.coerce.number().int().min(0).default(60),
          /** Web chat messages of one session (one browser). */
          chatMessagesPerSession: z.coerce.number().int().min(0).default(30),
          /** Web chat history reads (an open chat asks every 4 seconds). */
          chatReads: z.coerce.number().int().min(0).default(600),
          /** Console login posts (login throttling decides about wrong passwords). */
          login: z.coerce.number().int().min(0).default(60),
          /** Calls to each channel's webhook (from the platforms' own servers). */
          webhooks: z.coerce.number().int().min(0).default(1200),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Photos, voice notes and files citizens send (src/media/). */
  media: z
    .object({
      /** Where the bytes are kept: the database (shared by every instance), or a folder (`folder`). */
      store: z.enum(['database', 'folder']).default('database'),
      /** The folder of `store: folder`; empty means `<dataDir>/media`. */
      folder: z.string().trim().default(''),
      /** Largest file kept per kind, in bytes (the type is read from the bytes). */
      maxImageBytes: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
      maxAudioBytes: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
      maxVideoBytes: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
      maxDocumentBytes: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
      /** Longest side of a kept photo, in pixels: larger ones are scaled down when re-encoded. */
      maxImageSide: z.coerce.number().int().min(64).default(2560),
      /** Download attempts before a file is marked failed (shown on the ticket), and the first retry's wait. */
      downloadAttempts: z.coerce.number().int().min(1).default(8),
      retryBaseSeconds: z.coerce.number().min(0).default(5),
    })
    .prefault({}),
  console: z
    .object({
      /**
       * An agent who opens no page and takes no action for this many minutes must log in again
       * (a console left open on a shared desk); 0: sessions end only after 12 hours.
       */
      idleMinutes: z.coerce.number().int().min(0).default(30),
      /**
       * Start the report worker (the supervisor's figures and the CSV export) at start-up, so that
       * the first figures do not wait for its modules to load (a second or two); false: at the
       * first supervisor's page (the tests, which seldom ask for figures).
       */
      reportsAtStart: flag.default(true),
      /**
       * Map tiles for a citizen's pin ({z}/{x}/{y}); empty: the pin as coordinates and an
       * openstreetmap.org link only (no map server reachable, or none wanted).
       */
      mapTiles: z.union([z.literal(''), z.string().regex(/^https:\/\/[^\s]+\{z\}[^\s]*\{x\}[^\s]*\{y\}/)]).default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
    })
    .prefault({}),
  /** The Open311 GeoReport v2 API under /open311/v2 (src/open311/): other apps file and follow requests. */
  open311: z
    .object({
      /** false: /open311 answers 404. */
      enabled: flag.default(true),
      /** What `jurisdiction_id` this server answers to; empty: the host name of the municipality's web site. */
      jurisdictionId: z.string().trim().default(''),
      /** Requests one API key may file per minute; 0 turns the limit off. */
      requestsPerKeyPerMinute: z.coerce.number().int().min(0).default(60),
      /** Calls per client address per minute to any /open311 path; 0 turns the limit off. */
      callsPerAddressPerMinute: z.coerce.number().int().min(0).default(300),
    })
    .prefault({}),
  /**
   * The municipality's other systems (src/integrations/, docs/integrations.md): departments' webhooks
   * and e-mails about their tickets, the SMTP server e-mails go through, and their retries.
   */
  integrations: z
    .object({
      /** The console's address as departments open it, for the link in their e-mails; empty: no link. */
      consoleUrl: z.union([z.literal(''), z.url()]).default(''),
      smtp: z
        .object({
          /** smtp://user:password@host:587 or smtps://…:465; empty: no e-mail is sent. */
          url: z.string().trim().default(''),
          /** The sender's address; empty: municipality.email. */
          from: z.union([z.literal(''), z.email()]).default(''),
        })
        .prefault({}),
      /** Per department (its name as in dialogs/ and the console): where its ticket events go. */
      departments: z
        .array(
          z.object({
            name: text,
            /** A new ticket of the department is announced to this address (short, no personal data). */
            email: z.email().optional(),
            /** Ticket events are POSTed here, signed with `secret` (HMAC-SHA256); https, or http on this machine only. */
            webhook: z.object({ url: z.url(), secret: z.string().min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)') }).optional(),
          }),
        )
        .default([]),
      /** Attempts before a webhook call or e-mail is marked failed (then re-sent from the console). */
      maxAttempts: z.coerce.number().int().min(1).default(12),
      /** Wait before the second attempt; doubled for each further one, up to ten minutes. */
      retryBaseSeconds: z.coerce.number().min(0).default(5),
      /** Back-office API calls one department key may make per minute; 0 turns the limit off. */
      callsPerKeyPerMinute: z.coerce.number().int().min(0).default(120),
      /** How often new ticket events are looked for (the console's own actions are sent at once). */
      feedSeconds: z.coerce.number().min(0.1).default(5),
    })
    .prefault({}),
  /**
   * KVKK retention, in days (0 keeps everything): a citizen silent this long with nothing open is
   * erased, and tickets closed this long ago lose their personal data (src/privacy/erasure.ts).
   */
  retentionDays: z.coerce.number().int().min(0).default(730),
  /** Time zone in which dates are shown to citizens. */
  timeZone: text.default('Europe/Istanbul'),
  bot: z
    .object({
      /** Longest message the bot reads; the rest is stored but not interpreted. */
      maxMessageLength: z.coerce.number().int().min(100).default(2000),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Environment variables and the setting each one fills. */
export const ENV_SETTINGS: Record<string, string[]> = {
  PORT: ['port'],
  HOST: ['host'],
  TRUST_PROXY: ['trustProxy'],
  SHUTDOWN_TIMEOUT_SECONDS: ['shutdownTimeoutSeconds'],
  LEASE_SECONDS: ['leaseSeconds'],
  DATA_DIR: ['dataDir'],
  DATABASE_URL: ['databaseUrl'],
  REDIS_URL: ['redisUrl'],
  REDIS_KEY_PREFIX: ['redisKeyPrefix'],
  METRICS_TOKEN: ['metricsToken'],
  CONTENT_DIR: ['contentDir'],
  LOG_LEVEL: ['logLevel'],
  NLU_THRESHOLD: ['nlu', 'threshold'],
  MUNICIPALITY_NAME: ['municipality', 'name'],
  TICKET_PREFIX: ['tickets', 'prefix'],
  TELEGRAM_TOKEN: ['channels', 'telegram', 'token'],
  TELEGRAM_WEBHOOK_URL: ['channels', 'telegram', 'webhookUrl'],
  TELEGRAM_SECRET_TOKEN: ['channels', 'telegram', 'secretToken'],
  TELEGRAM_API_ROOT: ['channels', 'telegram', 'apiRoot'],
  WHATSAPP_BAILEYS: ['channels', 'whatsappBaileys', 'enabled'],
  WHATSAPP_ACCESS_TOKEN: ['channels', 'whatsappCloud', 'accessToken'],
  WHATSAPP_PHONE_NUMBER_ID: ['channels', 'whatsappCloud', 'phoneNumberId'],
  WHATSAPP_APP_SECRET: ['channels', 'whatsappCloud', 'appSecret'],
  WHATSAPP_VERIFY_TOKEN: ['channels', 'whatsappCloud', 'verifyToken'],
  WHATSAPP_GRAPH_API_BASE: ['channels', 'whatsappCloud', 'graphApiBase'],
  MICROSOFT_APP_ID: ['channels', 'botFramework', 'appId'],
  MICROSOFT_APP_PASSWORD: ['channels', 'botFramework', 'appPassword'],
  MICROSOFT_APP_TENANT_ID: ['channels', 'botFramework', 'tenantId'],
  MICROSOFT_APP_TYPE: ['channels', 'botFramework', 'appType'],
  BOTFRAMEWORK_EMULATOR: ['channels', 'botFramework', 'emulator'],
  RETENTION_DAYS: ['retentionDays'],
  SMTP_URL: ['integrations', 'smtp', 'url'],
};

export class ConfigError extends Error {}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of the YAML file; defaults to $COZUM_CONFIG or ./cozum.config.yaml when it exists; null reads none. */
  file?: string | null;
  /** Values that win over everything else (tests). */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file === null ? '' : (options.file ?? env.COZUM_CONFIG ?? 'cozum.config.yaml');
  let raw: Record<string, unknown> = {};
  if (file && existsSync(file)) {
    try {
      raw = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
    } catch (error) {
      throw new ConfigError(`${file}: YAML could not be read: ${(error as Error).message}`);
    }
  } else if (options.file ?? env.COZUM_CONFIG) {
    throw new ConfigError(`Configuration file not found: ${file}`);
  }
  for (const [name, keys] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keys, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) setPath(raw, key.split('.'), value);

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration (${file && existsSync(file) ? file : 'environment variables'}):\n${problems.join('\n')}`);
  }
  return result.data;
}

/** For a command (`npm start`, `npm run backup`): a wrong configuration is printed and ends the process with 1. */
export function loadConfigOrExit(options: LoadConfigOptions = {}): Config {
  try {
    return loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

export function databaseUrl(config: Config): string {
  return config.databaseUrl || `file:${path.resolve(config.dataDir, 'cozum.db')}`;
}
