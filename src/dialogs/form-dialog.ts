// Runs one dialogs/*.yaml file as a botbuilder dialog. The dialog's whole progress (answers, the
// step being asked, the way back) lives in botbuilder's dialog state, which is stored in the
// database, so a restart resumes it at the same question.
//
// One turn: `geri` steps back; at the consent or confirmation step the answer is yes/no/a field
// number; otherwise the current step's validator reads the answer. An answer that does not fit
// may be a FAQ question, which is answered before the step is asked again.
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import { fillTemplate } from '../content/template.ts';
import { INBOUND_KEY, type InboundContext } from '../bot/adapter.ts';
import type { DialogOutcome } from '../bot/bot.ts';
import { fold } from '../nlu/normalize.ts';
import type { DialogSpec, StepSpec } from './spec.ts';
import type { DialogServices } from './services.ts';
import { validateStep, type SlotValue } from './steps.ts';
import { matchChoice } from './validators/index.ts';

const CONSENT = '__consent';
const CONFIRM = '__confirm';

interface FormState {
  slots: Record<string, SlotValue>;
  /** The slot being asked, or the consent / confirmation step. */
  current?: string;
  /** Slots answered, in order, for `geri`. */
  history: string[];
  /** After correcting one field the dialog goes straight back to the confirmation. */
  correcting: boolean;
  /** "Did you mean…" options offered for the current step. */
  suggestions?: string[];
}

export interface FormOptions {
  /** The message that started the dialog, to pre-fill slots it already answers. */
  text?: string;
}

const YES_NO = [
  { value: 'yes', label: 'Evet', synonyms: ['evet onaylıyorum', 'onaylıyorum', 'onay', 'tamam', 'olur', 'kabul', 'kabul ediyorum', 'doğru', 'gönder', 'evet gönder', 'e'] },
  { value: 'no', label: 'Hayır', synonyms: ['hayır onaylamıyorum', 'onaylamıyorum', 'istemiyorum', 'kabul etmiyorum', 'yanlış', 'düzelt', 'düzeltmek istiyorum', 'h'] },
];

export class FormDialog extends Dialog<FormOptions> {
  constructor(
    readonly spec: DialogSpec,
    private readonly services: DialogServices,
  ) {
    super(spec.id);
  }

  override async beginDialog(dc: DialogContext, options?: FormOptions): Promise<DialogTurnResult> {
    const state: FormState = { slots: {}, history: [], correcting: false };
    dc.activeDialog!.state = state;
    if (options?.text) Object.assign(state.slots, this.services.prefill(this.spec, options.text));
    if (this.spec.intro) await dc.context.sendActivity(this.fill(this.spec.intro, state));
    // Echo what was understood (not the story itself, which the citizen just wrote).
    const understood = this.spec.steps.filter((step) => step.slot in state.slots && step.type !== 'text');
    if (understood.length > 0 && this.spec.kind === 'form') {
      await dc.context.sendActivity(`Mesajınızdan anladıklarım: ${understood.map((step) => `${step.label}: ${state.slots[step.slot]!.display}`).join(' · ')}`);
    }
    return this.askNext(dc, state);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FormState;
    const text = (dc.context.activity.text ?? '').trim();
    const folded = fold(text);

    if (folded === 'geri') return this.goBack(dc, state);
    if (state.current === CONSENT) return this.answerConsent(dc, state, text);
    if (state.current === CONFIRM) return this.answerConfirmation(dc, state, text);

    const step = this.spec.steps.find((s) => s.slot === state.current);
    if (!step) return this.askNext(dc, state);
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const result = await validateStep(step, { text, message: inbound?.message, suggestions: state.suggestions, contactId: inbound?.contactId }, this.services);
    if (result.ok) {
      state.slots[step.slot] = { value: result.value, display: result.display };
      state.history.push(step.slot);
      state.suggestions = undefined;
      if (state.correcting) return this.confirm(dc, state);
      return this.askNext(dc, state);
    }

    const faq = text ? this.services.faqAnswer(text) : undefined;
    if (faq && !result.suggestions) {
      await dc.context.sendActivity(faq);
      await dc.context.sendActivity('Şimdi kaldığımız yerden devam edelim.');
      return this.ask(dc, state, step);
    }
    state.suggestions = result.suggestions;
    await dc.context.sendActivity(MessageFactory.suggestedActions(result.suggestions ?? [], result.error));
    if (result.suggestions) return Dialog.EndOfTurn;
    return this.ask(dc, state, step);
  }

