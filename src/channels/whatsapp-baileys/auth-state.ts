// Baileys' authentication state (the linked device's credentials and its Signal keys) in the
// database instead of loose files: the creds under `baileys/creds`, every key under
// `baileys/keys/<type>/<id>`, serialised with Baileys' own BufferJSON so that Buffers survive.
// Keys change with almost every message, so `keys.set` writes at once; the creds are written on
// every `creds.update` through `saveCreds`. Writes of the creds are chained, so an older snapshot
// never lands after a newer one.
import { randomUUID } from 'node:crypto';
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { Database } from '../../storage/database.ts';
import { BAILEYS_PREFIX, CREDS_KEY, KEYS_PREFIX, keyOf } from '../../storage/state-keys.ts';

export { BAILEYS_PREFIX, CREDS_KEY, KEYS_PREFIX, keyOf };

export interface DatabaseAuthState {
  state: AuthenticationState;
  /** Writes the current creds (call on every `creds.update`). */
  saveCreds(): Promise<void>;
  /** Forgets the session: creds and keys. The next `loadAuthState` starts a new pairing. */
  clear(): Promise<void>;
  /** True when the creds came from the database (a device was paired before). */
  readonly restored: boolean;
}

function serialise(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

function deserialise<T>(json: string): T {
  return JSON.parse(json, BufferJSON.reviver) as T;
}

async function writeEntry(db: Database, key: string, value: string): Promise<void> {
  const eTag = randomUUID();
  await db.stateEntry.upsert({ where: { key }, create: { key, value, eTag }, update: { value, eTag } });
}

/** Everything stored under `baileys/`, gone. */
export async function clearAuthState(db: Database): Promise<void> {
  await db.stateEntry.deleteMany({ where: { key: { startsWith: BAILEYS_PREFIX } } });
}

export async function loadAuthState(db: Database): Promise<DatabaseAuthState> {
  const stored = await db.stateEntry.findUnique({ where: { key: CREDS_KEY } });
  const creds: AuthenticationCreds = stored ? deserialise<AuthenticationCreds>(stored.value) : initAuthCreds();

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return result;
      const byKey = new Map(ids.map((id) => [keyOf(type, id), id]));
      const rows = await db.stateEntry.findMany({ where: { key: { in: [...byKey.keys()] } } });
      for (const row of rows) {
        let value = deserialise<unknown>(row.value);
        // Protobuf messages come back as plain objects; Baileys expects the class.
        if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        result[byKey.get(row.key)!] = value as SignalDataTypeMap[T];
      }
      return result;
    },
    async set(data: SignalDataSet) {
      const writes: { key: string; value: string | null }[] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          writes.push({ key: keyOf(type, id), value: value === null || value === undefined ? null : serialise(value) });
        }
      }
      if (writes.length === 0) return;
      await db.$transaction(async (tx) => {
        for (const write of writes) {
          if (write.value === null) {
            await tx.stateEntry.deleteMany({ where: { key: write.key } });
          } else {
            const eTag = randomUUID();
            await tx.stateEntry.upsert({ where: { key: write.key }, create: { key: write.key, value: write.value, eTag }, update: { value: write.value, eTag } });
          }
        }
      });
    },
    async clear() {
      await db.stateEntry.deleteMany({ where: { key: { startsWith: KEYS_PREFIX } } });
    },
  };

  let writing: Promise<void> = Promise.resolve();
  return {
    state: { creds, keys },
    restored: stored !== null,
    saveCreds() {
      // Serialise now, write in order: what lands last is the newest snapshot.
      const snapshot = serialise(creds);
      writing = writing.catch(() => undefined).then(() => writeEntry(db, CREDS_KEY, snapshot));
      return writing;
    },
    async clear() {
      await writing.catch(() => undefined);
      await clearAuthState(db);
    },
  };
}
