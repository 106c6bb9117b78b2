// How a platform shows a question's choices, and the one rule when it cannot show them well: a
// numbered list in the text, answered with a digit (every channel understands a digit, see
// dialogs/judgement.ts). Buttons are offered only when every choice fits: a Web Chat carousel of
// twelve, or Teams cutting a menu to its first three, hides choices from the citizen.

export interface ChoiceCapability {
  /** The most buttons the platform shows well at once; 0 for none. */
  buttons: number;
  /** The longest button title shown whole, in characters. */
  titleLength?: number;
}

export type ChoiceLayout = 'buttons' | 'numbered';

export function choiceLayout(capability: ChoiceCapability, choices: readonly string[]): ChoiceLayout {
  if (choices.length === 0 || choices.length > capability.buttons) return 'numbered';
  const fits = capability.titleLength === undefined || choices.every((choice) => [...choice].length <= capability.titleLength!);
  return fits ? 'buttons' : 'numbered';
}

/**
 * Bot Framework channels by `channelId`: suggested actions as each client shows them. Web Chat,
 * Direct Line and the Emulator lay more than a handful out as a sideways carousel; Teams shows at
 * most three; the others are treated as showing none.
 */
const BOT_FRAMEWORK: Record<string, ChoiceCapability> = {
  webchat: { buttons: 5 },
  directline: { buttons: 5 },
  emulator: { buttons: 5 },
  msteams: { buttons: 3 },
  telegram: { buttons: 10 },
  facebook: { buttons: 3, titleLength: 20 },
  line: { buttons: 13, titleLength: 20 },
};

export function botFrameworkChoices(channelId: string | undefined): ChoiceCapability {
  return BOT_FRAMEWORK[channelId ?? ''] ?? { buttons: 0 };
}
