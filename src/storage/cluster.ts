// Several Çözüm instances on one PostgreSQL database: who is alive, who holds which piece of work,
// and a way to tell the others.
//
// Design: a lease table with holders that expire, not advisory locks.
//   - Each process registers an Instance row whose `expiresAt` (epoch ms, the database's clock, so
//     that hosts' clocks do not matter) its heartbeat moves on every third of the lease time. A
//     Lease row (a conversation, a singleton job) names its holder instance and is valid while that
//     instance is alive: one heartbeat per instance renews all its leases, however many
//     conversations it holds, and a dead instance's leases all expire together `leaseMs` after its
//     last heartbeat.
//   - Claims are single statements (INSERT … ON CONFLICT … WHERE the holder is me or dead),
//     batched like the hot path's other writes, through the pool Prisma already has. Advisory locks
//     would need one dedicated connection holding every lock (session locks cannot move between
//     pooled connections), a round trip per lock and per unlock, and would show operators nothing;
//     a row says who holds what (`SELECT * FROM "Lease"`).
//   - Fencing: `token` grows at each change of holder, and an instance whose heartbeat found its
//     own row expired (a long pause: the others may have taken its work) forgets every lease and
//     goes on as a new instance with a new id, so that a paused process can never act on a lease
//     it lost under its old id. Singletons are told the token they run under.
//   - Notices between instances (work handed over, a turn answered, live console events) go through
//     PostgreSQL LISTEN/NOTIFY on one dedicated connection (`pg`), on a channel named after the
//     schema. A notice can be missed (a connection lost); every user of them has a periodic sweep
//     behind it.
// SQLite runs one process: nothing of this is made there (see messaging/ownership.ts).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Prisma } from '../generated/prisma/client.ts';
import type { Logger } from '../log.ts';
import type { Database } from './database.ts';
import { Batcher } from './batcher.ts';
import { directSql, type DirectSql } from './direct-sql.ts';
import { postgresConnection } from './postgres-url.ts';

export interface ClusterOptions {
  /** How long an instance's leases outlive its last heartbeat. */
  leaseMs?: number;
  /** For logs. */
  onError?: (error: unknown, what: string) => void;
  /**
   * What stays the same when this instance is restarted (its host and port, or INSTANCE_NAME): an
   * earlier instance of the same name that did not stop cleanly (a crash, SIGKILL) is dead, and its
   * leases are free at once instead of after the lease time, so that a restarted single instance
   * answers what it left at once and in order. Two live instances must never share a name.
   */
  name?: string;
}

export const DEFAULT_LEASE_MS = 10_000;

/** The database's clock in epoch milliseconds, in SQL. */
const NOW_MS = Prisma.sql`CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`;

/** A notice another instance sent: `type` says what it is about. */
export interface ClusterNotice {
  type: string;
  from: string;
  [key: string]: unknown;
}

