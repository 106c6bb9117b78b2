// Where the bytes of stored media live, behind one small interface: the database by default
// (MediaContent.bytes, shared by every instance that shares the database), or a folder
// (`media.store: folder`, `media.folder`), which several instances share when it is on a shared
// disk. Either way a MediaContent row names each content once (hash, type, size); the bytes are
// kept once per hash, however many messages carried them.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../storage/database.ts';

export interface MediaStore {
  /** Keeps `bytes` under their hash (a second put of the same hash changes nothing). */
  put(hash: string, bytes: Buffer, mimeType: string): Promise<void>;
  get(hash: string): Promise<{ bytes: Buffer; mimeType: string } | undefined>;
  /** Removes the bytes of contents no Media row refers to any more (after an erasure). */
  remove(hashes: string[]): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;

export class DatabaseMediaStore implements MediaStore {
  constructor(private readonly db: Database) {}

  async put(hash: string, bytes: Buffer, mimeType: string): Promise<void> {
    await this.db.mediaContent.upsert({
      where: { hash },
      create: { hash, mimeType, size: bytes.length, bytes: new Uint8Array(bytes) },
      update: {},
    });
  }

  async get(hash: string): Promise<{ bytes: Buffer; mimeType: string } | undefined> {
    const row = await this.db.mediaContent.findUnique({ where: { hash } });
    return row?.bytes ? { bytes: Buffer.from(row.bytes), mimeType: row.mimeType } : undefined;
  }

  async remove(hashes: string[]): Promise<void> {
    if (hashes.length > 0) await this.db.mediaContent.deleteMany({ where: { hash: { in: hashes } } });
  }
}

export class FolderMediaStore implements MediaStore {
  constructor(
    private readonly db: Database,
    private readonly folder: string,
  ) {}

  private file(hash: string): string {
    if (!HASH.test(hash)) throw new Error('not a content hash');
    return path.join(this.folder, hash.slice(0, 2), hash);
  }

  async put(hash: string, bytes: Buffer, mimeType: string): Promise<void> {
    const file = this.file(hash);
    await mkdir(path.dirname(file), { recursive: true });
    // Written whole under another name, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.${Date.now()}.part`;
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, file);
    await this.db.mediaContent.upsert({ where: { hash }, create: { hash, mimeType, size: bytes.length }, update: {} });
  }

  async get(hash: string): Promise<{ bytes: Buffer; mimeType: string } | undefined> {
    const row = await this.db.mediaContent.findUnique({ where: { hash }, select: { mimeType: true } });
    if (!row) return undefined;
    const bytes = await readFile(this.file(hash)).catch(() => undefined);
    return bytes ? { bytes, mimeType: row.mimeType } : undefined;
  }

  async remove(hashes: string[]): Promise<void> {
    for (const hash of hashes) await rm(this.file(hash), { force: true });
    if (hashes.length > 0) await this.db.mediaContent.deleteMany({ where: { hash: { in: hashes } } });
  }
}
