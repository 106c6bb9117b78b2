// Notifications for the agent console's live views: a message stored, a conversation or ticket
// changed, the queue moved. Only ids travel; listeners read what they need. In-process on SQLite;
// with several instances on PostgreSQL each event is also relayed to the others (`relayTo`,
// messaging/event-relay.ts), so that an agent on one instance hears of a message another received.
import { EventEmitter } from 'node:events';

export interface CozumEventMap {
  message: [{ conversationId: string; messageId: string; direction: 'in' | 'out' }];
  /** Who answers the conversation changed: `mode` is the new one (bot, waiting, agent, or erased: nobody, ever). */
  conversation: [{ conversationId: string; mode: 'bot' | 'waiting' | 'agent' | 'erased' }];
  ticket: [{ ticketId: string; conversationId?: string | null }];
  /** A photo, voice note or file a citizen sent was stored, refused or given up (src/media/). */
  media: [{ conversationId: string; mediaId: string; status: 'stored' | 'refused' | 'failed' }];
}

export type CozumEventName = keyof CozumEventMap;

export class CozumEvents extends EventEmitter<CozumEventMap> {
  private relay: ((name: CozumEventName, payload: unknown) => void) | undefined;

  constructor() {
    super();
    // Every open console tab subscribes; dozens of agents are normal.
    this.setMaxListeners(500);
  }

  /** Every event emitted here is also handed to `relay` (to the other instances). */
  relayTo(relay: (name: CozumEventName, payload: unknown) => void): void {
    this.relay = relay;
  }

  override emit<K extends CozumEventName>(name: K, ...args: CozumEventMap[K]): boolean {
    const heard = (super.emit as (name: K, ...args: CozumEventMap[K]) => boolean)(name, ...args);
    this.relay?.(name, args[0]);
    return heard;
  }

  /** An event another instance emitted: told to the listeners here, not relayed again. */
  emitRelayed(name: CozumEventName, payload: unknown): void {
    (super.emit as (name: CozumEventName, payload: unknown) => boolean)(name, payload);
  }
}
