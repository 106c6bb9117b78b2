// @prisma/adapter-better-sqlite3 compiles every statement anew (`client.prepare(sql).bind(args)`),
// Prisma Client's and direct-sql.ts's alike: SQLite's parsing and planning took about a quarter of
// the main thread at 1,000 messages/s in the benchmark's profile. The application sends the same
// few hundred statement texts over and over, so the connection's `prepare` is replaced by one that
// keeps the compiled statements and hands the adapter a light object that binds its arguments at
// each run instead of once for good (better-sqlite3's `bind` may be called only once per statement).
//
// The adapter's internals are used as they are in the pinned version 7.10.0 (`client.prepare`, then
// `bind`, `reader`, `run`, `columns`, `raw().all`). A version without the `client` fails when it
// connects, with the message below; one that calls other statement methods fails at its first
// query, which every test makes. Neither runs quietly without the cache.
import { LRUCache } from 'lru-cache';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

type Statement = BetterSqlite3.Statement<unknown[]>;
type Args = unknown[];

/**
 * A compiled statement with what the adapter asks of it at every run. Its columns are kept too: the
 * schema does not change while the application runs (migrations are applied before it connects).
 */
interface Compiled {
  statement: Statement;
  columns?: BetterSqlite3.ColumnDefinition[];
  /** Switched to rows as arrays (`raw`), which the adapter always reads. */
  raw: boolean;
}

/** What the adapter calls on a prepared statement; bound to its arguments only for one run. */
class ReusableStatement {
  constructor(
    private readonly compiled: Compiled,
    private readonly args: Args = [],
  ) {}

  bind(args: Args): ReusableStatement {
    return new ReusableStatement(this.compiled, args);
  }

  get reader(): boolean {
    return this.compiled.statement.reader;
  }

  run(): BetterSqlite3.RunResult {
    return this.compiled.statement.run(this.args);
  }

  columns(): BetterSqlite3.ColumnDefinition[] {
    return (this.compiled.columns ??= this.compiled.statement.columns());
  }

  raw(): { all(): unknown[] } {
    const compiled = this.compiled;
    if (!compiled.raw) {
      compiled.statement.raw(true);
      compiled.raw = true;
    }
    return { all: () => compiled.statement.all(this.args) };
  }
}

/** Compiled statements by their text, the least recently used dropped beyond `capacity`. */
export class StatementCache {
  private readonly statements: LRUCache<string, Compiled>;
  hits = 0;
  misses = 0;

  constructor(
    private readonly compile: (sql: string) => Statement,
    capacity: number,
  ) {
    this.statements = new LRUCache({ max: capacity });
  }

  get size(): number {
    return this.statements.size;
  }

  prepare(sql: string): ReusableStatement {
    let compiled = this.statements.get(sql);
    if (compiled) {
      this.hits++;
    } else {
      this.misses++;
      compiled = { statement: this.compile(sql), raw: false };
      this.statements.set(sql, compiled);
    }
    return new ReusableStatement(compiled);
  }
}

const caches = new WeakMap<BetterSqlite3.Database, StatementCache>();

/** The cache of a connection made through `cacheStatements`, also when wrapped (tests read its counts). */
export function statementCacheOf(adapter: SqlDriverAdapter): StatementCache | undefined {
  return caches.get(betterSqliteClient(adapter));
}

function betterSqliteClient(adapter: SqlDriverAdapter): BetterSqlite3.Database {
  const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
  if (typeof client?.prepare !== 'function' || typeof client.exec !== 'function') {
    throw new Error('statement-cache: no client found on the @prisma/adapter-better-sqlite3 connection (has its version changed?)');
  }
  return client;
}

/** Connections of `factory` keep up to `capacity` compiled statements. */
export function cacheStatements(factory: SqlDriverAdapterFactory, capacity = 500): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      const client = betterSqliteClient(adapter);
      const compile = client.prepare.bind(client) as (sql: string) => Statement;
      const cache = new StatementCache(compile, capacity);
      // An own property in front of the prototype's method: the adapter and its transactions,
      // which share this client, all go through the cache.
      (client as unknown as { prepare: (sql: string) => ReusableStatement }).prepare = (sql) => cache.prepare(sql);
      caches.set(client, cache);
      return adapter;
    },
  } as SqlDriverAdapterFactory;
}
