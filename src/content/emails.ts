// bot/emails.yaml: the e-mails Çözüm sends (to departments about new tickets, to Open311 requesters
// about their request). Content, not code: the municipality words them; validated at start-up with
// file and line, and each e-mail's own placeholders checked here, not when the first one goes.
import path from 'node:path';
import { z } from 'zod';
import type { MunicipalityValues } from './municipality.ts';
import { templateText } from './schema-parts.ts';
import { fillTemplate } from './template.ts';
import { loadYamlFile } from './yaml-file.ts';

/** The placeholders each e-mail fills per message (besides the municipality's settings). */
const OWN_PLACEHOLDERS = {
  newTicket: { number: '', department: '', type: '', category: '', dueAt: '', link: '' },
  toRequester: { message: '' },
} as const;

export type EmailKind = keyof typeof OWN_PLACEHOLDERS;

export interface Email {
  subject: string;
  text: string;
}

function fileSchema(municipality: MunicipalityValues) {
  const part = (kind: EmailKind) => templateText({ ...municipality, ...OWN_PLACEHOLDERS[kind] });
  const email = (kind: EmailKind) => z.object({ subject: part(kind).refine((value) => !value.includes('\n'), 'konu tek satır olmalı'), text: part(kind) });
  return z.object({ newTicket: email('newTicket'), toRequester: email('toRequester') });
}

export class Emails {
  constructor(
    private readonly content: Record<EmailKind, Email>,
    private readonly municipality: MunicipalityValues,
  ) {}

  /** The e-mail of `kind` with its placeholders filled. */
  render<K extends EmailKind>(kind: K, values: Record<keyof (typeof OWN_PLACEHOLDERS)[K], string>): Email {
    const { subject, text } = this.content[kind];
    return { subject: fillTemplate(subject, values, this.municipality), text: fillTemplate(text, values, this.municipality).replace(/\n{3,}/g, '\n\n').trim() };
  }
}

export function loadEmails(botDir: string, municipality: MunicipalityValues): Emails {
  return new Emails(loadYamlFile(path.join(botDir, 'emails.yaml'), fileSchema(municipality)), municipality);
}
