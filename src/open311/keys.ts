// API keys of the systems that file Open311 requests. A key is 32 random bytes shown once, to the
// admin who creates it; the database holds its sha256 only, so neither a stolen backup nor a log
// line can file a request. Looking a key up by its hash needs no constant-time comparison: the
// hash of a 256-bit secret tells a guesser nothing about the next guess.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';

/** Recognisable in a leaked file or a secret scanner: "czm_" and 43 base64url characters. */
const KEY_PREFIX = 'czm_';
const KEY_SHAPE = /^czm_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** "czm_AbC1…": enough to tell keys apart, never enough to use one. */
  hint: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** A department's back-office key (src/integrations/), or null: Open311 filing only. */
  department: string | null;
}

/** Whoever holds a valid key: the name tickets and logs name it by. */
export interface KeyHolder {
  id: string;
  name: string;
  department: string | null;
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class ApiKeys {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Creates a key; the returned `key` exists nowhere else afterwards. */
  async create(name: string, createdBy: string, department: string | null = null): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.db.apiKey.create({ data: { name, department, hash: hashOf(key), hint: `${key.slice(0, KEY_PREFIX.length + 4)}…`, createdBy, createdAt: this.clock() } });
    return { key, info: infoOf(row) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.apiKey.findMany({ orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }] });
    return rows.map(infoOf);
  }

  /** Revokes a key for good; undefined when there is no such key or it was revoked already. */
  async revoke(id: string): Promise<ApiKeyInfo | undefined> {
    const { count } = await this.db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: this.clock() } });
    if (count === 0) return undefined;
    return infoOf(await this.db.apiKey.findUniqueOrThrow({ where: { id } }));
  }

  /** The holder of a key that is valid now, or undefined; the key's last use is noted. */
  async verify(key: unknown): Promise<KeyHolder | undefined> {
    if (typeof key !== 'string' || !KEY_SHAPE.test(key)) return undefined;
    const row = await this.db.apiKey.findUnique({ where: { hash: hashOf(key) }, select: { id: true, name: true, department: true, revokedAt: true } });
    if (!row || row.revokedAt) return undefined;
    await this.db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: this.clock() } });
    return { id: row.id, name: row.name, department: row.department };
  }
}

function infoOf(row: ApiKeyInfo & { hash?: string }): ApiKeyInfo {
  return { id: row.id, name: row.name, hint: row.hint, createdBy: row.createdBy, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt, department: row.department };
}