  override async repromptDialog(context: DialogContext['context'], instance: { state: FormState }): Promise<void> {
    const state = instance.state;
    if (state.current === CONSENT) return void (await context.sendActivity(this.consentPrompt()));
    if (state.current === CONFIRM) return void (await context.sendActivity(this.confirmationPrompt(state)));
    const step = this.spec.steps.find((s) => s.slot === state.current);
    if (step) await context.sendActivity(this.promptFor(step, state));
  }

  /** The next unanswered step that applies; consent first if it asks for personal data. */
  private async askNext(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const next = this.spec.steps.find((step) => !(step.slot in state.slots) && this.applies(step, state));
    if (!next) return this.spec.kind === 'status' ? this.finishStatus(dc, state) : this.confirm(dc, state);
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (next.personal && inbound && !(await this.services.hasConsent(inbound.contactId))) {
      state.current = CONSENT;
      await dc.context.sendActivity(this.consentPrompt());
      return Dialog.EndOfTurn;
    }
    return this.ask(dc, state, next);
  }

  private async ask(dc: DialogContext, state: FormState, step: StepSpec): Promise<DialogTurnResult> {
    state.current = step.slot;
    await dc.context.sendActivity(this.promptFor(step, state));
    return Dialog.EndOfTurn;
  }

  private promptFor(step: StepSpec, state: FormState) {
    const text = this.fill(step.prompt, state);
    const choices =
      step.type === 'choice' ? step.choices!.map((c) => c.label)
      : step.type === 'photo' && step.optional ? ['Fotoğraf yok']
      : step.type === 'ticket_lookup' ? ['Başvurularım']
      : [];
    return MessageFactory.suggestedActions(choices, text);
  }

  private applies(step: StepSpec, state: FormState): boolean {
    if (!step.when) return true;
    const value = state.slots[step.when.slot]?.value;
    return typeof value === 'string' && step.when.in.includes(value);
  }

  private async goBack(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const previous = state.history.pop();
    if (!previous) {
      await dc.context.sendActivity('Bu ilk soru, geri dönülecek bir adım yok. Vazgeçmek isterseniz *iptal* yazabilirsiniz.');
      return this.repromptCurrent(dc, state);
    }
    // Answers that depended on the one being undone (a `when` step) are undone with it.
    delete state.slots[previous];
    for (const step of this.spec.steps) if (step.when?.slot === previous) delete state.slots[step.slot];
    state.correcting = false;
    state.suggestions = undefined;
    return this.ask(dc, state, this.spec.steps.find((s) => s.slot === previous)!);
  }

  private async repromptCurrent(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    await this.repromptDialog(dc.context, { state });
    return Dialog.EndOfTurn;
  }

  private consentPrompt() {
    const m = this.services.municipality;
    return MessageFactory.suggestedActions(
      ['Evet, onaylıyorum', 'Hayır'],
      `Başvurunuz için adınız, telefonunuz gibi kişisel verilerinize ihtiyacımız var. Bu veriler yalnızca başvurunuzu sonuçlandırmak için ` +
        `${m.name} tarafından 6698 sayılı KVKK kapsamında işlenir. Aydınlatma metni: ${m.links.kvkk}\n\nOnaylıyor musunuz?`,
    );
  }

