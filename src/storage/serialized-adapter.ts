// @prisma/adapter-better-sqlite3 runs every query on one connection. An interactive
// `$transaction(async (tx) => …)` sends BEGIN on it and holds it across awaits, but a query made
// outside the transaction meanwhile (another citizen's message, a reply, a delivery mark) is not
// held back: it runs on the same connection, inside that transaction, and if the transaction then
// rolls back (an eTag conflict, a failed ticket insert) that write vanishes although its caller was
// told it succeeded. This wrapper makes every query outside a transaction wait until none is open.
//
// Consequence to remember: inside `$transaction(async (tx) => …)` use `tx` only; a query on the
// outer client there would wait for its own transaction until Prisma's timeout fails it.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

/** `onConnect` receives the connection Prisma Client will use (see direct-sql.ts). */
export function serializeTransactions(factory: SqlDriverAdapterFactory, onConnect?: (adapter: SqlDriverAdapter) => void): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const inner = await factory.connect();
      let open: Promise<void> | undefined;
      const idle = async () => {
        while (open) await open;
      };
      const adapter: SqlDriverAdapter = Object.create(inner);
      adapter.queryRaw = async (query: SqlQuery) => (await idle(), inner.queryRaw(query));
      adapter.executeRaw = async (query: SqlQuery) => (await idle(), inner.executeRaw(query));
      adapter.startTransaction = async (isolation) => {
        // The wait and the claim must happen in one synchronous step: with `await idle()` two
        // waiters could both see the connection free and both start.
        while (open) await open;
        let done!: () => void;
        open = new Promise<void>((resolve) => (done = resolve));
        const finish = () => {
          open = undefined;
          done();
        };
        try {
          const tx: Transaction = await inner.startTransaction(isolation);
          const commit = tx.commit.bind(tx);
          const rollback = tx.rollback.bind(tx);
          tx.commit = async () => {
            try {
              await commit();
            } finally {
              finish();
            }
          };
          tx.rollback = async () => {
            try {
              await rollback();
            } finally {
              finish();
            }
          };
          return tx;
        } catch (error) {
          finish();
          throw error;
        }
      };
      onConnect?.(adapter);
      return adapter;
    },
  } as SqlDriverAdapterFactory;
}
