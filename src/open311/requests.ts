// Service requests over Open311: what anyone may read of a ticket, and filing one from another
// system. Read: complaints only (aid applications, appointments, handoffs and emergencies are
// about a person and are never listed), with the status as open/closed, the status change's note,
// the department, the promised date, the place, and nothing about the person: no name, phone,
// e-mail, TC number, and no free text of theirs except the place's address, which is masked and
// cleaned of the requester's own name, numbers and e-mail address. Filing: the same ticket a chat
// makes (dialogs/services.ts `formTicket`, tickets/tickets.ts), for a contact and conversation of
// the "open311" channel, so that agents find it in the console like any other.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.ts';
import { formTicket } from '../dialogs/services.ts';
import type { SlotValue } from '../dialogs/spec.ts';
import { mapLink } from '../dialogs/steps.ts';
import { ok, type Problem, validateCount, validateName, validatePhone, validateText, type NeighbourhoodMatcher, type Validation } from '../dialogs/validators/index.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { Database } from '../storage/database.ts';
import { OPEN_STATUSES, type TicketStatus } from '../tickets/status.ts';
import type { Tickets } from '../tickets/tickets.ts';
import type { KeyHolder } from './keys.ts';
import { PUBLIC_TICKET_TYPES, type Service } from './services.ts';
import { parseJsonObject } from '../storage/json-column.ts';
import { EVENT_NOTES, OPEN311_FIELDS } from '../tickets/agent-texts.ts';

export const CHANNEL = 'open311';

/** The specification's longest date range, and the default window of a list without dates. */
export const MAX_RANGE_DAYS = 90;
/** The specification's largest answer; also the largest page. */
export const MAX_PAGE_SIZE = 1000;

/** One request as the public reads it (GeoReport v2 field names). */
export interface PublicRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

const listOf = (text: string) => text.split(',').map((part) => part.trim()).filter(Boolean);
const dateParam = z.iso.datetime({ offset: true, local: false }).or(z.iso.date()).transform((text) => new Date(text));