function newId(name?: string): string {
  return `${name ? `${name}/` : ''}i${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

export class Cluster {
  /** This instance's id (changes when a long pause made it lose its leases). */
  id: string;
  readonly leaseMs: number;
  private readonly sql: DirectSql;
  private readonly channel: string;
  private readonly notices = new EventEmitter();
  private listener: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly claims: Batcher<string, boolean>;
  private readonly releases: Batcher<string, void>;
  /** Called when this instance lost its leases (a long pause). */
  private readonly lostListeners: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly url: string,
    private readonly options: ClusterOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.id = newId(options.name);
    this.sql = directSql(db);
    const schema = postgresConnection(url).schema ?? 'public';
    this.channel = `cozum_${schema}`.toLowerCase().slice(0, 63);
    this.notices.setMaxListeners(100);
    this.claims = new Batcher((keys) => this.claimNow(keys));
    this.releases = new Batcher<string, void>(async (keys) => {
      await this.release(keys);
      return keys.map(() => undefined);
    });
  }

  /** Registers this instance and starts listening and its heartbeat. */
  async start(): Promise<void> {
    await this.register();
    await this.listen();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(200, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  private async register(): Promise<void> {
    await this.sql.execute(Prisma.sql`INSERT INTO "Instance" ("id", "startedAt", "expiresAt") VALUES (${this.id}, ${NOW_MS}, ${NOW_MS} + ${this.leaseMs})`);
    const { name } = this.options;
    if (name) {
      await this.sql.execute(Prisma.sql`UPDATE "Instance" SET "expiresAt" = 0 WHERE starts_with("id", ${`${name}/`}) AND "id" <> ${this.id} AND "expiresAt" > 0`);
    }
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    try {
      const alive = await this.sql.execute(
        Prisma.sql`UPDATE "Instance" SET "expiresAt" = ${NOW_MS} + ${this.leaseMs} WHERE "id" = ${this.id} AND "expiresAt" > ${NOW_MS}`,
      );
      if (alive === 0 && !this.closed) {
        // Paused for longer than the lease: others may hold our work now. A new id, and no lease.
        this.options.onError?.(new Error(`instance ${this.id} outlived its lease`), 'heartbeat');
        this.id = newId(this.options.name);
        await this.register();
        for (const listener of this.lostListeners) listener();
      }
    } catch (error) {
      this.options.onError?.(error, 'heartbeat');
    }
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  private async listen(): Promise<void> {
    const { connectionString } = postgresConnection(this.url);
    const client = new pg.Client({ connectionString });
    client.on('error', (error) => this.options.onError?.(error, 'listen connection'));
    client.on('end', () => {
      if (this.listener !== client || this.closed) return;
      // Lost: listen again after a pause; the sweeps cover what was missed meanwhile.
      this.listener = undefined;
      setTimeout(() => void this.listen().catch((error: unknown) => this.options.onError?.(error, 'listen again')), 1_000).unref();
    });
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      let notices: ClusterNotice[];
      try {
        notices = JSON.parse(message.payload) as ClusterNotice[];
      } catch {
        return;
      }
      for (const notice of notices) if (notice.from !== this.id) this.notices.emit(notice.type, notice);
    });
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.listener = client;
  }

  on(type: string, listener: (notice: ClusterNotice) => void): void {
    this.notices.on(type, listener);
  }

  private outgoing: ClusterNotice[] = [];
  private sending = false;

  /**
   * Tells the other instances; notices of one pass of the event loop travel together (a payload
   * holds up to 7,000 bytes). Resolves once sent.
   */
  notify(type: string, body: Record<string, unknown> = {}): Promise<void> {
    this.outgoing.push({ ...body, type, from: this.id });
    if (!this.pendingSend) {
      this.pendingSend = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.sendOutgoing());
    }
    return this.pendingSend;
  }

  private pendingSend: Promise<void> | undefined;

  private async sendOutgoing(): Promise<void> {
    this.pendingSend = undefined;
    const notices = this.outgoing.splice(0);
    const payloads: string[] = [];
    let part: string[] = [];
    let size = 2;
    for (const notice of notices) {
      const text = JSON.stringify(notice);
      if (part.length > 0 && size + text.length + 1 > 7_000) {
        payloads.push(`[${part.join(',')}]`);
        part = [];
        size = 2;
      }
      part.push(text);
      size += text.length + 1;
    }
    if (part.length > 0) payloads.push(`[${part.join(',')}]`);
    for (const payload of payloads) {
      await this.sql.query(Prisma.sql`SELECT CAST(pg_notify(${this.channel}, ${payload}) AS TEXT) AS "sent"`).catch((error: unknown) => this.options.onError?.(error, 'notify'));
    }
  }

  /** Takes `key` if it is free, held by a dead instance, or already ours. Batched. */
  claim(key: string): Promise<boolean> {
    return this.claims.add(key);
  }

  private async claimNow(keys: string[]): Promise<boolean[]> {
    const unique = [...new Set(keys)];
    const values = unique.map((key) => Prisma.sql`(${key}, ${this.id}, 1)`);
    const rows = await this.sql.query<{ key: string }>(Prisma.sql`INSERT INTO "Lease" ("key", "holder", "token") VALUES ${Prisma.join(values)}
      ON CONFLICT ("key") DO UPDATE SET "holder" = EXCLUDED."holder", "token" = "Lease"."token" + CASE WHEN "Lease"."holder" = EXCLUDED."holder" THEN 0 ELSE 1 END
      WHERE "Lease"."holder" = EXCLUDED."holder"
         OR NOT EXISTS (SELECT 1 FROM "Instance" WHERE "Instance"."id" = "Lease"."holder" AND "Instance"."expiresAt" > ${NOW_MS})
      RETURNING "key"`);
    const won = new Set(rows.map((row) => row.key));
    return keys.map((key) => won.has(key));
  }

  /** The fencing token of a lease this instance holds; undefined when it does not hold it. */
  async token(key: string): Promise<number | undefined> {
    const rows = await this.sql.query<{ token: number }>(Prisma.sql`SELECT "token" FROM "Lease" WHERE "key" = ${key} AND "holder" = ${this.id}`);
    return rows[0] ? Number(rows[0].token) : undefined;
  }

  /** The live instance holding `key`, if any. */
  async holderOf(key: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ holder: string }>(Prisma.sql`SELECT "Lease"."holder" FROM "Lease" JOIN "Instance" ON "Instance"."id" = "Lease"."holder"
      WHERE "Lease"."key" = ${key} AND "Instance"."expiresAt" > ${NOW_MS}`);
    return rows[0]?.holder;
  }

  /** Gives leases back (a conversation gone quiet, a singleton stopped). */
  async release(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.sql.execute(Prisma.sql`DELETE FROM "Lease" WHERE "holder" = ${this.id} AND "key" IN (${Prisma.join(keys)})`);
  }

  /** Gives one lease back, batched with the others given back at about the same moment. */
  releaseSoon(key: string): Promise<void> {
    return this.releases.add(key);
  }

  /**
   * SQL true when the lease `key` names is free or its holder is dead (for sweeps); with `mine`,
   * also when this instance holds it.
   */
  freeLeaseSql(key: Prisma.Sql, options: { mine?: boolean } = {}): Prisma.Sql {
    return Prisma.sql`NOT EXISTS (SELECT 1 FROM "Lease" JOIN "Instance" ON "Instance"."id" = "Lease"."holder"
      WHERE "Lease"."key" = ${key} AND "Instance"."expiresAt" > ${NOW_MS}${options.mine ? Prisma.sql` AND "Lease"."holder" <> ${this.id}` : Prisma.empty})`;
  }

  /**
   * Claims for this instance the pending rows of `table` (a queue with `status` and `claimedBy`) that
   * no live instance holds: unclaimed ones, and a dead instance's. FOR UPDATE SKIP LOCKED: two
   * instances looking at once take different rows. Returns the ids claimed.
   */
  async claimPending(table: 'IntegrationDelivery' | 'Media'): Promise<string[]> {
    const name = Prisma.raw(`"${table}"`);
    const rows = await this.sql.query<{ id: string }>(Prisma.sql`UPDATE ${name} SET "claimedBy" = ${this.id}
      WHERE "id" IN (SELECT "id" FROM ${name}
        WHERE "status" = 'pending' AND ("claimedBy" IS NULL OR ("claimedBy" <> ${this.id} AND NOT ${this.liveOtherSql(Prisma.sql`"claimedBy"`)}))
        FOR UPDATE SKIP LOCKED)
      RETURNING "id"`);
    return rows.map((row) => row.id);
  }

  /** SQL true when `holder` names a live instance other than this one. */
  liveOtherSql(holder: Prisma.Sql): Prisma.Sql {
    return Prisma.sql`EXISTS (SELECT 1 FROM "Instance" WHERE "Instance"."id" = ${holder} AND "Instance"."expiresAt" > ${NOW_MS} AND "Instance"."id" <> ${this.id})`;
  }

  /** Stops the heartbeat, hands every lease back and leaves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await this.claims.drain();
    await this.releases.drain();
    await this.pendingSend;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    try {
      await this.sql.execute(Prisma.sql`DELETE FROM "Lease" WHERE "holder" = ${this.id}`);
      await this.sql.execute(Prisma.sql`DELETE FROM "Instance" WHERE "id" = ${this.id} OR "expiresAt" < ${NOW_MS} - 86400000`);
    } catch (error) {
      this.options.onError?.(error, 'leaving');
    }
  }
}

/**
 * A job that runs on one instance at a time (the retention job, Telegram long polling, the Baileys
 * session): `start(token)` when this instance takes its lease, `stop()` when it loses it (a long
 * pause) or closes. Tried every third of the lease time, so it moves to another instance within
 * about the lease time after its holder died.
 */
export class Singleton {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private trying: Promise<void> = Promise.resolve();

  constructor(
    private readonly cluster: Cluster,
    readonly name: string,
    private readonly job: { start(token: number): Promise<void> | void; stop(): Promise<void> | void },
    private readonly onError?: (error: unknown) => void,
  ) {
    cluster.onLost(() => {
      if (this.running) void this.halt();
    });
  }

  get key(): string {
    return `singleton:${this.name}`;
  }

  get holding(): boolean {
    return this.running;
  }

  /** Settles when the attempt to take the lease in progress (the first, after `begin`) is over. */
  get tried(): Promise<void> {
    return this.trying;
  }

  begin(): void {
    this.trying = this.attempt();
    this.timer = setInterval(() => {
      this.trying = this.trying.then(() => this.attempt());
    }, Math.max(200, Math.floor(this.cluster.leaseMs / 3)));
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.running) return;
    try {
      if (!(await this.cluster.claim(this.key))) return;
      const token = (await this.cluster.token(this.key)) ?? 0;
      if (this.closed) return;
      this.running = true;
      await this.job.start(token);
    } catch (error) {
      this.onError?.(error);
      // A start that failed is tried again (here or elsewhere), not left holding a lease for nothing.
      if (this.running) await this.halt();
      await this.cluster.release([this.key]).catch(() => undefined);
    }
  }

  private async halt(): Promise<void> {
    this.running = false;
    try {
      await this.job.stop();
    } catch (error) {
      this.onError?.(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.trying;
    if (this.running) await this.halt();
    await this.cluster.release([this.key]).catch(() => undefined);
  }
}

/**
 * `runExclusively` for several instances (channels/channel.ts `RunExclusively`): each job a
 * Singleton, started here when this instance takes its lease, logged when it starts and stops.
 */
export function singletonRunner(cluster: Cluster, logger: Logger) {
  return (name: string, job: { start(): Promise<void> | void; stop(): Promise<void> | void }) => {
    const singleton = new Singleton(
      cluster,
      name,
      {
        start: (token) => {
          logger.info({ singleton: name, token, instance: cluster.id }, `singleton started here: ${name}`);
          return job.start();
        },
        stop: () => {
          logger.info({ singleton: name, instance: cluster.id }, `singleton stopped here: ${name}`);
          return job.stop();
        },
      },
      (error) => logger.warn({ err: error, singleton: name }, 'singleton trouble'),
    );
    singleton.begin();
    return {
      tried: singleton.tried,
      stop: () => singleton.close(),
      elsewhere: async () => {
        const holder = await cluster.holderOf(singleton.key);
        return holder === cluster.id ? undefined : holder;
      },
    };
  };
}
