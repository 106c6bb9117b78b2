// The container files, checked as far as this machine can (no Docker daemon, no base images):
// compose.yaml parsed and held against the configuration, the Dockerfile's health check and
// start command run directly.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, ENV_SETTINGS, loadConfig } from '../../src/config.ts';
import { useTestCozum } from '../support/cozum.ts';
import { parseStartScript } from '../../scripts/start-command.ts';

/** Variables read outside the configuration schema (log format, Node itself, the config file). */
/** Read from the environment outside the configuration: INSTANCE_NAME by main.ts (storage/cluster.ts). */
const OTHER_VARIABLES = ['NODE_ENV', 'LOG_FORMAT', 'COZUM_CONFIG', 'INSTANCE_NAME'];

interface ComposeService {
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
  command?: string[];
  image?: string;
  depends_on?: Record<string, { condition: string }>;
}

// `merge: true`: the app services share their settings through a YAML merge key (<<), as Compose reads it.
const compose = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const dockerfile = readFileSync('Dockerfile', 'utf8');

function seconds(duration: string): number {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) throw new Error(`not a duration in seconds: ${duration}`);
  return Number(match[1]);
}

describe('compose.yaml', () => {
  const apps = Object.entries(compose.services).filter(([, service]) => service.build === '.');

  it('runs two app instances on the PostgreSQL service it starts', () => {
    expect(apps.map(([name]) => name)).toEqual(['cozum-1', 'cozum-2']);
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:/);
    for (const [name, service] of apps) {
      const url = new URL(service.environment!.DATABASE_URL!);
      expect(url.protocol, name).toBe('postgresql:');
      expect(url.hostname, name).toBe('postgres');
      expect(`${url.username}:${url.password}@${url.pathname.slice(1)}`).toBe(`${postgres.environment!.POSTGRES_USER}:${postgres.environment!.POSTGRES_PASSWORD}@${postgres.environment!.POSTGRES_DB}`);
      expect(service.depends_on?.postgres?.condition, name).toBe('service_healthy');
    }
    // The same settings, and a name of its own each (a restarted container then frees its predecessor's work at once).
    const { INSTANCE_NAME: first, ...settings } = apps[0]![1].environment!;
    const { INSTANCE_NAME: second, ...others } = apps[1]![1].environment!;
    expect(settings).toEqual(others);
    expect([first, second]).toEqual(['cozum-1', 'cozum-2']);
  });

  it('shares the flood counters of both instances through the Redis service it starts, once Redis is healthy', () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const [name, service] of apps) {
      const config = loadConfig({ env: service.environment ?? {}, file: null });
      const url = new URL(config.redisUrl!);
      expect(url.protocol, name).toBe('redis:');
      expect(url.hostname, name).toBe('redis');
      expect(Number(url.port), name).toBe(6379);
      expect(service.depends_on?.redis?.condition, name).toBe('service_healthy');
    }
  });

  it('sets only variables Çözüm reads, with values its configuration accepts', () => {
    for (const [, service] of apps) {
      const environment = service.environment ?? {};
      for (const name of Object.keys(environment)) expect([...Object.keys(ENV_SETTINGS), ...OTHER_VARIABLES], name).toContain(name);
      const config = loadConfig({ env: environment, file: null });
      expect(config.host).toBe('0.0.0.0');
      expect(config.dataDir).toBe('/data');
      expect(ConfigSchema.safeParse(config).success).toBe(true);
    }
  });

  it('publishes the port each process listens on (a host port each), keeps its data on a volume of its own, and waits longer than the shutdown deadline', () => {
    const hostPorts = new Set<string>();
    const volumes = new Set<string>();
    for (const [, service] of apps) {
      const config = loadConfig({ env: service.environment ?? {}, file: null });
      const published = service.ports!.map((port) => Number(port.split(':').at(-1)));
      expect(published).toEqual([config.port]);
      hostPorts.add(service.ports![0]!.split(':').slice(0, -1).join(':'));
      const [volume, mountedAt] = service.volumes![0]!.split(':');
      expect(mountedAt).toBe(config.dataDir);
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      volumes.add(volume!);
      expect(seconds(service.stop_grace_period!)).toBeGreaterThan(config.shutdownTimeoutSeconds);
    }
    expect(hostPorts.size).toBe(apps.length);
    expect(volumes.size).toBe(apps.length);
  });

  it('checks health with the same script as the Dockerfile, and every file it names exists', () => {
    for (const [, service] of apps) expect(service.healthcheck!.test).toEqual(['CMD', 'node', 'scripts/healthcheck.mjs']);
    expect(dockerfile).toContain('CMD ["node", "scripts/healthcheck.mjs"]');
    for (const file of ['scripts/healthcheck.mjs', 'scripts/prisma-generate.mjs', 'prisma', 'prisma.config.ts', 'package-lock.json', 'scripts/build.mjs', 'tsconfig.build.json', 'src/main.ts']) expect(existsSync(file), file).toBe(true);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

describe('the image start script and health check, run directly', () => {
  const cozum = useTestCozum({ http: true });
  const port = () => new URL(cozum.url!).port;
  // Asynchronously: the server it asks runs in this process.
  const healthcheck = () =>
    promisify(execFile)(process.execPath, ['scripts/healthcheck.mjs'], { env: { ...process.env, PORT: port() } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('exits 0 while ready and 1 while draining', async () => {
    expect(await healthcheck()).toEqual({ code: 0, stderr: '' });
    cozum.readiness.drain();
    const draining = await healthcheck();
    expect(draining.code).toBe(1);
    expect(draining.stderr).toContain('503');
  });

  it('the start command is the one npm start runs, with the same environment', () => {
    // `npm start` sets its variables in front of the command; the image sets them with ENV.
    const start = parseStartScript((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)![1]!;
    expect(JSON.parse(cmd) as string[]).toEqual(['node', ...start.args]);
    expect(Object.keys(start.env)).not.toEqual([]);
    const env = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)![1]!;
    for (const [name, value] of Object.entries(start.env)) expect(env).toMatch(new RegExp(`(^|\\s)${name}=${value}(\\s|$)`));
  });
});
