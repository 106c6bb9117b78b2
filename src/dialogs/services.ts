// What dialogs need from the rest of Çözüm, in one object, so that the engine depends on no
// database or NLU details: consent, tickets, neighbourhoods, understanding and FAQ answers.
import path from 'node:path';
import type { Config, Municipality } from '../config.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Database } from '../storage/database.ts';
import { Batcher } from '../storage/batcher.ts';
import { directSql, type DirectSql } from '../storage/direct-sql.ts';
import type { Nlu, Understanding } from '../nlu/nlu.ts';
import { LocationSchema, type Location } from '../messaging/message.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { OPEN_STATUSES, type TicketStatus } from '../tickets/status.ts';
import type { Texts } from '../content/bot-texts.ts';
import { currentLanguage, LANGUAGES, type Language } from '../content/languages.ts';
import { formatTicketNumber, type CitizenTicket, type NewTicket, type Tickets } from '../tickets/tickets.ts';
import { STRUCTURED_KEY } from '../privacy/inventory.ts';
import { STRUCTURED_STEP_TYPES, type DialogSpec, type SlotValue } from './spec.ts';
import { NeighbourhoodMatcher } from './validators/index.ts';
import { NeighbourhoodCentres } from './neighbourhood-centres.ts';
import { municipalityValues, type MunicipalityValues } from '../content/municipality.ts';

/** A form's answers about the citizen themselves are reused by the next form for this long. */
const EARLIER_ANSWERS_MS = 24 * 3_600_000;

/** Below this a message in the middle of a dialog is not taken for a FAQ question. */
const FAQ_INTERRUPT_CONFIDENCE = 0.7;

export interface CreatedTicket {
  number: string;
  department: string;
  /** The promised answer time, as the citizen reads it. */
  due: string;
  /** Extra notes of the chosen options (documents to prepare…). */
  info: string[];
  /** A chosen option says a person must take the case over. */
  needsPerson: boolean;
}

