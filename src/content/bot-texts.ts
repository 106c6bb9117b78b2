// The assistant's own words and its main menu, which a municipality edits like its intents and
// dialogs: bot/texts.yaml and bot/menu.yaml. Validated at start-up: a missing text, an unknown
// {{placeholder}} or a menu option naming no intent stops start-up with the file and line.
import path from 'node:path';
import { z } from 'zod';
import type { Municipality } from '../config.ts';
import { fillTemplate, unknownPlaceholders } from './template.ts';
import { ContentError, loadYamlFile } from './yaml-file.ts';

/** Placeholders filled at the moment a text is sent, by text. The rest come from the municipality. */
const MOMENT_PLACEHOLDERS = {
  queued: ['ticketNumber', 'position'],
  queuedOutOfHours: ['ticketNumber', 'position', 'backAt'],
  alreadyQueued: ['ticketNumber', 'position'],
  erasedWithTickets: ['tickets'],
  tooLong: ['limit'],
  waitingAck: ['position'],
  waitingAckOutOfHours: ['position', 'backAt'],
  agentAck: ['agentName'],
  agentJoined: ['agentName'],
  understood: ['fields'],
  reusedIdentity: ['fields'],
  summaryTitle: ['title'],
  noSuchField: ['count'],
  corrected: ['field', 'value'],
  requestLater: ['request'],
  deferredOffer: ['request'],
} as const;

const TEXT_KEYS = [
  'webGreeting', 'menuButton', 'menuPrompt', 'help', 'cancelled', 'leftDialog', 'nothingToCancel', 'restarted', 'notUnderstood', 'offerPerson',
  'personDeclined', 'yesButton', 'noButton', 'connectButton', 'declineButton', 'startButton', 'reportButton', 'personButton',
  'offerDeclined', 'questionNotReport', 'queued', 'queuedOutOfHours', 'alreadyQueued', 'waitingAck', 'waitingAckOutOfHours',
  'agentAck', 'agentAckUnnamed', 'agentJoined', 'agentJoinedUnnamed', 'backToBot', 'askComment',
  'thanksForRating', 'thanksForComment', 'confirmErase', 'erased', 'erasedWithTickets', 'notErased', 'onlySymbols',
  'empty', 'mediaWithoutText', 'locationWithoutContext', 'tooLong', 'unreadable',
  'consent', 'consentButton', 'consentAgain', 'consentThanks', 'consentDeclined', 'understood', 'reusedIdentity', 'summaryTitle', 'sendButton',
  'editButton', 'confirmAgain', 'whichField', 'noSuchField', 'firstQuestion', 'resume', 'corrected', 'unknownQuestion',
  'requestLater', 'deferredOffer', 'pickOneSuggestion', 'skipPhotoButton', 'skipCommentButton', 'myTicketsButton',
  'talkEnded', 'askRating', 'handedToAnotherAgent', 'turnFailed',
] as const;
type TextKey = (typeof TEXT_KEYS)[number];
/** Texts filled at the moment they are sent, through `Texts.format`. */
export type MomentText = Exclude<keyof typeof MOMENT_PLACEHOLDERS, 'queued' | 'queuedOutOfHours' | 'alreadyQueued' | 'erasedWithTickets' | 'tooLong'>;

function textsSchema(municipality: Municipality) {
  const text = (key: TextKey) => {
    const moment = Object.fromEntries(((MOMENT_PLACEHOLDERS as Record<string, readonly string[]>)[key] ?? []).map((name) => [name, '']));
    return z
      .string()
      .trim()
      .min(1, 'boş olamaz')
      .superRefine((value, context) => {
        const unknown = unknownPlaceholders(value, { ...municipality, ...moment });
        if (unknown.length > 0) context.addIssue({ code: 'custom', message: `bilinmeyen yer tutucu: ${unknown.map((name) => `{{${name}}}`).join(', ')}` });
      });
  };
  return z.object(Object.fromEntries(TEXT_KEYS.map((key) => [key, text(key)])) as Record<TextKey, ReturnType<typeof text>>).strict();
}

const MenuSchema = z
  .object({
    options: z
      .array(z.object({ label: z.string().trim().min(1, 'boş olamaz').max(60, 'en fazla 60 karakter'), intent: z.string().trim().min(1) }).strict())
      .min(1, 'en az bir seçenek gerekli')
      .max(20, 'en fazla 20 seçenek: uzun bir liste telefonda okunmaz'),
  })
  .strict();

export interface MenuOption {
  label: string;
  intent: string;
}

interface QueuedMoment {
  ticketNumber: string;
  position: number;
  /** When agents are back, outside working hours. */
  backAt?: string;
  alreadyQueued: boolean;
}

/** What the bot says, with the municipality's settings filled in; some texts take the moment's values. */
export type Texts = Record<Exclude<TextKey, keyof typeof MOMENT_PLACEHOLDERS | 'erased'>, string> & {
  queued(moment: QueuedMoment): string;
  erased(tickets: number): string;
  tooLong(limit: number): string;
  /** A text with the moment's values ({{position}}, {{agentName}}…) filled in. */
  format(key: MomentText, values: Record<string, string | number>): string;
};

export interface BotContent {
  texts: Texts;
  menu: MenuOption[];
}

/** Loads bot/texts.yaml and bot/menu.yaml; every menu option must name one of `intentNames`. */
export function loadBotContent(dir: string, municipality: Municipality, intentNames: Iterable<string>): BotContent {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const raw = attempt(() => loadYamlFile(path.join(dir, 'texts.yaml'), textsSchema(municipality)));
  const menuFile = path.join(dir, 'menu.yaml');
  const menu = attempt(() => loadYamlFile(menuFile, MenuSchema))?.options;
  const known = new Set(intentNames);
  for (const option of menu ?? []) {
    if (!known.has(option.intent)) problems.push(`${path.relative(process.cwd(), menuFile)}: "${option.label}": bilinmeyen niyet ${option.intent}`);
  }
  if (problems.length > 0 || !raw || !menu) throw new ContentError(`bot/ içeriği geçersiz:\n${problems.join('\n')}`);

  const filled = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, fillTemplate(value, municipality)])) as Record<TextKey, string>;
  const { queued, queuedOutOfHours, alreadyQueued, erased, erasedWithTickets, tooLong } = filled;
  // Texts with moment placeholders are reached only through their functions and `format`.
  const plain = Object.fromEntries(Object.entries(filled).filter(([key]) => !(key in MOMENT_PLACEHOLDERS) && key !== 'erased'));
  const texts: Texts = {
    ...(plain as Omit<Texts, 'queued' | 'erased' | 'tooLong' | 'format'>),
    format: (key, values) => fillTemplate(filled[key], Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]))),
    queued: (moment) => {
      const values = { ticketNumber: moment.ticketNumber, position: String(moment.position), backAt: moment.backAt ?? '' };
      return fillTemplate(moment.alreadyQueued ? alreadyQueued : moment.backAt ? queuedOutOfHours : queued, values);
    },
    erased: (tickets) => (tickets > 0 ? fillTemplate(erasedWithTickets, { tickets: String(tickets) }) : erased),
    tooLong: (limit) => fillTemplate(tooLong, { limit: String(limit) }),
  };
  return { texts, menu };
}
