// The assistant's own words and its main menu, which a municipality edits like its intents and
// dialogs: bot/texts.yaml and bot/menu.yaml. Validated at start-up: a missing text, an unknown
// {{placeholder}} or a menu option naming no intent stops start-up with the file and line.
import path from 'node:path';
import { z } from 'zod';
import type { Municipality } from '../config.ts';
import { municipalityValues, OpeningWordsSchema, type MunicipalityValues } from './municipality.ts';
import { templateText } from './schema-parts.ts';
import { fillTemplate } from './template.ts';
import { rendered } from './rendered.ts';
import { ContentError, loadYamlFile } from './yaml-file.ts';
import { contentFolder, DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages.ts';

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
  pinDisplay: ['map'],
  ticketNumberUnreadable: ['example'],
  textTooShort: ['min'],
  textTooLong: ['count', 'max'],
  tcLength: ['count'],
  choiceOutOfRange: ['count'],
  choiceAmbiguous: ['answer'],
  choiceNoMatch: ['answer'],
  numberEmpty: ['example'],
  numberNotFound: ['min', 'max', 'example'],
  numberSeveral: ['min', 'max'],
  numberOutOfRange: ['min', 'max'],
  neighbourhoodEmpty: ['example'],
  neighbourhoodSameName: ['answer'],
  neighbourhoodDidYouMean: ['answer', 'suggestion'],
  neighbourhoodDidYouMeanOneOf: ['answer'],
  neighbourhoodNotFound: ['district', 'answer', 'example'],
  neighbourhoodFromPin: ['neighbourhood'],
  ticketNotFound: ['number'],
  ticketHeading: ['number', 'type'],
  ticketStatus: ['status'],
  ticketDepartment: ['department'],
  ticketUpdated: ['date'],
  ticketReason: ['note'],
  ticketDue: ['date'],
  statusChanged: ['number', 'status'],
  statusReason: ['note'],
  statusNote: ['note'],
  transferred: ['number', 'department'],
  flood: ['duration'],
  hours: ['count'],
  minutes: ['count'],
  seconds: ['count'],
  mediaTooLarge: ['megabytes'],
  backToday: ['time'],
  backTomorrow: ['time'],
  backOn: ['day', 'time'],
  webTooManySessions: ['duration'],
  webTooManyMessages: ['duration'],
  webTooManyReads: ['duration'],
  webMessageTooLong: ['max'],
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
  'writtenAnswerExpected', 'photoAdded', 'noAnswer', 'pinDisplay', 'photoNeeded', 'photoOrSkip', 'daysNeeded', 'allMyTickets',
  'ticketNumberNeeded', 'ticketNumberUnreadable', 'textEmpty', 'textNoWords', 'textTooShort', 'textTooLong',
  'nameEmpty', 'nameLettersOnly', 'nameSurnameNeeded', 'nameTooShort', 'nameTooLong',
  'tcEmpty', 'tcDigitsOnly', 'tcLength', 'tcLeadingZero', 'tcChecksum',
  'phoneEmpty', 'phoneDigitsOnly', 'phoneForeign', 'phoneService', 'phoneTooShort', 'phoneTooLong', 'phoneInvalid',
  'choiceEmpty', 'choiceOutOfRange', 'choiceAmbiguous', 'choiceNoMatch',
  'numberEmpty', 'numberNotFound', 'numberSeveral', 'numberOutOfRange',
  'neighbourhoodEmpty', 'neighbourhoodSameName', 'neighbourhoodSeveral', 'neighbourhoodDidYouMean', 'neighbourhoodDidYouMeanOneOf', 'neighbourhoodNotFound', 'neighbourhoodFromPin',
  'ticketNotFound', 'ticketLost', 'noTickets', 'recentTickets', 'ticketHeading', 'ticketStatus', 'ticketDepartment', 'ticketUpdated', 'ticketReason', 'ticketDue',
  'statusChanged', 'statusReason', 'statusNote', 'transferred', 'flood', 'hours', 'minutes', 'seconds', 'mediaTooLarge',
  'mediaWrongType', 'mediaUnreadable', 'voiceReceived', 'voiceTypeAnswer', 'voiceAdded',
  'chooseBody', 'chooseListButton', 'chooseListTitle', 'languageName', 'languageSwitched', 'languagePrompt',
  'speakerAvailable', 'noSpeaker', 'backToday', 'backTomorrow', 'backOn',
  'webTitle', 'webSubtitle', 'webChatLabel', 'webInputLabel', 'webPlaceholder', 'webSend', 'webOffline', 'webSendAgain',
  'webOpen', 'webClose', 'webNoSession', 'webTooManySessions', 'webTooManyMessages', 'webTooManyReads', 'webMessageTooLong', 'webUnreadable', 'webUploadEmpty',
  'webAttach', 'webLocation', 'webPhoto', 'webPin', 'webLocationRefused',
] as const;
export type TextKey = (typeof TEXT_KEYS)[number];
/** Texts of a count, which may take a form per plural category. */
const COUNTED_KEYS = ['hours', 'minutes', 'seconds'] as const;
type CountedKey = (typeof COUNTED_KEYS)[number];
/** Texts filled at the moment they are sent, through `Texts.format`. */
export type MomentText = Exclude<TextKey, 'queued' | 'queuedOutOfHours' | 'alreadyQueued' | 'erasedWithTickets' | 'tooLong' | 'erased' | CountedKey>;

