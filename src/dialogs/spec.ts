// The shape of a dialogs/*.yaml file: the single source of what a municipality can write there.
import { z } from 'zod';
import { TicketTypeSchema } from '../tickets/status.ts';

const text = z.string().trim().min(1);

export const ChoiceSpecSchema = z
  .object({
    value: z.string().regex(/^[a-z][a-z0-9_]*$/, 'değer küçük harf, rakam ve _ ile yazılır'),
    label: text,
    /** Words citizens use for this option; also used to pre-fill it from the first message. */
    synonyms: z.array(text).default([]),
    /** Where a ticket with this option goes, and how fast it must be answered. */
    department: text.optional(),
    slaHours: z.number().int().min(1).optional(),
    /** Extra text shown after submitting when this option was chosen (documents to prepare…). */
    info: text.optional(),
    /** After the ticket is created, the conversation goes to an agent too (danger, urgency). */
    needsPerson: z.boolean().default(false),
  })
  .strict();
export type ChoiceSpec = z.infer<typeof ChoiceSpecSchema>;

export const STEP_TYPES = ['text', 'choice', 'neighbourhood', 'address', 'phone', 'tc_kimlik', 'name', 'count', 'photo', 'days', 'ticket_lookup'] as const;

/**
 * Answers that cannot carry free text: an option from the list, a number, an official
 * neighbourhood name. Only these may appear in a ticket's summary, and only these stay in a ticket
 * after the citizen's data is erased (KVKK, src/privacy/inventory.ts).
 */
export const STRUCTURED_STEP_TYPES: readonly (typeof STEP_TYPES)[number][] = ['choice', 'count', 'neighbourhood'];

export const StepSpecSchema = z
  .object({
    slot: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'alan adı harfle başlar, örn. neighbourhood'),
    /** How the field is named in the confirmation summary. */
    label: text,
    prompt: text,
    type: z.enum(STEP_TYPES),
    choices: z.array(ChoiceSpecSchema).min(2).optional(),
    optional: z.boolean().default(false),
    /** Personal data: the citizen's KVKK consent is asked before the first such step. */
    personal: z.boolean().default(false),
    /** Fill the slot from the citizen's first message when it already says it. */
    prefill: z.boolean().default(false),
    /**
     * Words citizens use for this answer when they correct it in passing ("pardon mahalle yanlış",
     * "telefonumu yanlış yazdım") or pick it after "Düzelt". The label's own words count too.
     */
    aliases: z.array(text).default([]),
    /** For a count pre-filled from a sentence: the words that must follow the number ("4 kişiyiz"). */
    units: z.array(text).default([]),
    /** Ask this step only when another slot has one of these values. */
    when: z.object({ slot: text, in: z.array(text).min(1) }).strict().optional(),
    minLength: z.number().int().min(1).optional(),
    maxLength: z.number().int().min(1).optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  })
  .strict()
  .refine((step) => step.type !== 'choice' || step.choices !== undefined, { message: 'choice adımının seçenekleri (choices) olmalı', path: ['choices'] });
export type StepSpec = z.infer<typeof StepSpecSchema>;

export const TicketSpecSchema = z
  .object({
    type: TicketTypeSchema,
    /** The slot whose value is the ticket's category. */
    categorySlot: text.optional(),
    /** Slots whose chosen option names the department, first one that does wins. */
    routeBy: z.array(text).default([]),
    /** Department when no chosen option names one. */
    department: text,
    slaHours: z.number().int().min(1).optional(),
    /** One line for the agents' queue, with {{slot}} placeholders. */
    summary: text,
  })
  .strict();
export type TicketSpec = z.infer<typeof TicketSpecSchema>;

export const DialogSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    /** The intent that starts this dialog. */
    intent: text,
    /** form: collects slots and creates a ticket; status: looks up the citizen's tickets. */
    kind: z.enum(['form', 'status']).default('form'),
    title: text,
    intro: text.optional(),
    steps: z.array(StepSpecSchema).min(1),
    /** Asked after the summary; the citizen confirms or picks a field to correct. */
    confirm: z.object({ prompt: text }).strict().optional(),
    ticket: TicketSpecSchema.optional(),
    /** Said after the ticket is created: {{number}}, {{department}}, {{due}} and slots. */
    done: text.optional(),
  })
  .strict()
  .superRefine((dialog, context) => {
    const slots = dialog.steps.map((step) => step.slot);
    slots.forEach((slot, index) => {
      if (slots.indexOf(slot) !== index) context.addIssue({ code: 'custom', message: `"${slot}" alanı iki kez tanımlanmış`, path: ['steps', index, 'slot'] });
    });
    dialog.steps.forEach((step, index) => {
      if (step.when && !slots.slice(0, index).includes(step.when.slot)) {
        context.addIssue({ code: 'custom', message: `when: "${step.when.slot}" bu adımdan önce sorulan bir alan olmalı`, path: ['steps', index, 'when', 'slot'] });
      }
    });
    if (dialog.kind === 'form' && !dialog.ticket) context.addIssue({ code: 'custom', message: 'form diyaloğu bir ticket tanımı içermeli', path: ['ticket'] });
    if (dialog.kind === 'form' && !dialog.done) context.addIssue({ code: 'custom', message: 'form diyaloğu bir done mesajı içermeli', path: ['done'] });
    for (const [, slot] of dialog.ticket?.summary.matchAll(/\{\{\s*(\w+)\s*\}\}/g) ?? []) {
      const step = dialog.steps.find((s) => s.slot === slot);
      if (step && !STRUCTURED_STEP_TYPES.includes(step.type)) {
        context.addIssue({
          code: 'custom',
          message: `özet yalnızca listeden seçilen, sayı ya da mahalle olan alanları içerebilir; {{${slot}}} vatandaşın kendi yazdığı bir alan (özet, kişisel veriler silindikten sonra da kalır)`,
          path: ['ticket', 'summary'],
        });
      }
    }
    for (const slot of [dialog.ticket?.categorySlot, ...(dialog.ticket?.routeBy ?? [])]) {
      if (slot && !slots.includes(slot)) context.addIssue({ code: 'custom', message: `"${slot}" diyalogda bir alan değil`, path: ['ticket'] });
    }
  });
export type DialogSpec = z.infer<typeof DialogSpecSchema>;

/** A step's answer as the form keeps it: the value for the ticket, and how it is read back to the citizen. */
export interface SlotValue {
  value: unknown;
  display: string;
}
