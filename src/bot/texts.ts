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
    offerPerson: 'Sizi anlamakta zorlandığım için özür dilerim. Sizi bir görevlimize bağlamamı ister misiniz?',
    personDeclined: 'Peki. Aşağıdaki konulardan birini seçebilir ya da sorunuzu farklı kelimelerle yazabilirsiniz:',
    queued: (e: { ticketNumber: string; position: number; backAt?: string; alreadyQueued: boolean }) =>
      e.alreadyQueued
        ? `Talebiniz (*${e.ticketNumber}*) zaten görevlilerimizin sırasında. Sıranız: ${e.position}.`
        : e.backAt
          ? `Şu anda çalışma saatlerimiz dışındayız (${m.hours}). Talebiniz *${e.ticketNumber}* numarasıyla sıraya alındı; ` +
            `görevlilerimiz ${e.backAt} itibarıyla sırayla dönüş yapacak. Sıranız: ${e.position}. Acil durumlarda ${m.phones.callCenter} numarasını arayabilirsiniz.`
          : `Sizi bir görevlimize aktarıyorum. Talep numaranız: *${e.ticketNumber}*. Sıranız: ${e.position}. ` +
            'Görevlimiz bu sohbetten size yazacak. Beklemek istemezseniz *menü* yazarak asistana dönebilirsiniz.',
    stillWaiting: 'Mesajınızı görevlimize ilettim. Sıranız geldiğinde görevlimiz buradan yazacak; asistana dönmek için *menü* yazabilirsiniz.',
    backToBot: 'Görevli sırasından çıktınız, asistana döndünüz. Talebiniz kayıtlı kalmaya devam ediyor.',
    askComment: 'Teşekkür ederiz! İsterseniz kısa bir yorum da yazabilirsiniz; yazmak istemezseniz *geç* yazın.',
    thanksForRating: 'Değerlendirmeniz için teşekkür ederiz. Başka bir konuda yardım için *menü* yazabilirsiniz.',
    confirmErase:
      'Adınız, telefonunuz, T.C. kimlik numaranız, adresiniz ve bu sohbetteki mesajlarınız kalıcı olarak silinecek. ' +
      'Başvurularınız yalnızca istatistik için, kimliğiniz olmadan saklanır. Onaylıyor musunuz?',
    erased: (tickets: number) =>
      `Kişisel verileriniz silindi${tickets > 0 ? `; ${tickets} başvurunuz anonim hâle getirildi` : ''}. ` +
      `Ayrıntılı bilgi: ${m.links.kvkk}`,
    notErased: 'Verileriniz silinmedi. Başka bir konuda yardım için *menü* yazabilirsiniz.',
    thanksForComment: 'Yorumunuz ilgili birime iletildi, teşekkür ederiz.',
    onlySymbols: 'Mesajınızda okuyabildiğim bir yazı bulamadım. Size nasıl yardımcı olabilirim? Seçenekler için *menü* yazabilirsiniz.',
    empty: 'Boş bir mesaj aldım. Size nasıl yardımcı olabilirim? Seçenekler için *menü* yazabilirsiniz.',
    mediaWithoutText:
      'Gönderdiğiniz dosyayı aldım, ancak şu anda yazılı bir mesaj bekliyorum. Lütfen isteğinizi kısaca yazın; şikâyet bildirirken fotoğraf eklemeniz istenecektir.',
    locationWithoutContext: 'Konumunuzu aldım. Bir sorun bildirmek istiyorsanız lütfen kısaca ne olduğunu yazın, örneğin "burada sokak lambası yanmıyor".',
    tooLong: (limit: number) => `Mesajınız çok uzun olduğu için yalnızca ilk ${limit} karakterini okuyabildim. Mesajınızın tamamı kaydedildi.`,
  };
}
export type Texts = ReturnType<typeof texts>;
