// The hot path's batched statements (storing messages, delivery marks, conversation state) go
// straight to the driver adapter that Prisma Client itself runs on: the same connection (SQLite's
// one, or PostgreSQL's pool), the same wait for an open transaction on SQLite
// (serialized-adapter.ts), the same conversion of arguments. What is
// skipped is Prisma Client's request pipeline, which costs more than the statement: measured on
// this project's 2-core machine, `$queryRaw` about 65 µs of CPU per call and an ORM `findMany`
// about 250 µs, against about 15 µs here. Every citizen's turn makes about eight such calls; at a
// moderate rate they carry few rows each, so the per-call cost is most of a turn's database time.
//
// Only for statements written by hand with `Prisma.sql`; everything else keeps using Prisma Client.
// The same statement runs on SQLite and PostgreSQL (`?` or `$1` placeholders, chosen by the
// connection's provider); where the SQL itself must differ, the caller asks `dialect`. Results are
// made alike: dates as the text SQLite stores (`2026-12-07T06:26:46.623+00:00`, see `storedDate`),
// PostgreSQL's 64-bit integers (counts) as numbers; so queries here return strings and numbers only.
// Never inside `$transaction(async (tx) => …)`: like a query on the outer client, a direct
// statement waits (on SQLite) for the open transaction, which is waiting for it; on PostgreSQL it
// runs outside that transaction, on another connection of the pool. `transaction` is the
// direct counterpart of that (BEGIN … COMMIT on the same connection, the same wait), for the hot
// path's own multi-statement writes; inside it use only the statements it hands you.
import { ColumnTypeEnum, type ArgType, type SqlDriverAdapter, type SqlDriverAdapterFactory, type SqlQuery, type SqlQueryable, type SqlResultSet } from '@prisma/driver-adapter-utils';
import type { Prisma, PrismaClient as Database } from '../generated/prisma/client.ts';

/** The databases the application runs on. */
export type Dialect = 'sqlite' | 'postgresql';

/** A date as the driver adapter writes it into SQLite, so that text comparison orders as time does. */
export function storedDate(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export interface DirectStatements {
  query<Row>(statement: Prisma.Sql): Promise<Row[]>;
  /** The number of rows changed. */
  execute(statement: Prisma.Sql): Promise<number>;
}

export interface DirectSql extends DirectStatements {
  /** Which SQL to write where the two databases differ (known once connected: ask inside a query's code). */
  readonly dialect: Dialect;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: DirectStatements) => Promise<T>): Promise<T>;
}

const connections = new WeakMap<Database, SqlDriverAdapter>();

/** Called (through serialized-adapter.ts) whenever Prisma Client connects. */
export function registerConnection(db: Database, adapter: SqlDriverAdapter): void {
  connections.set(db, adapter);
}

/** Calls `onConnect` with every connection Prisma Client makes through `factory`. */
export function watchConnections(factory: SqlDriverAdapterFactory, onConnect: (adapter: SqlDriverAdapter) => void): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      onConnect(adapter);
      return adapter;
    },
  } as SqlDriverAdapterFactory;
}

/** The connection registered for this client (tests use it to watch the statements sent). */
export function connectionOf(db: Database): SqlDriverAdapter | undefined {
  return connections.get(db);
}

function argType(value: unknown): ArgType {
  if (value instanceof Date) return { scalarType: 'datetime', arity: 'scalar' };
  if (typeof value === 'number') return { scalarType: Number.isInteger(value) ? 'int' : 'float', arity: 'scalar' };
  if (typeof value === 'boolean') return { scalarType: 'boolean', arity: 'scalar' };
  if (typeof value === 'string') return { scalarType: 'string', arity: 'scalar' };
  return { scalarType: 'unknown', arity: 'scalar' };
}

function dialectOf(queryable: SqlQueryable): Dialect {
  return queryable.provider === 'postgres' ? 'postgresql' : 'sqlite';
}

function toQuery(statement: Prisma.Sql, dialect: Dialect): SqlQuery {
  const args = statement.values;
  // `sql` has `?` placeholders (SQLite's), `text` has `$1` (PostgreSQL's).
  return { sql: dialect === 'postgresql' ? statement.text : statement.sql, args, argTypes: args.map(argType) };
}

/**
 * PostgreSQL's values made like SQLite's: @prisma/adapter-pg returns timestamps as text with as
 * many fractional digits as needed (`…46.62+00:00`, `…46+00:00`) and 64-bit integers as text.
 */
function converters(result: SqlResultSet, dialect: Dialect): ((value: unknown) => unknown)[] | undefined {
  if (dialect === 'sqlite') return undefined;
  const converted = result.columnTypes.map((type) => {
    if (type === ColumnTypeEnum.DateTime) return (value: unknown) => (value === null ? null : storedDate(new Date(value as string)));
    if (type === ColumnTypeEnum.Int64) return (value: unknown) => (value === null ? null : Number(value));
    return undefined;
  });
  return converted.some(Boolean) ? converted.map((convert) => convert ?? ((value: unknown) => value)) : undefined;
}

const COMMIT: SqlQuery = { sql: 'COMMIT', args: [], argTypes: [] };
const ROLLBACK: SqlQuery = { sql: 'ROLLBACK', args: [], argTypes: [] };

function statementsOn(queryable: () => SqlQueryable): DirectStatements {
  return {
    async query<Row>(statement: Prisma.Sql): Promise<Row[]> {
      const connection = queryable();
      const dialect = dialectOf(connection);
      const result = await connection.queryRaw(toQuery(statement, dialect));
      const convert = converters(result, dialect);
      return result.rows.map((values) => {
        const row: Record<string, unknown> = {};
        result.columnNames.forEach((name, index) => (row[name] = convert ? convert[index]!(values[index]) : values[index]));
        return row as Row;
      });
    },
    execute(statement: Prisma.Sql): Promise<number> {
      const connection = queryable();
      return connection.executeRaw(toQuery(statement, dialectOf(connection)));
    },
  };
}

/** Direct statements on the connection of a client opened by openDatabase. */
export function directSql(db: Database): DirectSql {
  const connection = () => {
    const adapter = connections.get(db);
    if (!adapter) throw new Error('directSql: this database was not opened by openDatabase');
    return adapter;
  };
  return {
    ...statementsOn(connection),
    get dialect() {
      return dialectOf(connection());
    },
    async transaction<T>(work: (tx: DirectStatements) => Promise<T>): Promise<T> {
      // The adapter sends BEGIN and holds the connection; COMMIT and ROLLBACK are sent as
      // statements and `commit`/`rollback` let go of it, as Prisma Client's own transactions do.
      const tx = await connection().startTransaction();
      let result: T;
      try {
        result = await work(statementsOn(() => tx));
        await tx.executeRaw(COMMIT);
      } catch (error) {
        try {
          await tx.executeRaw(ROLLBACK);
        } finally {
          await tx.rollback();
        }
        throw error;
      }
      await tx.commit();
      return result;
    },
  };
}
