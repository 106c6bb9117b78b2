// Questions whose answer is one FAQ reply, and a few words that prove which one was answered:
// for tests that count answers (crash recovery), not for tests of the NLU.
export const ONE_ANSWER_QUESTIONS: readonly (readonly [question: string, answerContains: string])[] = [
  ['cenaze aracı nasıl çağırırım', '000 01 88'],
  ['emlak vergisi borcumu nasıl öğrenirim', 'ebelediye.yesilova.bel.tr/odeme'],
  ['su kesintisi ne zaman biter', 'arıza hattı'],
  ['otobüs saatleri nerede', 'Toplu ulaşım'],
  ['yakın kart nasıl alınır', 'Yakın Kart'],
  ['nikah salonu rezervasyonu nasıl yapılır', 'Evlendirme'],
];
