// The words the console shows for stored codes: categories, channels, reasons, roles, field
// labels, and the departments a ticket can be transferred to. Built once from dialogs/ and the
// configuration; departments also from the agents' accounts (never from the tickets: the list is
// asked for on every console page, and a year of tickets would be scanned each time).
import path from 'node:path';
import type { Config } from '../config.ts';
import { loadEmergencyLanguages, type EmergencyContent } from '../content/emergencies.ts';
import { LANGUAGES, type Language } from '../content/languages.ts';
import { loadDialogs } from '../dialogs/load.ts';
import type { DialogSpec } from '../dialogs/spec.ts';
import type { Database } from '../storage/database.ts';
import { statusName, typeName } from '../tickets/status.ts';
import { municipalityValues } from '../content/municipality.ts';

const REASONS: Record<string, string> = {
  requested: 'Görevli istedi',
  misunderstood: 'Asistan anlayamadı',
  emergency: 'Acil durum',
  // Cases escalated by the urgent-keyword list that bot/emergencies.yaml replaced.
  keyword: 'Acil kelime',
  dialog: 'Başvuru sonrası',
};

export { ROLE_NAMES } from '../handoff/handoff.ts';

/** The citizens' languages as the console names them (Turkish, as every console word). */
export const LANGUAGE_NAMES: Record<string, string> = { tr: 'Türkçe', ar: 'Arapça', en: 'İngilizce' };

export function languageName(language: string): string {
  return LANGUAGE_NAMES[language] ?? language;
}

export function channelName(channel: string): string {
  const key = channel.toLowerCase();
  if (key === 'webchat') return 'Web sohbet';
  if (key === 'telegram') return 'Telegram';
  if (key.startsWith('whatsapp')) return 'WhatsApp';
  if (key === 'msteams') return 'Microsoft Teams';
  if (['botframework', 'directline', 'webchat-bf', 'emulator'].includes(key)) return 'Bot Framework';
  if (key === 'terminal') return 'Terminal';
  if (key === 'test') return 'Test kanalı';
  if (key === 'open311') return 'Open311';
  return channel;
}

/** An emergency kind as the console lists it: its Turkish title, and the phrases it is read by in each language. */
export interface EmergencyKindListing {
  id: string;
  title: string;
  /** The number the citizen is told to call. */
  number: string;
  department: string;
  phrases: { language: Language; languageName: string; phrases: string[] }[];
}

export class Catalog {
  private readonly categories = new Map<string, string>();
  private readonly fields = new Map<string, string[][]>();
  private readonly staticDepartments = new Set<string>();
  /** Every emergency kind with its phrases in every language (bot/emergencies.yaml and its translations). */
  readonly emergencyKinds: EmergencyKindListing[];

  constructor(dialogs: DialogSpec[], config: Config, emergencyLanguages?: Partial<Record<Language, EmergencyContent>>) {
    this.staticDepartments.add(config.handoff.defaultDepartment);
    const emergencies = emergencyLanguages?.tr?.kinds ?? [];
    this.emergencyKinds = emergencies.map((kind) => ({
      id: kind.id,
      title: kind.title,
      number: kind.number,
      department: kind.department ?? config.handoff.defaultDepartment,
      phrases: LANGUAGES.flatMap((language) => {
        const own = emergencyLanguages?.[language]?.kinds.find((k) => k.id === kind.id);
        return own ? [{ language, languageName: languageName(language), phrases: own.phrases }] : [];
      }),
    }));
    for (const kind of emergencies) {
      this.categories.set(`emergency:${kind.id}`, kind.title);
      if (kind.department) this.staticDepartments.add(kind.department);
    }
    for (const dialog of dialogs) {
      if (dialog.ticket) this.staticDepartments.add(dialog.ticket.department);
      const categorySlot = dialog.ticket?.categorySlot;
      for (const step of dialog.steps) {
        for (const choice of step.choices ?? []) {
          if (choice.department) this.staticDepartments.add(choice.department);
          if (dialog.ticket && step.slot === categorySlot) this.categories.set(`${dialog.ticket.type}:${choice.value}`, choice.label);
        }
      }
      this.fields.set(dialog.id, dialog.steps.map((step) => [step.slot, step.label]));
    }
  }

  static load(config: Config): Catalog {
    // main.ts has loaded the same files already and stops on a mistake; without them the
    // console only shows raw codes.
    const attempt = <T>(load: () => T, otherwise: T): T => {
      try {
        return load();
      } catch {
        return otherwise;
      }
    };
    const dialogs = attempt(() => loadDialogs(path.resolve(config.contentDir, 'dialogs'), municipalityValues(config.contentDir, config.municipality).tr), []);
    const emergencies = attempt(() => loadEmergencyLanguages(path.resolve(config.contentDir), config.municipality), undefined);
    return new Catalog(dialogs, config, emergencies);
  }

  categoryName(type: string, category: string | null): string {
    if (!category) return '';
    if (type === 'handoff') return REASONS[category] ?? category;
    return this.categories.get(`${type}:${category}`) ?? category;
  }

  /** The dialog's fields in the order it asked them, as label → what the citizen answered. */
  ticketFields(data: Record<string, unknown>): { label: string; value: string }[] {
    const display = (data._display ?? {}) as Record<string, unknown>;
    const order = this.fields.get(String(data._dialog ?? '')) ?? [];
    const known = new Set(order.map(([slot]) => slot));
    const rows = order.filter(([slot]) => slot! in display).map(([slot, label]) => ({ label: label!, value: String(display[slot!] ?? '') }));
    for (const [slot, value] of Object.entries(display)) if (!known.has(slot)) rows.push({ label: slot, value: String(value ?? '') });
    return rows;
  }

  async departments(db: Database): Promise<string[]> {
    const agents = await db.agent.findMany({ where: { department: { not: null } }, distinct: ['department'], select: { department: true } });
    const all = new Set([...this.staticDepartments, ...agents.map((a) => a.department!)]);
    return [...all].filter(Boolean).sort((a, b) => a.localeCompare(b, 'tr'));
  }

  statusName = statusName;
  typeName = typeName;
}
