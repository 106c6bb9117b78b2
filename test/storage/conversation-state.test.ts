// The conversation state writes exactly when botbuilder's own ConversationState would: when a turn
// changed something, after clear, or when forced; never for a turn that only read it. Checked side by
// side: botbuilder's class on MemoryStorage, ours on the database (storage/conversation-state.ts).
import { ConversationState, MemoryStorage, TestAdapter, TurnContext, type StoreItems } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { JsonChangeConversationState } from '../../src/storage/conversation-state.ts';
import type { Database } from '../../src/storage/database.ts';
import { PrismaStorage } from '../../src/storage/state-storage.ts';
import { useTestDatabase } from '../support/cozum.ts';

let db: Database;
useTestDatabase((opened) => (db = opened));

class CountingMemoryStorage extends MemoryStorage {
  writes = 0;
  override async write(changes: StoreItems): Promise<void> {
    this.writes++;
    return super.write(changes);
  }
}

class CountingPrismaStorage extends PrismaStorage {
  written = 0;
  override async writeJson(key: string, json: string): Promise<void> {
    this.written++;
    return super.writeJson(key, json);
  }
}

interface Subject {
  make(): ConversationState;
  writes(): number;
}

let conversations = 0;
const subjects: [string, () => Subject][] = [
  [
    'botbuilder ConversationState on MemoryStorage',
    () => {
      const storage = new CountingMemoryStorage();
      return { make: () => new ConversationState(storage), writes: () => storage.writes };
    },
  ],
  [
    'JsonChangeConversationState on the database',
    () => {
      const storage = new CountingPrismaStorage(db);
      return { make: () => new JsonChangeConversationState(storage), writes: () => storage.written };
    },
  ],
];

type Session = { misses: number; choices?: string[] };

describe.each(subjects)('%s', (_name, subject) => {
  /** One turn of a conversation of its own: `work` gets the state's "session" property. */
  function conversation() {
    const { make, writes } = subject();
    const id = `c${++conversations}`;
    const turn = async (work: (session: Session, context: TurnContext, state: ConversationState) => void | Promise<void>) => {
      const state = make();
      const session = state.createProperty<Session>('session');
      const context = new TurnContext(new TestAdapter(), { type: 'message', text: 'merhaba', channelId: 'test', conversation: { id } as never, from: { id: 'u1' } as never });
      await work(await session.get(context, { misses: 0 }), context, state);
      await state.saveChanges(context);
    };
    return { turn, writes, make, id };
  }

  it('writes a changed state, skips a turn that changed nothing, and reads back what was written', async () => {
    const { turn, writes } = conversation();
    await turn((session) => void (session.misses = 1));
    expect(writes()).toBe(1);
    await turn((session) => expect(session.misses).toBe(1));
    expect(writes()).toBe(1);
    await turn((session) => void (session.choices = ['Yakın Kart', 'Gıda yardımı']));
    expect(writes()).toBe(2);
    await turn((session) => {
      expect(session).toEqual({ misses: 1, choices: ['Yakın Kart', 'Gıda yardımı'] });
      session.choices!.pop(); // a change deep inside
    });
    expect(writes()).toBe(3);
    await turn((session) => expect(session.choices).toEqual(['Yakın Kart']));
    expect(writes()).toBe(3);
  });

  it('saves after clear, and when forced', async () => {
    const { turn, writes } = conversation();
    await turn((session) => void (session.misses = 2));
    await turn(async (_session, context, state) => state.clear(context));
    expect(writes()).toBe(2);
    await turn((session) => expect(session.misses).toBe(0));
    const before = writes();
    await turn(async (_session, context, state) => state.saveChanges(context, true));
    expect(writes()).toBe(before + 1);
  });

  it('get gives nothing before the state is loaded, then the turn\'s state, and an empty one after clear', async () => {
    const { turn, make, id } = conversation();
    await turn((session) => void (session.misses = 3));
    const state = make();
    const context = new TurnContext(new TestAdapter(), { type: 'message', text: 'merhaba', channelId: 'test', conversation: { id } as never, from: { id: 'u1' } as never });
    expect(state.get(context)).toBeUndefined();
    await state.load(context);
    expect(state.get(context)).toEqual(expect.objectContaining({ session: { misses: 3 } }));
    await state.clear(context);
    expect(state.get(context)).toEqual({});
  });
});

describe('JsonChangeConversationState.delete', () => {
  it('leaves no row behind, also when the turn changed the state first (botbuilder\'s own would write {} back)', async () => {
    const state = new JsonChangeConversationState(new PrismaStorage(db));
    const session = state.createProperty<Session>('session');
    const context = () => new TurnContext(new TestAdapter(), { type: 'message', text: 'evet', channelId: 'test', conversation: { id: 'erased-1' } as never, from: { id: 'u1' } as never });
    const first = context();
    (await session.get(first, { misses: 0 })).choices = ['10000000146'];
    await state.saveChanges(first);
    expect(await db.stateEntry.count({ where: { key: { startsWith: 'test/conversations/erased-1/' } } })).toBe(1);

    const erasing = context();
    (await session.get(erasing, { misses: 0 })).misses = 3;
    await state.delete(erasing);
    await state.saveChanges(erasing);
    expect(await db.stateEntry.count({ where: { key: { startsWith: 'test/conversations/erased-1/' } } })).toBe(0);
    const next = context();
    expect(await session.get(next, { misses: 0 })).toEqual({ misses: 0 });
  });
});