export class DialogServices {
  readonly municipality: Municipality;
  /** The settings as each language's forms fill them ({{hours}} in words). */
  private readonly valuesByLanguage: Record<Language, MunicipalityValues>;
  readonly neighbourhoods: NeighbourhoodMatcher;
  /** Where the neighbourhoods are (bot/neighbourhoods.yaml), for a pin sent before the name. */
  readonly centres: NeighbourhoodCentres;
  readonly ticketExample: string;
  private readonly dateFormats: Record<Language, Intl.DateTimeFormat>;
  /**
   * Contacts known to have consented: asked on every personal step, so kept in memory. Consent is
   * never withdrawn in place (an erasure gives the citizen a new contact), so the set stays true.
   */
  private readonly consented = new Set<string>();
  private readonly sql: DirectSql;
  /** Consents given at the same moment, written by one statement. */
  private readonly consents: Batcher<string, boolean>;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly tickets: Tickets,
    private readonly nlu: Nlu,
    /** FAQ answers by intent, in Turkish, or in each language. */
    answers: Map<string, string> | Partial<Record<Language, Map<string, string>>>,
  ) {
    this.answersByLanguage = answers instanceof Map ? { tr: answers } : answers;
    this.sql = directSql(db);
    this.consents = new Batcher((contactIds) => this.writeConsents(contactIds));
    this.municipality = config.municipality;
    this.valuesByLanguage = municipalityValues(config.contentDir, config.municipality);
    this.neighbourhoods = new NeighbourhoodMatcher(config.municipality.city, config.municipality.district);
    this.centres = NeighbourhoodCentres.load(path.resolve(config.contentDir, 'bot'), this.neighbourhoods.names);
    this.ticketExample = formatTicketNumber(config.tickets.prefix, new Date().getFullYear(), 123);
    // Dates as the citizen's language writes them; Arabic with Western digits, as Turkey's Arabic speakers read numbers.
    const LOCALES: Record<Language, string> = { tr: 'tr-TR', ar: 'ar-SY-u-nu-latn', en: 'en-GB' };
    this.dateFormats = Object.fromEntries(
      LANGUAGES.map((language) => [language, new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeStyle: 'short', timeZone: config.timeZone })]),
    ) as Record<Language, Intl.DateTimeFormat>;
  }

  private readonly answersByLanguage: Partial<Record<Language, Map<string, string>>>;

  private get answers(): Map<string, string> {
    return this.answersByLanguage[currentLanguage()] ?? this.answersByLanguage.tr ?? new Map();
  }

  /** The municipality's settings as `language`'s content reads them. */
  valuesIn(language: Language): MunicipalityValues {
    return this.valuesByLanguage[language];
  }

  /** The municipality's own numbers, which stay readable where an agent's note is masked. */
  get publicPhones(): string[] {
    return Object.values(this.municipality.phones).map(String);
  }

  formatDate(date: Date): string {
    return this.dateFormats[currentLanguage()].format(date);
  }

  understand(text: string): Understanding {
    return this.nlu.understand(text, currentLanguage());
  }

  /** An intent's answer (FAQ intents have one). */
  answer(intent: string): string | undefined {
    return this.answers.get(intent);
  }

  /** The FAQ answer for a question asked in the middle of a dialog, if it surely is one. */
  faqAnswerFor(text: string): string | undefined {
    const understood = this.nlu.understand(text, currentLanguage());
    if (!understood.intent.startsWith('faq.') || understood.confidence < FAQ_INTERRUPT_CONFIDENCE) return undefined;
    return this.answers.get(understood.intent);
  }

  /**
   * What the citizen's latest form in this conversation (the last day) stored, by slot: who they
   * are is not asked again in the next form (a complaint, then the aid request noted during it).
   */
  async earlierAnswers(contactId: string, conversationId: string): Promise<Record<string, unknown>> {
    const since = new Date(Date.now() - EARLIER_ANSWERS_MS);
    const [row] = await this.sql.query<{ data: string }>(Prisma.sql`
      SELECT "data" FROM "Ticket" WHERE "contactId" = ${contactId} AND "conversationId" = ${conversationId}
        AND "type" <> 'handoff' AND "createdAt" >= ${since} ORDER BY "createdAt" DESC LIMIT 1`);
    if (!row) return {};
    try {
      const data = JSON.parse(row.data) as unknown;
      return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  async hasConsent(contactId: string): Promise<boolean> {
    if (this.consented.has(contactId)) return true;
    const [contact] = await this.sql.query<{ consentAt: string | null }>(Prisma.sql`SELECT "consentAt" FROM "Contact" WHERE "id" = ${contactId}`);
    if (contact?.consentAt) this.consented.add(contactId);
    return Boolean(contact?.consentAt);
  }

  /** Every applicant gives consent once, mid-dialog: batched, straight to the connection (see direct-sql.ts). */
  async recordConsent(contactId: string): Promise<void> {
    if (!(await this.consents.add(contactId))) throw new Error(`recordConsent: unknown contact ${contactId}`);
    this.consented.add(contactId);
  }

  /** True for each contact that exists (and now has its consent recorded). */
  private async writeConsents(contactIds: string[]): Promise<boolean[]> {
    const now = new Date();
    const rows = await this.sql.query<{ id: string }>(
      Prisma.sql`UPDATE "Contact" SET "consentAt" = ${now}, "updatedAt" = ${now} WHERE "id" IN (${Prisma.join([...new Set(contactIds)])}) RETURNING "id"`,
    );
    const found = new Set(rows.map((row) => row.id));
    return contactIds.map((id) => found.has(id));
  }

  /** `pin`: a location the citizen sent during the form, wherever in it; else the address step's pin, if any. */
  async createTicket(spec: DialogSpec, slots: Record<string, SlotValue>, contactId: string, conversationId: string, pin?: Location): Promise<CreatedTicket> {
    const form = formTicket(spec, slots, this.config.tickets.defaultSlaHours);
    const location = pin ?? form.ticket.location ?? (await this.photoLocation(spec, slots, contactId));
    const ticket = await this.tickets.create({ ...form.ticket, location, contactId, conversationId });
    await this.nameContact(spec, slots, contactId);
    return { number: ticket.number, department: form.ticket.department, due: this.formatDate(ticket.dueAt), info: form.info, needsPerson: form.needsPerson };
  }

  /**
   * Where the form's photo was taken (its original's EXIF GPS, kept on the Media row by
   * media/media.ts), for a ticket without a pin: only with the citizen's consent, since the
   * position may be their home and they did not hand it over themselves.
   */
  private async photoLocation(spec: DialogSpec, slots: Record<string, SlotValue>, contactId: string): Promise<Location | undefined> {
    const ids = spec.steps
      .filter((step) => step.type === 'photo' && step.slot in slots)
      .map((step) => (slots[step.slot]!.value as { id?: unknown } | null)?.id)
      .filter((id): id is string => typeof id === 'string');
    if (ids.length === 0 || !(await this.hasConsent(contactId))) return undefined;
    const rows = await this.sql.query<{ id: string; latitude: number | null; longitude: number | null }>(
      Prisma.sql`SELECT "id", "latitude", "longitude" FROM "Media" WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'stored' AND "latitude" IS NOT NULL`,
    );
    const row = ids.map((id) => rows.find((r) => r.id === id)).find(Boolean);
    return row ? LocationSchema.safeParse({ latitude: Number(row.latitude), longitude: Number(row.longitude) }).data : undefined;
  }

  /**
   * A photo that arrived after its form was sent (its first downloads failed): its position becomes
   * the location of the conversation's ticket that holds it and has none, if the citizen consented.
   */
  async locateFromPhoto(photo: { id: string; conversationId: string; latitude: number; longitude: number }): Promise<void> {
    await this.sql.execute(Prisma.sql`
      UPDATE "Ticket" SET "latitude" = ${photo.latitude}, "longitude" = ${photo.longitude}
      WHERE "conversationId" = ${photo.conversationId} AND "latitude" IS NULL AND "data" LIKE ${`%"id":"${photo.id}"%`}
        AND EXISTS (SELECT 1 FROM "Contact" c WHERE c."id" = "Ticket"."contactId" AND c."consentAt" IS NOT NULL)`);
  }

  /**
   * The console names a citizen by their contact's name; a web chat gives none, so the name a
   * form collected becomes it (a platform's own name, when there is one, is kept).
   */
  private async nameContact(spec: DialogSpec, slots: Record<string, SlotValue>, contactId: string): Promise<void> {
    const nameStep = spec.steps.find((step) => step.type === 'name' && step.slot in slots);
    const name = nameStep ? String(slots[nameStep.slot]!.value) : '';
    if (!name) return;
    await this.sql.query(Prisma.sql`UPDATE "Contact" SET "displayName" = ${name}, "updatedAt" = ${new Date()} WHERE "id" = ${contactId} AND ("displayName" IS NULL OR "displayName" = '') RETURNING "id"`);
  }

  /** The citizen's own tickets as text: one by number, or all of them. */
  async describeTickets(contactId: string, wanted: string, say: Texts): Promise<string> {
    if (wanted !== 'all') {
      const ticket = await this.tickets.findOwn(contactId, wanted);
      if (!ticket) return say.format('ticketNotFound', { number: wanted });
      return this.describe(ticket, say);
    }
    const tickets = await this.tickets.listOwn(contactId);
    if (tickets.length === 0) return say.noTickets;
    return [say.recentTickets, ...tickets.map((t) => this.describe(t, say))].join('\n\n');
  }

  private describe(ticket: CitizenTicket, say: Texts): string {
    const open = OPEN_STATUSES.includes(ticket.status as TicketStatus);
    // The summary and department stay as the department wrote them (Turkish): they are the ticket's own words.
    const lines = [
      say.format('ticketHeading', { number: ticket.number, type: say.typeName(ticket.type) }),
      maskPersonalData(ticket.summary),
      say.format('ticketStatus', { status: say.statusName(ticket.status) }),
      say.format('ticketDepartment', { department: ticket.department }),
      say.format('ticketUpdated', { date: this.formatDate(ticket.updatedAt) }),
    ];
    if (ticket.status === 'rejected' && ticket.statusNote) lines.push(say.format('ticketReason', { note: maskPersonalData(ticket.statusNote, { keepPhones: this.publicPhones }) }));
    if (open) lines.push(say.format('ticketDue', { date: this.formatDate(ticket.dueAt) }));
    return lines.filter(Boolean).join('\n');
  }
}

/** What a form's answers make of a ticket: where it goes, how fast, its summary and its data. */
export interface FormTicket {
  ticket: Omit<NewTicket, 'contactId' | 'conversationId'>;
  /** Extra notes of the chosen options (documents to prepare…). */
  info: string[];
  /** A chosen option says a person must take the case over. */
  needsPerson: boolean;
}

/**
 * The ticket a form's answers make, whoever collected them (the chat assistant, the Open311 API):
 * routed by the chosen options, with a summary of structured answers only and the answers in `data`.
 */
export function formTicket(spec: DialogSpec, slots: Record<string, SlotValue>, defaultSlaHours: number): FormTicket {
  const ticketSpec = spec.ticket!;
  const chosen = spec.steps
    .filter((step) => step.type === 'choice' && step.slot in slots)
    .map((step) => ({ slot: step.slot, choice: step.choices!.find((c) => c.value === slots[step.slot]!.value) }));
  const routed = ticketSpec.routeBy.map((slot) => chosen.find((c) => c.slot === slot)?.choice).find((choice) => choice?.department);
  const department = routed?.department ?? ticketSpec.department;
  const slaHours = routed?.slaHours ?? ticketSpec.slaHours ?? defaultSlaHours;
  const displays = Object.fromEntries(Object.entries(slots).map(([slot, v]) => [slot, v.display]));
  // Only structured slots reach the summary (checked at load); masked all the same, since the
  // queue line and the status answer show it. The department reads the real values in `data`.
  const summary = maskPersonalData(ticketSpec.summary.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, slot: string) => displays[slot] ?? '—'));
  const structured = spec.steps.filter((step) => STRUCTURED_STEP_TYPES.includes(step.type) && step.slot in slots).map((step) => step.slot);
  const data = { ...Object.fromEntries(Object.entries(slots).map(([slot, v]) => [slot, v.value])), _display: displays, _dialog: spec.id, [STRUCTURED_KEY]: structured };
  const category = ticketSpec.categorySlot ? String(slots[ticketSpec.categorySlot]?.value ?? '') || undefined : undefined;
  const neighbourhood = spec.steps.find((s) => s.type === 'neighbourhood' && s.slot in slots);
  // A pin given as the address (steps.ts keeps its coordinates with the map link).
  const location = spec.steps.filter((s) => s.type === 'address' && s.slot in slots).map((s) => LocationSchema.safeParse(slots[s.slot]!.value).data).find(Boolean);
  return {
    ticket: {
      type: ticketSpec.type, category, department, slaHours, summary, data,
      neighbourhood: neighbourhood ? String(slots[neighbourhood.slot]!.value) : undefined,
      location,
    },
    info: chosen.map((c) => c.choice?.info).filter((line): line is string => Boolean(line)),
    needsPerson: chosen.some((c) => c.choice?.needsPerson),
  };
}