  private async answerConsent(dc: DialogContext, state: FormState, text: string): Promise<DialogTurnResult> {
    const answer = matchChoice(text, YES_NO);
    if (!answer.ok) {
      await dc.context.sendActivity('Lütfen *evet* ya da *hayır* yazın.');
      return this.repromptCurrent(dc, state);
    }
    if (answer.value === 'no') {
      const m = this.services.municipality;
      await dc.context.sendActivity(
        `Anlıyorum, kişisel verileriniz kaydedilmedi. Başvurunuzu dilerseniz çağrı merkezimizi ${m.phones.callCenter} numarasından arayarak ya da ` +
          `belediyemize gelerek de yapabilirsiniz (${m.hours}). Başka bir konuda yardım için *menü* yazabilirsiniz.`,
      );
      return dc.endDialog();
    }
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (inbound) await this.services.recordConsent(inbound.contactId);
    await dc.context.sendActivity('Teşekkür ederim, onayınızı kaydettim.');
    state.current = undefined;
    return this.askNext(dc, state);
  }

  private answered(state: FormState): StepSpec[] {
    return this.spec.steps.filter((step) => step.slot in state.slots);
  }

  private confirmationPrompt(state: FormState) {
    const lines = this.answered(state).map((step, index) => `${index + 1}. ${step.label}: ${state.slots[step.slot]!.display}`);
    const prompt = this.spec.confirm?.prompt ?? 'Bilgileriniz doğru mu? Göndermek için *evet* yazın; düzeltmek istediğiniz bilginin numarasını da yazabilirsiniz.';
    // No numbered options here: the numbers already name the fields to correct.
    return MessageFactory.text(`${this.spec.title} özeti:\n${lines.join('\n')}\n\n${this.fill(prompt, state)}`);
  }

  private async confirm(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    state.correcting = false;
    if (!this.spec.confirm) return this.submit(dc, state);
    state.current = CONFIRM;
    await dc.context.sendActivity(this.confirmationPrompt(state));
    return Dialog.EndOfTurn;
  }

  private async answerConfirmation(dc: DialogContext, state: FormState, text: string): Promise<DialogTurnResult> {
    const fields = this.answered(state);
    const number = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
    if (number) {
      const step = fields[Number(number[1]) - 1];
      if (!step) {
        await dc.context.sendActivity(`Lütfen 1 ile ${fields.length} arasında bir numara yazın ya da göndermek için *evet* yazın.`);
        return Dialog.EndOfTurn;
      }
      delete state.slots[step.slot];
      state.correcting = true;
      return this.ask(dc, state, step);
    }
    const answer = matchChoice(text, YES_NO);
    if (answer.ok && answer.value === 'yes') return this.submit(dc, state);
    if (answer.ok && answer.value === 'no') {
      await dc.context.sendActivity(`Hangi bilgiyi düzeltmek istersiniz? Numarasını yazın (1–${fields.length}). Vazgeçmek için *iptal* yazabilirsiniz.`);
      return Dialog.EndOfTurn;
    }
    await dc.context.sendActivity('Göndermek için *evet*, düzeltmek için bilginin numarasını, vazgeçmek için *iptal* yazın.');
    return Dialog.EndOfTurn;
  }

  private async submit(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!inbound) throw new Error('A form can only be submitted in a citizen turn');
    const created = await this.services.createTicket(this.spec, state.slots, inbound.contactId, dc.context.activity.conversation.id);
    const done = this.fill(this.spec.done!, state, { number: created.number, department: created.department, due: created.due });
    await dc.context.sendActivity([done, ...created.info].join('\n\n'));
    const outcome: DialogOutcome = { ticketNumber: created.number, needsPerson: created.needsPerson, department: created.department };
    return dc.endDialog(outcome);
  }

  private async finishStatus(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const wanted = state.slots[this.spec.steps[0]!.slot]?.value;
    const reply = inbound ? await this.services.describeTickets(inbound.contactId, typeof wanted === 'string' ? wanted : 'all') : 'Başvurunuzu bulamadım.';
    await dc.context.sendActivity(reply);
    return dc.endDialog();
  }

  private fill(text: string, state: FormState, extra: Record<string, string> = {}): string {
    const answers = Object.fromEntries(Object.entries(state.slots).map(([slot, value]) => [slot, value.display]));
    return fillTemplate(text, extra, { title: this.spec.title }, answers, this.services.municipality);
  }
}
