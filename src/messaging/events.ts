// In-process notifications for the agent console's live views: a message stored, a conversation
// or ticket changed, the queue moved. Only ids travel; listeners read what they need.
import { EventEmitter } from 'node:events';

export interface CozumEventMap {
  message: [{ conversationId: string; messageId: string; direction: 'in' | 'out' }];
  /** Who answers the conversation changed: `mode` is the new one (bot, waiting, agent, or erased: nobody, ever). */
  conversation: [{ conversationId: string; mode: 'bot' | 'waiting' | 'agent' | 'erased' }];
  ticket: [{ ticketId: string; conversationId?: string | null }];
  /** A photo, voice note or file a citizen sent was stored, refused or given up (src/media/). */
  media: [{ conversationId: string; mediaId: string; status: 'stored' | 'refused' | 'failed' }];
}

export class CozumEvents extends EventEmitter<CozumEventMap> {
  constructor() {
    super();
    // Every open console tab subscribes; dozens of agents are normal.
    this.setMaxListeners(500);
  }
}
