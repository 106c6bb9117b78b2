// A ticket's lifecycle and the words a citizen reads for each state.
import { z } from 'zod';

export const TicketStatusSchema = z.enum(['new', 'assigned', 'in_progress', 'resolved', 'closed', 'rejected']);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;

export const STATUS_NAMES: Record<TicketStatus, string> = {
  new: 'Alındı',
  assigned: 'İlgili birime iletildi',
  in_progress: 'İşlemde',
  resolved: 'Çözüldü',
  closed: 'Kapatıldı',
  rejected: 'Reddedildi',
};

export const TicketTypeSchema = z.enum(['complaint', 'aid', 'appointment', 'handoff', 'emergency']);
export type TicketType = z.infer<typeof TicketTypeSchema>;

export const TYPE_NAMES: Record<TicketType, string> = {
  complaint: 'Şikâyet / talep',
  aid: 'Yardım başvurusu',
  appointment: 'Randevu talebi',
  handoff: 'Görevli görüşmesi',
  emergency: 'Acil durum bildirimi',
};

/** States in which the citizen is still waiting for the municipality. */
export const OPEN_STATUSES: TicketStatus[] = ['new', 'assigned', 'in_progress'];

/** States in which the municipality's work on a ticket is over. */
export const FINISHED_STATUSES: TicketStatus[] = ['resolved', 'closed', 'rejected'];

export function statusName(status: string): string {
  return STATUS_NAMES[status as TicketStatus] ?? status;
}

export function typeName(type: string): string {
  return TYPE_NAMES[type as TicketType] ?? type;
}