// tickets/status.ts's states and types (content sits below tickets/; a test keeps the lists equal).
export const STATUS_KEYS = ['new', 'assigned', 'in_progress', 'resolved', 'closed', 'rejected'] as const;
export const TYPE_KEYS = ['complaint', 'aid', 'appointment', 'handoff', 'emergency'] as const;
/** The days of the week, Monday first, as texts.yaml's `weekdays` names them. */
export const WEEKDAY_KEYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** When agents are next at work (handoff/working-hours.ts): the citizen reads it in their language. */
export interface Opening {
  day: 'today' | 'tomorrow' | (typeof WEEKDAY_KEYS)[number];
  /** "08:30" */
  time: string;
}

function textsSchema(municipality: MunicipalityValues) {
  const text = (key: TextKey | undefined) => {
    const moment = Object.fromEntries(((MOMENT_PLACEHOLDERS as Record<string, readonly string[]>)[key ?? ''] ?? []).map((name) => [name, '']));
    return templateText({ ...municipality, ...moment });
  };
  // A count's words: one text, or one per plural category of the language (CLDR: English "1 minute",
  // "2 minutes"; Arabic has six), picked with Intl.PluralRules; `other` is required.
  const counted = (key: CountedKey) =>
    z.union([
      text(key),
      z.object({ zero: text(key).optional(), one: text(key).optional(), two: text(key).optional(), few: text(key).optional(), many: text(key).optional(), other: text(key) }).strict(),
    ]);
  const names = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((key) => [key, text(undefined)])) as Record<K, ReturnType<typeof text>>).strict();
  return z
    .object({
      ...(Object.fromEntries(TEXT_KEYS.map((key) => [key, text(key)])) as Record<Exclude<TextKey, CountedKey>, ReturnType<typeof text>>),
      ...(Object.fromEntries(COUNTED_KEYS.map((key) => [key, counted(key)])) as Record<CountedKey, ReturnType<typeof counted>>),
      statuses: names(STATUS_KEYS),
      ticketTypes: names(TYPE_KEYS),
      weekdays: names(WEEKDAY_KEYS),
      // Read by content/municipality.ts, which writes {{hours}} with them.
      openingHours: OpeningWordsSchema,
    })
    .strict();
}

const MenuSchema = z
  .object({
    options: z
      .array(z.object({ label: z.string().trim().min(1, 'boş olamaz').max(60, 'en fazla 60 karakter'), intent: z.string().trim().min(1) }).strict())
      .min(1, 'en az bir seçenek gerekli')
      .max(20, 'en fazla 20 seçenek: uzun bir liste telefonda okunmaz'),
  })
  .strict();

/** The menu option that lists the languages instead of naming an intent. */
export const LANGUAGE_OPTION = 'language';

export interface MenuOption {
  label: string;
  intent: string;
}

interface QueuedMoment {
  ticketNumber: string;
  position: number;
  /** When agents are back, outside working hours. */
  backAt?: Opening;
  alreadyQueued: boolean;
}

/** A text a check of the citizen's answer chose, filled by the language the citizen reads. */
export interface Problem {
  text: MomentText;
  values?: Record<string, string | number>;
}

/** What the bot says in one language, with the municipality's settings filled in; some texts take the moment's values. */
export type Texts = Record<Exclude<TextKey, keyof typeof MOMENT_PLACEHOLDERS | 'erased'>, string> & {
  language: Language;
  queued(moment: QueuedMoment): string;
  erased(tickets: number): string;
  tooLong(limit: number): string;
  /** A text with the moment's values ({{position}}, {{agentName}}…) filled in. */
  format(key: MomentText, values?: Record<string, string | number>): string;
  problem(problem: Problem): string;
  /** A request's state ("İşlemde") and kind ("Yardım başvurusu") as the citizen reads them. */
  statusName(status: string): string;
  typeName(type: string): string;
  /** "yarın 08:30": when agents are back, as the citizen reads it. */
  opening(opening: Opening): string;
  /** "5 dakika": a wait as the citizen reads it. */
  duration(seconds: number): string;
  /** Too many messages: wait this long. */
  flood(pauseSeconds: number): string;
  /** A file over the limit, in megabytes with the language's decimal mark ("2,5"). */
  mediaTooLarge(maxBytes: number): string;
};

