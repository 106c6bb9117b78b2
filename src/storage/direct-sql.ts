// The hot path's batched statements (storing messages, delivery marks, conversation state) go
// straight to the driver adapter that Prisma Client itself runs on: the same connection, the same
// wait for an open transaction (serialized-adapter.ts), the same conversion of arguments. What is
// skipped is Prisma Client's request pipeline, which costs more than the statement: measured on
// this project's 2-core machine, `$queryRaw` about 65 µs of CPU per call and an ORM `findMany`
// about 250 µs, against about 15 µs here. Every citizen's turn makes about eight such calls; at a
// moderate rate they carry few rows each, so the per-call cost is most of a turn's database time.
//
// Only for statements written by hand with `Prisma.sql`; everything else keeps using Prisma Client.
// Result values come back as SQLite stores them (text for dates), so queries here return strings
// and numbers only. Never inside `$transaction(async (tx) => …)`: like a query on the outer client,
// a direct statement waits for the open transaction, which is waiting for it. `transaction` is the
// direct counterpart of that (BEGIN … COMMIT on the same connection, the same wait), for the hot
// path's own multi-statement writes; inside it use only the statements it hands you.
import type { ArgType, SqlDriverAdapter, SqlQuery, SqlQueryable } from '@prisma/driver-adapter-utils';
import type { Prisma, PrismaClient as Database } from '../generated/prisma/client.ts';

export interface DirectStatements {
  query<Row>(statement: Prisma.Sql): Promise<Row[]>;
  /** The number of rows changed. */
  execute(statement: Prisma.Sql): Promise<number>;
}

export interface DirectSql extends DirectStatements {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: DirectStatements) => Promise<T>): Promise<T>;
}

const connections = new WeakMap<Database, SqlDriverAdapter>();

/** Called (through serialized-adapter.ts) whenever Prisma Client connects. */
export function registerConnection(db: Database, adapter: SqlDriverAdapter): void {
  connections.set(db, adapter);
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

function toQuery(statement: Prisma.Sql): SqlQuery {
  const args = statement.values;
  return { sql: statement.sql, args, argTypes: args.map(argType) };
}

const COMMIT: SqlQuery = { sql: 'COMMIT', args: [], argTypes: [] };
const ROLLBACK: SqlQuery = { sql: 'ROLLBACK', args: [], argTypes: [] };

function statementsOn(queryable: () => SqlQueryable): DirectStatements {
  return {
    async query<Row>(statement: Prisma.Sql): Promise<Row[]> {
      const result = await queryable().queryRaw(toQuery(statement));
      return result.rows.map((values) => {
        const row: Record<string, unknown> = {};
        result.columnNames.forEach((name, index) => (row[name] = values[index]));
        return row as Row;
      });
    },
    execute(statement: Prisma.Sql): Promise<number> {
      return queryable().executeRaw(toQuery(statement));
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
