// bot.ts hands the first turn's memory-scope configuration to every later DialogContext through
// the turn-state key where botbuilder-dialogs' DialogStateManager looks for it: a name that is not
// part of botbuilder's typed API. This fails the day botbuilder-dialogs renames the key or stops
// reading it (then every turn would quietly build its configuration anew).
import { ConversationState, MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { DialogSet } from 'botbuilder-dialogs';
import { describe, expect, it } from 'vitest';
import { DIALOG_STATE_CONFIGURATION } from '../../src/bot/bot.ts';

const activity = { type: 'message', text: 'merhaba', channelId: 'test', conversation: { id: 'c1' } as never, from: { id: 'u1' } as never };

describe('botbuilder-dialogs memory-scope configuration (bot.ts dialogContext)', () => {
  it('is kept under the key bot.ts uses, and taken from there by the next turn\'s DialogContext', async () => {
    const dialogs = new DialogSet(new ConversationState(new MemoryStorage()).createProperty('dialogs'));
    const first = new TurnContext(new TestAdapter(), activity);
    const firstContext = await dialogs.createContext(first);
    const configuration: unknown = first.turnState.get(DIALOG_STATE_CONFIGURATION);
    expect(configuration, `botbuilder-dialogs no longer keeps its configuration under "${DIALOG_STATE_CONFIGURATION}"`).toBeTypeOf('object');
    expect(firstContext.state.configuration).toBe(configuration);

    const second = new TurnContext(new TestAdapter(), activity);
    second.turnState.set(DIALOG_STATE_CONFIGURATION, configuration);
    const secondContext = await dialogs.createContext(second);
    expect(secondContext.state.configuration, 'botbuilder-dialogs no longer reads the configuration handed over in turn state').toBe(configuration);
  });
});