export interface BotContent {
  /** Turkish, the reference language. */
  texts: Texts;
  menu: MenuOption[];
  languages: Record<Language, { texts: Texts; menu: MenuOption[] }>;
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/**
 * Loads bot/texts.yaml and bot/menu.yaml, and their translations in locales/<language>/bot/; every
 * menu option must name one of `intentNames`, and a translated menu must offer the same intents in
 * the same order (a digit picks the same thing in every language).
 */
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
  // The menu's language option names no intent: it lists the languages.
  const known = new Set([...intentNames, LANGUAGE_OPTION]);
  const root = path.dirname(dir);
  // The settings as each language writes them ({{hours}}); a mistake in them is reported below.
  const values = attempt(() => municipalityValues(root, municipality));
  const loaded = LANGUAGES.map((language) => {
    const folder = language === DEFAULT_LANGUAGE ? dir : contentFolder(root, 'bot', language);
    const raw = values && attempt(() => loadYamlFile(path.join(folder, 'texts.yaml'), textsSchema(values[language])));
    const menuFile = path.join(folder, 'menu.yaml');
    const menu = attempt(() => loadYamlFile(menuFile, MenuSchema))?.options;
    for (const option of menu ?? []) {
      if (!known.has(option.intent)) problems.push(`${relative(menuFile)}: "${option.label}": bilinmeyen niyet ${option.intent}`);
    }
    return { language, raw, menu, menuFile };
  });
  const reference = loaded[0]!.menu;
  for (const { language, menu, menuFile } of loaded.slice(1)) {
    if (reference && menu && menu.map((o) => o.intent).join() !== reference.map((o) => o.intent).join()) {
      problems.push(`${relative(menuFile)}: seçenekler bot/menu.yaml ile aynı niyetleri aynı sırada içermeli (${language})`);
    }
  }
  if (problems.length > 0 || !values || loaded.some((l) => !l.raw || !l.menu)) throw new ContentError(`bot/ içeriği geçersiz:\n${problems.join('\n')}`);

  const languages = Object.fromEntries(loaded.map(({ language, raw, menu }) => [language, { texts: makeTexts(language, raw!, values![language]), menu: menu! }])) as BotContent['languages'];
  return { texts: languages[DEFAULT_LANGUAGE].texts, menu: languages[DEFAULT_LANGUAGE].menu, languages };
}

function makeTexts(language: Language, raw: z.infer<ReturnType<typeof textsSchema>>, municipality: MunicipalityValues): Texts {
  const { statuses, ticketTypes, weekdays, openingHours: _openingHours, hours, minutes, seconds: secondsText, ...words } = raw;
  const filled = Object.fromEntries(Object.entries(words).map(([key, value]) => [key, fillTemplate(value, municipality)])) as Record<Exclude<TextKey, CountedKey>, string>;
  const { queued, queuedOutOfHours, alreadyQueued, erased, erasedWithTickets, tooLong } = filled;
  // Texts with moment placeholders are reached only through their functions and `format`.
  const plain = Object.fromEntries(Object.entries(filled).filter(([key]) => !(key in MOMENT_PLACEHOLDERS) && key !== 'erased'));
  const format = (key: MomentText, values: Record<string, string | number> = {}) =>
    fillTemplate(filled[key], Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)])));
  const plural = new Intl.PluralRules(language);
  const count = (forms: typeof hours, value: number) => {
    const form = typeof forms === 'string' ? forms : (forms[plural.select(value)] ?? forms.other);
    return fillTemplate(form, { ...municipality, count: String(value) });
  };
  const duration = (seconds: number) =>
    seconds % 3600 === 0 ? count(hours, seconds / 3600) : seconds % 60 === 0 ? count(minutes, seconds / 60) : count(secondsText, seconds);
  const opening = ({ day, time }: Opening) =>
    day === 'today' ? format('backToday', { time }) : day === 'tomorrow' ? format('backTomorrow', { time }) : format('backOn', { day: weekdays[day], time });
  return {
    ...(plain as Omit<Texts, 'queued' | 'erased' | 'tooLong' | 'format' | 'problem' | 'statusName' | 'typeName' | 'duration' | 'language' | 'flood' | 'mediaTooLarge' | 'opening'>),
    language,
    format,
    problem: (problem) => format(problem.text, problem.values),
    queued: (moment) => {
      const values = { ticketNumber: moment.ticketNumber, position: String(moment.position), backAt: moment.backAt ? opening(moment.backAt) : '' };
      return fillTemplate(moment.alreadyQueued ? alreadyQueued : moment.backAt ? queuedOutOfHours : queued, values);
    },
    erased: (tickets) => (tickets > 0 ? fillTemplate(erasedWithTickets, { tickets: String(tickets) }) : erased),
    tooLong: (limit) => fillTemplate(tooLong, { limit: String(limit) }),
    statusName: (status) => rendered((statuses as Record<string, string>)[status] ?? status),
    typeName: (type) => rendered((ticketTypes as Record<string, string>)[type] ?? type),
    opening,
    duration,
    flood: (pauseSeconds) => format('flood', { duration: duration(pauseSeconds) }),
    mediaTooLarge: (maxBytes) => format('mediaTooLarge', { megabytes: new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(maxBytes / (1024 * 1024)) }),
  };
}
