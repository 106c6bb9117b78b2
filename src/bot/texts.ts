// What the bot itself says (FAQ answers live in intents/). Polite, short, siz form.
import type { Municipality } from '../config.ts';

export function texts(m: Municipality) {
  return {
    menuPrompt: 'Size nasıl yardımcı olabilirim? Numarasını yazarak ya da konuyu kendi cümlenizle yazarak seçebilirsiniz:',
    help:
      'Sorunuzu ya da isteğinizi kendi cümlenizle yazabilirsiniz, örneğin "Yakın Kart nasıl alınır?" ya da "sokağımızdaki lamba yanmıyor".\n\n' +
      'Her an kullanabileceğiniz komutlar:\n' +
      '• *menü*: konu listesi\n• *iptal*: yarım kalan işlemi bırakır\n• *başa dön*: sohbeti baştan başlatır\n• *temsilci*: bir görevliyle görüşme\n\n' +
      `Çağrı merkezimiz: ${m.phones.callCenter} (${m.hours}).`,
    cancelled: 'İşleminiz iptal edildi. Başka bir konuda yardımcı olabilirim; seçenekler için *menü* yazabilirsiniz.',
    leftDialog: 'Yarım kalan işleminizi kapattım.',
    nothingToCancel: 'Şu anda iptal edilecek bir işleminiz yok. Seçenekler için *menü* yazabilirsiniz.',
    restarted: 'Sohbeti baştan başlattım.',
    notUnderstood: 'Üzgünüm, mesajınızı tam anlayamadım. Aşağıdaki konulardan birini seçebilir ya da isteğinizi farklı kelimelerle yazabilirsiniz:',
    offerPerson:
      `Sizi anlamakta zorlandığım için özür dilerim. Bir görevlimizle görüşmek için çağrı merkezimizi ${m.phones.callCenter} numarasından arayabilir ` +
      `ya da WhatsApp hattımıza (${m.phones.whatsapp}) yazabilirsiniz. Çalışma saatlerimiz: ${m.hours}.`,
    agentNotYet:
      `Bir görevlimizle görüşmek için çağrı merkezimizi ${m.phones.callCenter} numarasından arayabilirsiniz (${m.hours}). ` +
      'İsterseniz sorunuzu buraya yazmaya devam edin, yardımcı olmaya çalışayım.',
    onlySymbols: 'Mesajınızda okuyabildiğim bir yazı bulamadım. Size nasıl yardımcı olabilirim? Seçenekler için *menü* yazabilirsiniz.',
    empty: 'Boş bir mesaj aldım. Size nasıl yardımcı olabilirim? Seçenekler için *menü* yazabilirsiniz.',
    mediaWithoutText:
      'Gönderdiğiniz dosyayı aldım, ancak şu anda yazılı bir mesaj bekliyorum. Lütfen isteğinizi kısaca yazın; şikâyet bildirirken fotoğraf eklemeniz istenecektir.',
    locationWithoutContext: 'Konumunuzu aldım. Bir sorun bildirmek istiyorsanız lütfen kısaca ne olduğunu yazın, örneğin "burada sokak lambası yanmıyor".',
    tooLong: (limit: number) => `Mesajınız çok uzun olduğu için yalnızca ilk ${limit} karakterini okuyabildim. Mesajınızın tamamı kaydedildi.`,
    /** Until a structured dialog exists for an intent, the citizen is told where to go. */
    notYetOnline: (topic: string) =>
      `${topic} için şimdilik çağrı merkezimizi ${m.phones.callCenter} numarasından arayabilir ya da ${m.website} adresini ziyaret edebilirsiniz (${m.hours}).`,
  };
}
export type Texts = ReturnType<typeof texts>;
