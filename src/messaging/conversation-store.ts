// Contacts, conversations and their messages in the database. Every message is written here
// before anything acts on it: an inbound one before the bot reads it, an outbound one before a
// channel sends it.
//
// One object for the adapter, the outbox and the channels, made of the parts in store/:
// contacts.ts (contacts and conversations), messages.ts (inbound messages and turns),
// delivery-marks.ts (what became of outbound messages), recovery.ts (what an earlier run left),
// transcripts.ts (a conversation read back). The hot path writes through batchers; see
// messages.ts.
import type { Database } from '../storage/database.ts';
import { directSql } from '../storage/direct-sql.ts';
import type { StateOverwrite } from '../storage/state-storage.ts';
import type { CozumEvents } from './events.ts';
import type { ParsedInbound } from './message.ts';
import { Contacts } from './store/contacts.ts';
import { DeliveryMarks } from './store/delivery-marks.ts';
import { Messages } from './store/messages.ts';
import { Recovery, type WaitingWork } from './store/recovery.ts';
import { InHand, type ConversationWithContact, type OpenedConversation, type OutboundRow, type PendingDelivery, type StoredInbound, type Understanding, type UnprocessedInbound } from './store/rows.ts';
import { transcript } from './store/transcripts.ts';

export {
  chatKey,
  outboundFromPayload,
  type Author,
  type ConversationWithContact,
  type OpenedConversation,
  type OutboundRow,
  type PendingDelivery,
  type StoredInbound,
  type Understanding,
  type UnprocessedInbound,
} from './store/rows.ts';
export type { WaitingWork } from './store/recovery.ts';

export class ConversationStore {
  private readonly contacts: Contacts;
  private readonly messages: Messages;
  private readonly deliveries: DeliveryMarks;
  private readonly recovery: Recovery;
  private readonly inHand: InHand;

  constructor(
    private readonly db: Database,
    /** Told of every stored message, for live views; optional. */
    events?: CozumEvents,
  ) {
    // The batched writes run on every turn: see storage/direct-sql.ts.
    const sql = directSql(db);
    const inHand = new InHand();
    this.contacts = new Contacts(db, sql);
    this.messages = new Messages(db, sql, this.contacts, inHand, events);
    this.deliveries = new DeliveryMarks(db, sql, inHand);
    this.recovery = new Recovery(db, this.deliveries, inHand, sql);
    this.inHand = inHand;
  }

  open(message: ParsedInbound): Promise<OpenedConversation> {
    return this.contacts.open(message);
  }

  findConversation(channel: string, platformUserId: string): Promise<string | undefined> {
    return this.contacts.findConversation(channel, platformUserId);
  }

  conversation(conversationId: string): Promise<ConversationWithContact | null> {
    return this.contacts.conversation(conversationId);
  }

  mode(conversationId: string): Promise<string | undefined> {
    return this.contacts.mode(conversationId);
  }

  persistInbound(message: ParsedInbound): Promise<StoredInbound> {
    return this.messages.persistInbound(message);
  }

  beginTurn(inboundId: string): void {
    this.messages.beginTurn(inboundId);
  }

  abandonTurn(inboundId: string): void {
    this.messages.abandonTurn(inboundId);
  }

  /** False when the message was answered already (by another instance): nothing was stored. */
  commitTurn(replies: OutboundRow[], inboundId?: string, state?: StateOverwrite[]): Promise<boolean> {
    return this.messages.commitTurn(replies, inboundId, state);
  }

  markProcessed(messageId: string): Promise<void> {
    return this.messages.markProcessed(messageId);
  }

  annotate(messageId: string, understanding: Understanding): Promise<void> {
    return this.messages.annotate(messageId, understanding);
  }

  markSent(messageId: string): Promise<void> {
    return this.deliveries.markSent(messageId);
  }

  markFailed(messageId: string, attempts?: number, lastError?: string): Promise<void> {
    return this.deliveries.markFailed(messageId, attempts, lastError);
  }

  markRetry(messageId: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void> {
    return this.deliveries.markRetry(messageId, attempts, nextAttemptAt, lastError);
  }

  requeue(messageId: string): Promise<PendingDelivery | undefined> {
    return this.deliveries.requeue(messageId);
  }

  pendingDeliveries(filter: { id?: string } = {}): Promise<PendingDelivery[]> {
    return this.deliveries.pendingDeliveries(filter);
  }

  leftoverDeliveries(): Promise<PendingDelivery[]> {
    return this.recovery.leftoverDeliveries();
  }

  unprocessedInbound(filter: { conversationId?: string } = {}): Promise<UnprocessedInbound[]> {
    return this.recovery.unprocessedInbound(filter);
  }

  /**
   * A conversation's unanswered inbound messages and undelivered replies not in this store's hands
   * (another instance stored them, or a dead one left them); the replies become the caller's to deliver.
   */
  waitingWork(conversationId: string): Promise<WaitingWork> {
    return this.recovery.waitingWork(conversationId);
  }

  repliesTo(inboundId: string) {
    return this.recovery.repliesTo(inboundId);
  }

  /**
   * This store no longer has these messages in hand (another instance answers or delivers them):
   * its recovery may find them again if that instance dies.
   */
  letGo(ids: string[]): void {
    for (const id of ids) {
      this.inHand.inbound.delete(id);
      this.inHand.pending.delete(id);
    }
  }

  answered(inboundIds: string[]): Promise<Set<string>> {
    return this.recovery.answered(inboundIds);
  }

  transcript(conversationId: string, options: { afterId?: string; limit?: number } = {}) {
    return transcript(this.db, conversationId, options);
  }

  /** Waits until every batched write started so far has reached the database. */
  async flush(): Promise<void> {
    await Promise.all([this.contacts.flush(), this.messages.flush(), this.deliveries.flush()]);
  }
}
