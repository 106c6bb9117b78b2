// Web chat sessions, issued by the server only. A browser asks for one (POST /api/chat/session)
// and keeps the token; the database keeps its hash (WebchatSession), never the token. A token the
// server never issued opens nothing: no page that frames the chat can choose the session a citizen
// will talk in, and nobody can mint identities to get around the per-citizen limits.
// Every web chat request looks its session up, and every answer names the citizen's language: the
// requests arriving at about the same moment share one statement for each (Prisma Client's own work
// for a lookup cost more processor time than the query; docs/performance.md). Nothing is kept in
// memory: an erased session stops working at once on every instance.
import { createHash, randomBytes } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { Batcher } from '../../storage/batcher.ts';
import type { Database } from '../../storage/database.ts';
import { directSql } from '../../storage/direct-sql.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The citizen's id on the web chat channel (Contact.platformUserId): the token's hash, shortened. */
export function userIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

export class WebchatSessions {
  private readonly issued: Batcher<string, boolean>;
  private readonly languages: Batcher<string, string | null>;

  constructor(
    private readonly db: Database,
    /** The web chat's channel name in Contact.channel. */
    channel: string,
  ) {
    const sql = directSql(db);
    this.issued = new Batcher(async (ids) => {
      const rows = await sql.query<{ id: string }>(Prisma.sql`SELECT "id" FROM "WebchatSession" WHERE "id" IN (${Prisma.join([...new Set(ids)])})`);
      const found = new Set(rows.map((row) => row.id));
      return ids.map((id) => found.has(id));
    });
    this.languages = new Batcher(async (userIds) => {
      const rows = await sql.query<{ platformUserId: string; language: string | null }>(
        Prisma.sql`SELECT "platformUserId", "language" FROM "Contact" WHERE "channel" = ${channel} AND "platformUserId" IN (${Prisma.join([...new Set(userIds)])})`,
      );
      const language = new Map(rows.map((row) => [row.platformUserId, row.language]));
      return userIds.map((userId) => language.get(userId) ?? null);
    });
  }

  async issue(): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.webchatSession.create({ data: { id: userIdOf(token) } });
    return token;
  }

  /** The user id of an issued token, or undefined (malformed, or never issued here). */
  async userOf(token: string | undefined): Promise<string | undefined> {
    if (!token || !TOKEN.test(token)) return undefined;
    const id = userIdOf(token);
    return (await this.issued.add(id)) ? id : undefined;
  }

  /** The language the citizen of `userId` writes in, once the bot has heard them (the page switches its labels to it). */
  languageOf(userId: string): Promise<string | null> {
    return this.languages.add(userId);
  }
}
