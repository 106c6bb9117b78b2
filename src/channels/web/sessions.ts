// Web chat sessions, issued by the server only. A browser asks for one (POST /api/chat/session)
// and keeps the token; the database keeps its hash (WebchatSession), never the token. A token the
// server never issued opens nothing: no page that frames the chat can choose the session a citizen
// will talk in, and nobody can mint identities to get around the per-citizen limits.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../storage/database.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The citizen's id on the web chat channel (Contact.platformUserId): the token's hash, shortened. */
export function userIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

export class WebchatSessions {
  constructor(private readonly db: Database) {}

  async issue(): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.webchatSession.create({ data: { id: userIdOf(token) } });
    return token;
  }

  /** The user id of an issued token, or undefined (malformed, or never issued here). */
  async userOf(token: string | undefined): Promise<string | undefined> {
    if (!token || !TOKEN.test(token)) return undefined;
    const id = userIdOf(token);
    return (await this.db.webchatSession.findUnique({ where: { id }, select: { id: true } })) ? id : undefined;
  }
}
