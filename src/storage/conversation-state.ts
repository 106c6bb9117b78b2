// botbuilder's ConversationState, telling whether a turn changed the state by its JSON text.
//
// BotState hashes the whole state (botbuilder-stdlib's own stringify, then SHA-256) when it is read,
// again before saving to see whether it changed, and once more after saving: in the benchmark that
// was about a tenth of the bot's own main-thread work per turn. Here the JSON text stored in the
// database is the "hash": reading parses it, saving serialises the state once and writes that same
// text only if it differs.
//
// The turn's cached state lives under a key of this class's own, so every public method that reads
// or writes that cache (`load`, `saveChanges`, `get`, `clear`, `delete`) is written here: BotState's
// own cache key is private to botbuilder and is never touched. BotState still gives the storage
// key, and whatever is stored is overwritten (BotState saves with eTag '*'; turns of one chat run
// one after another, see adapter.ts). test/storage/conversation-state.test.ts checks the
// behaviour against botbuilder's own class.
import { ConversationState, type Storage, type TurnContext } from 'botbuilder';
import type { StateOverwrite } from './state-storage.ts';

/** A Storage that also reads and writes items as JSON text (state-storage.ts). */
export interface JsonStorage extends Storage {
  readJson(key: string): Promise<string | undefined>;
  writeJson(key: string, json: string): Promise<void>;
}

/**
 * Where a turn run by the adapter collects its state saves (a StateOverwrite[] in turnState), so
 * that the state is stored in one transaction with the turn's replies and the inbound message's
 * processed mark: a process killed after the save but before the replies would otherwise replay
 * the message on restart against the state that message had already changed (an offer answered by
 * the very question that made it). Without it (proactive turns) the state is written at once.
 */
export const TURN_STATE_WRITES = Symbol('cozum.turnStateWrites');

type StateObject = Record<string, unknown> & { eTag?: string };

interface CachedState {
  state: StateObject;
  hash: string;
}

const EMPTY = '{}';

/** The state's JSON without its eTag: what is stored. */
function snapshot(state: StateObject): string {
  if (!('eTag' in state)) return JSON.stringify(state);
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}

export class JsonChangeConversationState extends ConversationState {
  /** One per instance, as BotState's own: two states in one turn keep their caches apart. */
  private readonly cacheKey = Symbol('cozum.conversationState');

  constructor(
    private readonly jsonStorage: JsonStorage,
    namespace?: string,
  ) {
    super(jsonStorage, namespace);
  }

  override get(context: TurnContext): StateObject | undefined {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    return typeof cached?.state === 'object' ? cached.state : undefined;
  }

  /** An empty state for the rest of the turn, saved by the next `saveChanges` (its hash differs). */
  override async clear(context: TurnContext): Promise<void> {
    context.turnState.set(this.cacheKey, { state: {}, hash: '' } satisfies CachedState);
  }

  override async load(context: TurnContext, force = false): Promise<StateObject> {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    if (!force && cached?.state) return cached.state;
    const key = await this.storageKey(context);
    const json = (await this.jsonStorage.readJson(key)) ?? EMPTY;
    const state = JSON.parse(json) as StateObject;
    context.turnState.set(this.cacheKey, { state, hash: json } satisfies CachedState);
    return state;
  }

  /**
   * Forgets the conversation's state, also for the rest of the turn. botbuilder's own `delete`
   * leaves the turn with a state that its final save writes back as `{}`; here that save has nothing
   * to write, so the row stays gone (KVKK erasure: privacy/erasure.ts).
   */
  override async delete(context: TurnContext): Promise<void> {
    context.turnState.set(this.cacheKey, { state: {}, hash: EMPTY } satisfies CachedState);
    await this.jsonStorage.delete([await this.storageKey(context)]);
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    const json = cached ? snapshot(cached.state) : EMPTY;
    if (!force && (!cached || cached.hash === json)) return;
    cached ??= { state: {}, hash: '' };
    const key = await this.storageKey(context);
    const deferred = context.turnState.get(TURN_STATE_WRITES) as StateOverwrite[] | undefined;
    if (deferred) deferred.push({ key, json });
    else await this.jsonStorage.writeJson(key, json);
    cached.hash = json;
    context.turnState.set(this.cacheKey, cached);
  }
}
