// The main menu: numbered options a citizen can answer with a digit or the option's words.
// Each option stands for an intent, so picking "4" is the same as writing a complaint request.

export interface MenuOption {
  label: string;
  intent: string;
}

export const MAIN_MENU: MenuOption[] = [
  { label: 'Yakın Kart', intent: 'faq.yakin_kart' },
  { label: 'Sosyal yardım bilgisi', intent: 'faq.social_aid' },
  { label: 'Yardım başvurusu yap', intent: 'request.aid' },
  { label: 'Şikâyet / talep bildir', intent: 'complaint.create' },
  { label: 'Başvurumu sorgula', intent: 'ticket.status' },
  { label: 'Randevu al', intent: 'appointment.request' },
  { label: 'Vergi ve ödemeler', intent: 'faq.tax_payment' },
  { label: 'Su kesintileri', intent: 'faq.water_outage' },
  { label: 'Ulaşım ve kartlar', intent: 'faq.public_transport' },
  { label: 'Cenaze hizmetleri', intent: 'faq.funeral' },
  { label: 'Nikâh işlemleri', intent: 'faq.marriage' },
  { label: 'İletişim bilgileri', intent: 'faq.contact' },
];
