// The Open311 services: one per category of the forms in dialogs/ whose tickets may be public
// (complaints: a pothole, a street light, rubbish). Aid applications, appointments, handoffs and
// emergencies are never services: what they hold is about a person, not a place.
//
// A form's steps become the request's fields: the category is `service_code`, an address step is
// `address_string`/`lat`/`long`, the first free-text step is `description`, a photo is `media_url`,
// a name and a phone are `first_name`/`last_name`/`phone`; every other step (a neighbourhood, an
// option, a count) is an attribute of the service definition.
import { ContentError } from '../content/yaml-file.ts';
import type { ChoiceSpec, DialogSpec, StepSpec } from '../dialogs/spec.ts';
import type { NeighbourhoodMatcher } from '../dialogs/validators/index.ts';
import type { TicketType } from '../tickets/status.ts';

/** Ticket types Open311 publishes and files. */
export const PUBLIC_TICKET_TYPES: readonly TicketType[] = ['complaint'];

export interface ServiceAttribute {
  code: string;
  datatype: 'string' | 'number' | 'text' | 'singlevaluelist';
  required: boolean;
  description: string;
  order: number;
  values: { key: string; name: string }[];
  /** The form's step it fills. */
  step: StepSpec;
}

export interface Service {
  code: string;
  name: string;
  description: string;
  group: string;
  keywords: string[];
  department: string;
  slaHours: number;
  form: DialogSpec;
  choice: ChoiceSpec;
  /** The form's steps that the standard fields fill, by role. */
  steps: { category: StepSpec; address?: StepSpec; description?: StepSpec; photo?: StepSpec; name?: StepSpec; phone?: StepSpec };
  attributes: ServiceAttribute[];
}

/** Step types never asked over Open311: a TC number is not something another app should pass on. */
const NEVER_ASKED = new Set<StepSpec['type']>(['tc_kimlik', 'ticket_lookup']);

function datatypeOf(step: StepSpec): ServiceAttribute['datatype'] {
  if (step.type === 'choice' || step.type === 'neighbourhood') return 'singlevaluelist';
  if (step.type === 'count') return 'number';
  return step.type === 'text' ? 'text' : 'string';
}

/** Whether a step is asked when the category is `value` (its `when` names the category slot). */
function askedFor(step: StepSpec, categorySlot: string, value: string): boolean {
  return !step.when || step.when.slot !== categorySlot || step.when.in.includes(value);
}

export function buildServices(forms: readonly DialogSpec[], neighbourhoods: NeighbourhoodMatcher, defaultSlaHours: number): Service[] {
  const services: Service[] = [];
  for (const form of forms) {
    const ticket = form.ticket;
    if (form.kind !== 'form' || !ticket?.categorySlot || !PUBLIC_TICKET_TYPES.includes(ticket.type)) continue;
    const category = form.steps.find((step) => step.slot === ticket.categorySlot)!;
    if (form.steps.some((step) => NEVER_ASKED.has(step.type))) continue;
    for (const choice of category.choices ?? []) {
      const steps = form.steps.filter((step) => step !== category && askedFor(step, category.slot, choice.value));
      const roles: Service['steps'] = {
        category,
        address: steps.find((s) => s.type === 'address'),
        // A text asked only after a particular answer is that answer's detail, not the description.
        description: steps.find((s) => s.type === 'text' && !s.when) ?? steps.find((s) => s.type === 'text'),
        photo: steps.find((s) => s.type === 'photo'),
        name: steps.find((s) => s.type === 'name'),
        phone: steps.find((s) => s.type === 'phone'),
      };
      const standard = new Set(Object.values(roles));
      const attributes = steps
        .filter((step) => !standard.has(step))
        .map((step, index): ServiceAttribute => ({
          code: step.slot,
          datatype: datatypeOf(step),
          // A step asked only after another answer (not the category's) is checked when that answer is given.
          required: !step.optional && (!step.when || step.when.slot === category.slot),
          description: step.label,
          order: index + 1,
          values:
            step.type === 'neighbourhood'
              ? neighbourhoods.names.map((name) => ({ key: name, name }))
              : (step.choices ?? []).map((option) => ({ key: option.value, name: option.label })),
          step,
        }));
      const routed = ticket.routeBy.includes(category.slot) ? choice : undefined;
      services.push({
        code: choice.value,
        name: choice.label,
        description: `${form.title}: ${choice.label}`,
        group: routed?.department ?? ticket.department,
        keywords: choice.synonyms,
        department: routed?.department ?? ticket.department,
        slaHours: routed?.slaHours ?? ticket.slaHours ?? defaultSlaHours,
        form,
        choice,
        steps: roles,
        attributes,
      });
    }
  }
  const seen = new Map<string, string>();
  for (const service of services) {
    const other = seen.get(service.code);
    if (other) throw new ContentError(`dialogs/: "${service.code}" seçeneği hem ${other} hem ${service.form.id} formunda: Open311 hizmet kodları tekil olmalı`);
    seen.set(service.code, service.form.id);
  }
  return services;
}
