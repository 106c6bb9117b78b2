// What every group of console routes is given by console.ts: the shared parts, built once.
import type { RequestHandler, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Handoff } from '../../handoff/handoff.ts';
import type { Logger } from '../../log.ts';
import type { MediaService } from '../../media/media.ts';
import type { CozumEvents } from '../../messaging/events.ts';
import type { Database } from '../../storage/database.ts';
import type { ConsoleAuth } from '../auth.ts';
import type { Catalog } from '../catalog.ts';
import type { EventAudience, HandoffConversations } from '../live.ts';
import type { Stats } from '../stats.ts';
import type { ConsoleViews } from '../views.ts';

export type ConsolePage = 'login' | 'queue' | 'conversation' | 'supervisor' | 'notice';

export interface RouteContext {
  db: Database;
  handoff: Handoff;
  events: CozumEvents;
  config: Config;
  logger: Logger;
  clock: () => Date;
  auth: ConsoleAuth;
  catalog: Catalog;
  views: ConsoleViews;
  handoffs: HandoffConversations;
  audience: EventAudience;
  stats: Stats;
  /** Photos, voice notes and files citizens sent (src/media/). */
  media?: MediaService;
  /** The map tiles' URL template (console.mapTiles); empty: coordinates and a link only. */
  mapTiles: string;
  /** The outbox, for the supervisor's "try again" on a failed delivery. */
  outbox?: { retry(messageId: string): Promise<boolean> };
  heartbeatMs?: number;
  /** What a password must not be made of, besides the account's own names (password.ts). */
  municipalityWords: string[];
  /** The HTML pages, with the header and the municipality's name filled in. */
  pages: Record<ConsolePage, string>;
  supervisorOnly: RequestHandler;
  adminOnly: RequestHandler;
  /** Body parsers for the routes outside the JSON API (login, logout). */
  form: RequestHandler;
  json: RequestHandler;
  noticePage(response: Response, status: number, title: string, text: string): void;
}
