// All configuration in one zod schema: defaults that run, values from an optional
// cozum.config.yaml, and environment variables on top. A wrong value stops start-up with a
// message that names the setting.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const text = z.string().trim().min(1);

export const MunicipalitySchema = z.object({
  name: text.default('Yeşilova Belediyesi'),
  city: text.default('İzmir'),
  district: text.default('Bornova'),
  address: text.default('Cumhuriyet Meydanı No: 1, 35040 Bornova / İzmir'),
  website: z.url().default('https://www.yesilova.bel.tr'),
  email: z.email().default('iletisim@yesilova.bel.tr'),
  hours: text.default('hafta içi 08.30–17.30'),
  phones: z
    .object({
      callCenter: text.default('444 0 153'),
      whatsapp: text.default('0 (532) 000 01 53'),
      funeral: text.default('0 (232) 000 01 88'),
      water: text.default('185'),
      transport: text.default('0 (232) 000 03 20'),
      socialAid: text.default('0 (232) 000 02 40'),
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
  /** Where the SQLite file, the NLU model cache and other local state live. */
  dataDir: text.default('./data'),
  /** `file:…` for SQLite; empty means `<dataDir>/cozum.db`. */
  databaseUrl: z.string().optional(),
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
      prefix: z.string().regex(/^[A-Z]{2,5}$/, '2–5 büyük harf, örn. BLK').default('CZM'),
      /** Hours within which the citizen is promised an answer, unless a category says otherwise. */
      defaultSlaHours: z.coerce.number().int().min(1).max(24 * 90).default(48),
    })
    .prefault({}),
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
const ENV_SETTINGS: Record<string, string[]> = {
  PORT: ['port'],
  HOST: ['host'],
  DATA_DIR: ['dataDir'],
  DATABASE_URL: ['databaseUrl'],
  CONTENT_DIR: ['contentDir'],
  LOG_LEVEL: ['logLevel'],
  NLU_THRESHOLD: ['nlu', 'threshold'],
  MUNICIPALITY_NAME: ['municipality', 'name'],
  TICKET_PREFIX: ['tickets', 'prefix'],
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
      throw new ConfigError(`${file}: YAML okunamadı: ${(error as Error).message}`);
    }
  } else if (options.file ?? env.COZUM_CONFIG) {
    throw new ConfigError(`Yapılandırma dosyası bulunamadı: ${file}`);
  }
  for (const [name, keys] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keys, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) setPath(raw, key.split('.'), value);

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(kök)'}: ${issue.message}`);
    throw new ConfigError(`Geçersiz yapılandırma (${file && existsSync(file) ? file : 'ortam değişkenleri'}):\n${problems.join('\n')}`);
  }
  return result.data;
}

export function databaseUrl(config: Config): string {
  return config.databaseUrl || `file:${path.resolve(config.dataDir, 'cozum.db')}`;
}