/** GET requests.{format}: the specification's filters, and paging within its limits. */
export const ListQuery = z.object({
  service_request_id: z.string().max(4000).transform(listOf).optional(),
  service_code: z.string().max(2000).transform(listOf).optional(),
  start_date: dateParam.optional(),
  end_date: dateParam.optional(),
  status: z.string().max(20).transform(listOf).pipe(z.array(z.enum(['open', 'closed']))).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  jurisdiction_id: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

const optionalText = (max: number) => z.string().trim().max(max).optional();

/** POST requests.{format}: the specification's fields; `attribute[code]` ones are read apart. */
export const FilingBody = z.object({
  jurisdiction_id: optionalText(200),
  service_code: optionalText(100),
  lat: z.coerce.number().min(-90).max(90).optional(),
  long: z.coerce.number().min(-180).max(180).optional(),
  address_string: optionalText(300),
  address_id: optionalText(100),
  email: z.email().max(200).optional(),
  device_id: optionalText(200),
  account_id: optionalText(200),
  first_name: optionalText(60),
  last_name: optionalText(60),
  phone: optionalText(40),
  description: optionalText(4000),
  media_url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});
export type FilingBody = z.infer<typeof FilingBody>;

/** A call the API refuses: the specification's code (400 and so on) and what was wrong, in English. */
export class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Coordinates {
  latitude: number;
  longitude: number;
}

function coordinatesOf(value: unknown): Coordinates | undefined {
  const v = value as Partial<Coordinates> | null;
  return v && typeof v === 'object' && typeof v.latitude === 'number' && typeof v.longitude === 'number' ? { latitude: v.latitude, longitude: v.longitude } : undefined;
}

/**
 * The text with the requester's own name words, phone digits and e-mail address taken out: a
 * place's address may quote them ("Ayşe Yılmaz'ın evinin önü"), and masking finds numbers, not names.
 * A name is masked where a word starts with it (with or without a suffix: "Ayşenin"), never inside
 * another word: "Kara" leaves "Ankara Caddesi" alone. Digits and addresses are masked wherever they
 * stand ("+90" before a phone number).
 */
export function withoutOwnData(text: string, own: string[]): string {
  let result = text;
  for (const value of own) {
    const needle = value.toLocaleLowerCase('tr');
    if (needle.length < 3) continue;
    const word = LETTER.test(needle[0]!);
    let at = result.toLocaleLowerCase('tr').indexOf(needle);
    while (at >= 0) {
      if (word && at > 0 && WORD_CHARACTER.test(result[at - 1]!)) {
        at = result.toLocaleLowerCase('tr').indexOf(needle, at + 1);
        continue;
      }
      result = `${result.slice(0, at)}•••${result.slice(at + needle.length)}`;
      at = result.toLocaleLowerCase('tr').indexOf(needle, at + 3);
    }
  }
  return result;
}

const LETTER = /\p{L}/u;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

type TicketWithStatus = Prisma.TicketGetPayload<{ include: { events: true } }>;

export class Open311Requests {
  private readonly byCode: Map<string, Service>;

  constructor(
    private readonly deps: {
      db: Database;
      tickets: Tickets;
      services: Service[];
      neighbourhoods: NeighbourhoodMatcher;
      /** The municipality's own phone numbers: they stay readable in a status note. */
      publicPhones: string[];
      defaultSlaHours: number;
      /** A check's problem in Turkish words (bot/texts.yaml), as the chat form would say it. */
      describe: (problem: Problem) => string;
      clock?: () => Date;
    },
  ) {
    this.byCode = new Map(deps.services.map((service) => [service.code, service]));
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  service(code: string): Service | undefined {
    return this.byCode.get(code);
  }

  /** Public requests, newest first, by the specification's filters. */
  async list(query: ListQuery): Promise<PublicRequest[]> {
    const where: Prisma.TicketWhereInput = { type: { in: [...PUBLIC_TICKET_TYPES] }, category: { in: [...this.byCode.keys()] } };
    if (query.service_request_id) {
      // Asked for by number, the other filters do not apply (the specification says so).
      where.number = { in: query.service_request_id };
    } else {
      const codes = query.service_code?.filter((code) => this.byCode.has(code));
      if (query.service_code) where.category = { in: codes ?? [] };
      const { start, end } = this.range(query.start_date, query.end_date);
      where.createdAt = { gte: start, lte: end };
      if (query.status && query.status.length === 1) {
        where.status = query.status[0] === 'open' ? { in: OPEN_STATUSES } : { notIn: OPEN_STATUSES };
      }
    }
    const rows = await this.deps.db.ticket.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { number: 'desc' }],
      skip: (query.page - 1) * query.page_size,
      take: query.page_size,
      include: { events: { where: { kind: 'status' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 1 } },
    });
    return rows.map((row) => this.publicView(row));
  }

  /** One public request by its number, or undefined (unknown, or not public: the same answer). */
  async find(number: string): Promise<PublicRequest | undefined> {
    const [found] = await this.list({ service_request_id: [number], page: 1, page_size: 1 });
    return found;
  }

  /** The window a list covers: at most 90 days, the last 90 without dates. */
  private range(start: Date | undefined, end: Date | undefined): { start: Date; end: Date } {
    const span = MAX_RANGE_DAYS * 86_400_000;
    if (start && end) {
      if (end < start) throw new RequestError(400, 'end_date is before start_date');
      if (end.getTime() - start.getTime() > span) throw new RequestError(400, `start_date and end_date may not span more than ${MAX_RANGE_DAYS} days`);
      return { start, end };
    }
    if (start) return { start, end: new Date(start.getTime() + span) };
    const last = end ?? this.now();
    return { start: new Date(last.getTime() - span), end: last };
  }

  private publicView(ticket: TicketWithStatus): PublicRequest {
    const service = this.byCode.get(ticket.category ?? '')!;
    const data = parseJsonObject(ticket.data);
    const own = this.ownData(service, data);
    const place = service.steps.address ? data[service.steps.address.slot] : undefined;
    // Tickets filed before the coordinates had columns (issue 16) keep them in the data only.
    const stored = ticket.latitude !== null && ticket.longitude !== null ? { latitude: ticket.latitude, longitude: ticket.longitude } : undefined;
    const pin = stored ?? coordinatesOf(place) ?? coordinatesOf(data.location);
    const address = typeof place === 'string' ? withoutOwnData(maskPersonalData(place), own) : null;
    const latest = ticket.events[0];
    const note = latest && latest.actor !== 'bot' && latest.note ? withoutOwnData(maskPersonalData(latest.note, { keepPhones: this.deps.publicPhones }), own) : null;
    const media = typeof data.media_url === 'string' && maskPersonalData(data.media_url) === data.media_url && withoutOwnData(data.media_url, own) === data.media_url ? data.media_url : null;
    return {
      service_request_id: ticket.number,
      status: OPEN_STATUSES.includes(ticket.status as TicketStatus) ? 'open' : 'closed',
      status_notes: note,
      service_name: service.name,
      service_code: service.code,
      // The summary is built from answers picked from lists only (dialogs/spec.ts): never the citizen's words.
      description: ticket.summary,
      agency_responsible: ticket.department,
      service_notice: null,
      requested_datetime: isoSeconds(ticket.createdAt),
      updated_datetime: isoSeconds(ticket.updatedAt),
      expected_datetime: isoSeconds(ticket.dueAt),
      address,
      address_id: null,
      zipcode: null,
      lat: pin?.latitude ?? null,
      long: pin?.longitude ?? null,
      media_url: media,
    };
  }

  /** The requester's own name words, phone and e-mail, as the ticket's data holds them. */
  private ownData(service: Service, data: Record<string, unknown>): string[] {
    const values: string[] = [];
    const name = service.steps.name ? data[service.steps.name.slot] : undefined;
    if (typeof name === 'string') values.push(name, ...name.split(/\s+/));
    const phone = service.steps.phone ? data[service.steps.phone.slot] : undefined;
    if (typeof phone === 'string') values.push(phone, phone.replace(/^\+90/, '0'), phone.replace(/^\+90/, ''));
    if (typeof data.email === 'string') values.push(data.email);
    return values;
  }

  /** An attribute's value, checked as the chat form checks the answer to its step. */
  private checkAttribute(attribute: Service['attributes'][number], raw: string): Validation<unknown> {
    const step = attribute.step;
    if (step.type === 'neighbourhood') return this.deps.neighbourhoods.match(raw);
    if (step.type === 'count') return validateCount(raw, { min: step.min ?? 1, max: step.max ?? 30 });
    if (step.type !== 'choice') return validateText(raw, { minLength: step.minLength ?? 1, maxLength: step.maxLength ?? 2000 });
    const option = step.choices!.find((choice) => choice.value === raw);
    if (!option) throw new RequestError(400, `attribute[${attribute.code}]: not one of ${attribute.values.map((v) => v.key).join(', ')}`);
    return ok(option.value, option.label);
  }

  /**
   * Files a request: checks every field as the chat form would, then creates the ticket through the
   * tickets module, for a contact and conversation of its own on the "open311" channel.
   */
  async file(body: FilingBody, attributes: Record<string, string>, holder: KeyHolder): Promise<{ number: string; department: string; dueAt: Date }> {
    if (!body.service_code) throw new RequestError(400, 'service_code is required');
    const service = this.byCode.get(body.service_code);
    if (!service) throw new RequestError(400, `service_code "${body.service_code}" is not a service of this jurisdiction`);
    const hasPin = body.lat !== undefined && body.long !== undefined;
    if ((body.lat === undefined) !== (body.long === undefined)) throw new RequestError(400, 'lat and long are given together');
    if (!hasPin && !body.address_string) throw new RequestError(400, 'a location is required: lat and long, or address_string');

    const slots: Record<string, SlotValue> = { [service.steps.category.slot]: { value: service.code, display: service.name } };
    const set = (field: string, slot: string, checked: Validation<unknown>) => {
      if (!checked.ok) throw new RequestError(400, `${field}: ${this.deps.describe(checked.problem)}`);
      slots[slot] = { value: checked.value, display: checked.display };
    };
    const pin = hasPin ? { latitude: body.lat!, longitude: body.long! } : undefined;
    const { address, description, photo, name, phone } = service.steps;
    if (address) {
      if (body.address_string) set('address_string', address.slot, validateText(body.address_string, { minLength: address.minLength ?? 5, maxLength: address.maxLength ?? 300 }));
      else slots[address.slot] = { value: { ...pin, map: mapLink(pin!.latitude, pin!.longitude) }, display: `Konum (${mapLink(pin!.latitude, pin!.longitude)})` };
    }
    if (description) {
      if (body.description) set('description', description.slot, validateText(body.description, { minLength: description.minLength ?? 2, maxLength: description.maxLength ?? 2000 }));
      else if (!description.optional) throw new RequestError(400, 'description is required for this service');
    }
    if (photo && body.media_url) slots[photo.slot] = { value: { kind: 'link', url: body.media_url }, display: body.media_url };
    const fullName = [body.first_name, body.last_name].filter(Boolean).join(' ');
    if (name && fullName) {
      // The chat asks for a first and a last name; another app may have only one: kept as given.
      const checked = validateName(fullName);
      slots[name.slot] = checked.ok ? { value: checked.value, display: checked.display } : { value: fullName, display: fullName };
    }
    if (phone && body.phone) set('phone', phone.slot, validatePhone(body.phone));

    for (const attribute of service.attributes) {
      const raw = attributes[attribute.code]?.trim();
      const step = attribute.step;
      const field = `attribute[${attribute.code}]`;
      if (!raw) {
        const found = step.type === 'neighbourhood' && body.address_string ? this.deps.neighbourhoods.findInText(body.address_string) : undefined;
        if (found) slots[step.slot] = { value: found, display: found };
        else if (attribute.required) throw new RequestError(400, `${field} is required for this service`);
        continue;
      }
      if (step.when && !step.when.in.includes(String(slots[step.when.slot]?.value ?? ''))) continue;
      set(field, step.slot, this.checkAttribute(attribute, raw));
    }
    for (const attribute of service.attributes) {
      const step = attribute.step;
      if (step.when && !step.optional && !(step.slot in slots) && step.when.in.includes(String(slots[step.when.slot]?.value ?? ''))) {
        throw new RequestError(400, `attribute[${attribute.code}] is required for this service`);
      }
    }

    const form = formTicket(service.form, slots, this.deps.defaultSlaHours);
    const extra: Record<string, unknown> = {};
    const display: Record<string, string> = {};
    if (body.email) [extra.email, display[OPEN311_FIELDS.email]] = [body.email, body.email];
    if (pin && (body.address_string || !address)) [extra.location, display[OPEN311_FIELDS.location]] = [pin, mapLink(pin.latitude, pin.longitude)];
    if (body.media_url && !photo) [extra.media_url, display[OPEN311_FIELDS.photo]] = [body.media_url, body.media_url];
    else if (body.media_url) extra.media_url = body.media_url;
    display[OPEN311_FIELDS.system] = holder.name;
    // The form's structured answers (privacy/inventory.ts) stay as formTicket listed them: e-mail, pin and link go at an erasure.
    const data: Record<string, unknown> = { ...form.ticket.data, ...extra, _display: { ...(form.ticket.data._display as Record<string, string>), ...display }, _source: { channel: CHANNEL, apiKeyId: holder.id } };

    const personal = Boolean(fullName || body.phone || body.email);
    const contact = await this.deps.db.contact.create({
      data: {
        channel: CHANNEL,
        // Nothing leads from the row to the person but what they gave: a random id per request.
        platformUserId: randomUUID(),
        displayName: slots[name?.slot ?? '']?.display ?? null,
        // The client app asked the person's consent before sending their contact details (README, Open311).
        consentAt: personal ? this.now() : null,
        conversations: { create: { channel: CHANNEL, address: JSON.stringify(body.email ? { email: body.email } : {}) } },
      },
      include: { conversations: { select: { id: true } } },
    });
    const created = await this.deps.tickets.create({
      ...form.ticket,
      location: pin ?? form.ticket.location,
      data,
      contactId: contact.id,
      conversationId: contact.conversations[0]!.id,
      urgent: form.needsPerson || undefined,
      firstNote: EVENT_NOTES.open311Filed(holder.name),
    });
    return { number: created.number, department: created.department, dueAt: created.dueAt };
  }
}

/** `attribute[code]=value` fields of a form body (or an `attribute` object of a JSON body). */
export function attributesOf(body: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  const nested = body.attribute;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [code, value] of Object.entries(nested)) if (typeof value === 'string' || typeof value === 'number') attributes[code] = String(value);
  }
  for (const [key, value] of Object.entries(body)) {
    const match = /^attribute\[([A-Za-z0-9_]{1,64})\]$/.exec(key);
    if (match && (typeof value === 'string' || typeof value === 'number')) attributes[match[1]!] = String(value);
  }
  return attributes;
}
