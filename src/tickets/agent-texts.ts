// What agents read about tickets in the console, in Turkish like every console word (the console's
// names of states and types are in status.ts): the notes the history of a ticket shows, the
// field labels of requests other systems file, and why an agent's action was refused. Citizens read
// none of it: their words are content (bot/texts.yaml and its translations).

/** Lines of a ticket's history (TicketEvent.note) written by the system. */
export const EVENT_NOTES = {
  claimed: (agentName: string) => `${agentName} görüşmeyi devraldı.`,
  replied: 'Vatandaşa yanıt gönderildi.',
  transferred: (department: string) => `${department} birimine aktarıldı.`,
  released: 'Görüşme asistana geri bırakıldı.',
  accountClosed: (agentName: string) => `${agentName} hesabı kapatıldı; görüşme kuyruğa döndü.`,
  citizenLeft: 'Vatandaş görüşmeden ayrılıp asistana döndü.',
  ratingComment: (comment: string) => `Değerlendirme yorumu: ${comment}`,
  /** The first line of a request filed in a conversation with the assistant. */
  chatFiled: 'Başvuru sohbet asistanı üzerinden alındı.',
  /** The first line of a request filed through Open311, naming the system that filed it. */
  open311Filed: (system: string) => `Başvuru Open311 üzerinden alındı (${system}).`,
};

/** Why an agent's action was refused (HandoffError's message, shown in the console). */
export const ACTION_ERRORS = {
  unreachable: 'Bu başvuruya vatandaşa ulaşılabilecek bir kanal yok (örneğin Open311 üzerinden e-posta adresi bırakılmadan geldi). Durumu ve durum notu Open311 yanıtında görünür.',
  erased: 'Vatandaş kişisel verilerinin silinmesini istedi; bu görüşmeye artık yazılamaz.',
  heldBy: (agentName: string | undefined) => `Bu görüşmeyi ${agentName ?? 'başka bir görevli'} yürütüyor.`,
  emptyMessage: 'Boş mesaj gönderilemez.',
  emptyNote: 'Boş not eklenemez.',
  noSuchAgent: 'Aktarılacak görevli bulunamadı.',
  rejectWithoutReason: 'Reddetmek için bir gerekçe yazın.',
  ratingOutOfRange: 'Puan 1 ile 5 arasında olmalı.',
  otherDepartment: 'Bu görüşme başka bir birime ait.',
  noSuchTicket: 'Talep bulunamadı.',
};

/** Labels of the fields an Open311 request adds to the form's own (the console's ticket page lists them). */
export const OPEN311_FIELDS = {
  email: 'E-posta',
  location: 'Konum',
  photo: 'Fotoğraf',
  system: 'Başvuran sistem',
};
