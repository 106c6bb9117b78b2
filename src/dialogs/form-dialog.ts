// Runs one dialogs/*.yaml file as a botbuilder dialog. The dialog's whole progress (answers, the
// step being asked, the way back) lives in botbuilder's dialog state, which is stored in the
// database, so a restart resumes it at the same question.
//
// One turn: `geri` steps back; at the consent, the summary or the choice of a field to correct,
// the answer is read with the vocabulary (bot/vocabulary.yaml) and the buttons shown; otherwise
// the message is first judged (judgement.ts: an answer, a question, a correction, another request)
// and only an answer reaches the step's validator. Everything shown back is masked
// (privacy/mask.ts): the stored values stay whole for the department.
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import { fillTemplate } from '../content/template.ts';
import type { Texts } from '../content/bot-texts.ts';
import { currentLanguage, type Language } from '../content/languages.ts';
import { INBOUND_KEY, type InboundContext } from '../messaging/adapter.ts';
import type { Location } from '../messaging/message.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { fold } from '../nlu/normalize.ts';
import { findCorrection, judgeAnswer, namedStep, type JudgementContext } from './judgement.ts';
import { prefillSlots, type PrefillSources } from './prefill.ts';
import type { DialogSpec, SlotValue, StepSpec } from './spec.ts';
import { formTicket, type DialogServices } from './services.ts';
import { answerToSuggestions, validateStep } from './steps.ts';
import type { Button, Vocabulary } from './vocabulary.ts';

const CONSENT = '__consent';
const CONFIRM = '__confirm';
/** After "Düzelt": which field. */
const PICK_FIELD = '__pick_field';

interface FormState {
  slots: Record<string, SlotValue>;
  /** The slot being asked, or the consent / confirmation / field-picking step. */
  current?: string;
  /** Slots answered, in order, for `geri`. */
  history: string[];
  /** After correcting one field the dialog goes straight back to the confirmation. */
  correcting: boolean;
  /** "Did you mean…" options offered for the current step. */
  suggestions?: string[];
  /** Another request made during the form, offered when the form is done. */
  deferred?: { intent: string; text: string };
  /** The FAQ whose follow-up started the form: on topic here, not an interruption. */
  fromFaq?: string;
  /** The latest location pin sent during the form, at whatever step: the ticket's coordinates. */
  pin?: Location;
  /** The neighbourhood already offered for that pin: offered once, a "no" is not asked again. */
  pinOffered?: string;
}

export interface FormOptions extends PrefillSources {
  /**
   * A reply to an offer that already answers the form's first open question (the address typed
   * after the water-outage answer's "adresinizi yazın").
   */
  answer?: string;
  /** The FAQ whose answer offered this form. */
  fromFaq?: string;
}

/** What a finished form tells the bot. */
export interface DialogOutcome {
  ticketNumber?: string;
  needsPerson?: boolean;
  department?: string;
  /** The citizen asked for a person in the middle of the form. */
  handoff?: boolean;
  /** Another request made during the form, to offer now. */
  deferred?: { intent: string; text: string; title: string };
}

/** The words a form speaks and reads, shared by every form. */
export interface FormLanguage {
  texts: Texts;
  /** The same texts in each language; the form speaks the language of the turn. */
  languages?: Partial<Record<Language, { texts: Texts }>>;
  vocabulary: Vocabulary;
  /** What each intent that starts a request of its own is called ("Yardım başvurusu"), by intent. */
  requestTitles: ReadonlyMap<string, string>;
  /** The same titles in each language. */
  requestTitlesByLanguage?: Partial<Record<Language, ReadonlyMap<string, string>>>;
}

const HANDOFF_INTENT = 'handoff.agent';
/** Answers about the citizen themselves, the same in every form. */
const IDENTITY_TYPES = new Set<StepSpec['type']>(['name', 'phone', 'tc_kimlik']);

export class FormDialog extends Dialog<FormOptions> {
  private readonly vocabulary: Vocabulary;

  constructor(
    /** The Turkish form: its ticket is what the department reads, whatever the citizen's language. */
    readonly base: DialogSpec,
    private readonly services: DialogServices,
    private readonly language: FormLanguage,
    /** The same form in other languages (locales/<language>/dialogs/): its words, same steps. */
    private readonly translations: Partial<Record<Language, DialogSpec>> = {},
  ) {
    super(base.id);
    this.vocabulary = language.vocabulary;
  }

  /** The form in the language of the turn. */
  get spec(): DialogSpec {
    return this.translations[currentLanguage()] ?? this.base;
  }

  private get requestTitles(): ReadonlyMap<string, string> {
    return this.language.requestTitlesByLanguage?.[currentLanguage()] ?? this.language.requestTitles;
  }

  /**
   * The answers as the department reads them: an option by its Turkish label, a skipped question,
   * a photo and a pin in Turkish words; what the citizen wrote stays as written.
   */
  private ticketSlots(slots: Record<string, SlotValue>): Record<string, SlotValue> {
    const turkish = this.language.texts;
    return Object.fromEntries(
      Object.entries(slots).map(([slot, answer]) => {
        const step = this.base.steps.find((s) => s.slot === slot);
        const value = answer.value as { map?: string; kind?: string } | null;
        let display = answer.display;
        if (value === null) display = turkish.noAnswer;
        else if (step?.type === 'choice') display = step.choices?.find((c) => c.value === answer.value)?.label ?? display;
        else if (step?.type === 'photo') display = turkish.photoAdded;
        else if (step?.type === 'text' && typeof value === 'object' && value.kind === 'audio') display = turkish.voiceAdded;
        else if (step?.type === 'address' && typeof value === 'object' && value.map) display = turkish.format('pinDisplay', { map: value.map });
        return [slot, { ...answer, display }];
      }),
    );
  }

  /** What the form says, in the language of the turn. */
  private get say(): Texts {
    return this.language.languages?.[currentLanguage()]?.texts ?? this.language.texts;
  }

  override async beginDialog(dc: DialogContext, options: FormOptions = {}): Promise<DialogTurnResult> {
    const state: FormState = { slots: {}, history: [], correcting: false, fromFaq: options.fromFaq };
    dc.activeDialog!.state = state;
    this.notePin(dc, state);
    const tools = { neighbourhoods: this.services.neighbourhoods, vocabulary: this.vocabulary };
    Object.assign(state.slots, prefillSlots(this.spec, options, tools));
    // The reply to an offer answered nothing by itself (no place named in it): it may answer the first question.
    const answerUnused = options.answer !== undefined && Object.keys(prefillSlots(this.spec, { ...options, answer: undefined }, tools)).length === Object.keys(state.slots).length;
    if (this.spec.intro) await dc.context.sendActivity(this.fill(this.spec.intro, state));
    // Echo what was understood (not the story itself, which the citizen just wrote).
    const understood = this.spec.steps.filter((step) => step.slot in state.slots && step.type !== 'text');
    if (understood.length > 0 && this.spec.kind === 'form') {
      const fields = understood.map((step) => `${step.label}: ${state.slots[step.slot]!.display}`).join(' · ');
      await dc.context.sendActivity(this.say.format('understood', { fields }));
    }
    if (options.answer && answerUnused) await this.takeOfferedAnswer(state, options.answer);
    await this.reuseIdentity(dc, state);
    return this.askNext(dc, state);
  }

  /**
   * Who the citizen is (name, phone, TC kimlik), as their previous form in this conversation stored
   * it: filled, said once, and changeable at the summary with *Düzelt*.
   */
  private async reuseIdentity(dc: DialogContext, state: FormState): Promise<void> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!inbound || this.spec.kind !== 'form') return;
    const identity = this.spec.steps.filter((step) => IDENTITY_TYPES.has(step.type) && step.personal && !(step.slot in state.slots));
    if (identity.length === 0) return;
    const earlier = await this.services.earlierAnswers(inbound.contactId, dc.context.activity.conversation.id);
    const reused: StepSpec[] = [];
    for (const step of identity) {
      const value = earlier[step.slot];
      if (typeof value !== 'string' || !this.applies(step, state)) continue;
      const result = await validateStep(step, { text: value }, this.services, this.vocabulary, this.say);
      if (!result.ok) continue;
      state.slots[step.slot] = { value: result.value, display: maskPersonalData(result.display) };
      reused.push(step);
    }
    if (reused.length === 0) return;
    const fields = reused.map((step) => `${step.label}: ${state.slots[step.slot]!.display}`).join(' · ');
    await dc.context.sendActivity(this.say.format('reusedIdentity', { fields }));
  }

  /** The reply to an offer, as the answer to the first open question when that asks for a place. */
  private async takeOfferedAnswer(state: FormState, answer: string): Promise<void> {
    const step = this.nextStep(state);
    if (!step || step.personal || (step.type !== 'address' && step.type !== 'neighbourhood')) return;
    const result = await validateStep(step, { text: answer }, this.services, this.vocabulary, this.say);
    if (result.ok && judgeAnswer(step, answer, true, this.judgementContext(state, step)).kind === 'answer') this.store(state, step, result);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FormState;
    const text = (dc.context.activity.text ?? '').trim();

    if (this.vocabulary.isBack(text)) return this.goBack(dc, state);
    if (state.current === CONSENT) return this.answerConsent(dc, state, text);
    if (state.current === CONFIRM) return this.answerConfirmation(dc, state, text);
    if (state.current === PICK_FIELD) return this.answerFieldPick(dc, state, text);

    const step = this.spec.steps.find((s) => s.slot === state.current);
    if (!step) return this.askNext(dc, state);
    // A pin alone where the neighbourhood is asked: the nearest one is offered, if the centres know one.
    if (this.notePin(dc, state) && text === '' && step.type === 'neighbourhood' && this.neighbourhoodNear(state)) return this.ask(dc, state, step);

    if (state.suggestions) {
      const suggested = answerToSuggestions(text, state.suggestions, this.vocabulary);
      if (suggested && 'picked' in suggested) {
        const choice = step.choices?.find((c) => c.label === suggested.picked);
        return this.accept(dc, state, step, { value: choice?.value ?? suggested.picked, display: suggested.picked });
      }
      if (suggested && 'refused' in suggested) {
        state.suggestions = undefined;
        return this.ask(dc, state, step);
      }
      if (suggested && 'unclear' in suggested) {
        await dc.context.sendActivity(MessageFactory.suggestedActions(state.suggestions, this.say.pickOneSuggestion));
        return Dialog.EndOfTurn;
      }
    }

    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const result = await validateStep(step, { text, message: inbound?.message, contactId: inbound?.contactId }, this.services, this.vocabulary, this.say);
    const judgement = judgeAnswer(step, text, result.ok, this.judgementContext(state, step));
    switch (judgement.kind) {
      case 'correction':
        return this.correct(dc, state, judgement.step, judgement.value);
      case 'faq':
        await dc.context.sendActivity(judgement.answer);
        await dc.context.sendActivity(this.say.resume);
        return this.ask(dc, state, step);
      case 'question':
        await dc.context.sendActivity(this.say.unknownQuestion);
        return this.ask(dc, state, step);
      case 'request':
        return this.otherRequest(dc, state, step, judgement.intent, text);
      case 'answer':
        break;
    }
    if (result.ok) return this.accept(dc, state, step, { value: result.value, display: result.display });
    state.suggestions = result.suggestions;
    await dc.context.sendActivity(MessageFactory.suggestedActions(result.suggestions ?? [], this.say.problem(result.problem)));
    if (result.suggestions) return Dialog.EndOfTurn;
    return this.ask(dc, state, step);
  }

  override async repromptDialog(context: DialogContext['context'], instance: { state: FormState }): Promise<void> {
    const state = instance.state;
    if (state.current === CONSENT) return void (await context.sendActivity(this.consentPrompt()));
    if (state.current === CONFIRM) return void (await context.sendActivity(this.confirmationPrompt(state)));
    if (state.current === PICK_FIELD) return void (await context.sendActivity(this.fieldPrompt(state)));
    const step = this.spec.steps.find((s) => s.slot === state.current);
    if (step) await context.sendActivity(this.promptFor(step, state));
  }

  /** Keeps a pin the turn's message carries; true when there was one. */
  private notePin(dc: DialogContext, state: FormState): boolean {
    const pin = (dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined)?.message.location;
    if (!pin) return false;
    state.pin = { latitude: pin.latitude, longitude: pin.longitude };
    state.pinOffered = undefined;
    return true;
  }

  /** The neighbourhood to offer for the form's pin: the nearest centre, once per pin. */
  private neighbourhoodNear(state: FormState): string | undefined {
    if (!state.pin || state.pinOffered) return undefined;
    return this.services.centres.nearest(state.pin);
  }

  private judgementContext(state: FormState, current: StepSpec): JudgementContext {
    return {
      vocabulary: this.vocabulary,
      understand: (text) => this.services.understand(text),
      faqAnswer: (intent) => (intent === state.fromFaq ? undefined : this.services.answer(intent)),
      requestIntents: new Set(this.requestTitles.keys()),
      currentIntent: this.spec.intent,
      answered: this.answered(state).filter((step) => step.slot !== current.slot),
    };
  }

  private store(state: FormState, step: StepSpec, value: SlotValue): void {
    state.slots[step.slot] = { value: value.value, display: maskPersonalData(value.display) };
    state.history.push(step.slot);
    state.suggestions = undefined;
  }

  private async accept(dc: DialogContext, state: FormState, step: StepSpec, value: SlotValue): Promise<DialogTurnResult> {
    this.store(state, step, value);
    if (state.correcting) return this.confirm(dc, state);
    return this.askNext(dc, state);
  }

  /** Another request in the middle: a person now; anything else once this form is done. */
  private async otherRequest(dc: DialogContext, state: FormState, step: StepSpec, intent: string, text: string): Promise<DialogTurnResult> {
    if (intent === HANDOFF_INTENT) return dc.endDialog({ handoff: true } satisfies DialogOutcome);
    state.deferred = { intent, text };
    await dc.context.sendActivity(this.say.format('requestLater', { request: this.requestTitles.get(intent) ?? intent }));
    return this.ask(dc, state, step);
  }

  /** "pardon mahalle yanlış, Erzene olacak": the named answer replaced, or asked again. */
  private async correct(dc: DialogContext, state: FormState, step: StepSpec, value: string): Promise<DialogTurnResult> {
    const returnTo = state.current;
    if (value) {
      const result = await validateStep(step, { text: value }, this.services, this.vocabulary, this.say);
      if (result.ok) {
        this.forget(state, step.slot);
        this.store(state, step, { value: result.value, display: result.display });
        await dc.context.sendActivity(this.say.format('corrected', { field: step.label, value: state.slots[step.slot]!.display }));
        if (returnTo === CONFIRM || returnTo === PICK_FIELD) return this.confirm(dc, state);
        return this.askNext(dc, state);
      }
    }
    this.forget(state, step.slot);
    if (returnTo === CONFIRM || returnTo === PICK_FIELD) state.correcting = true;
    return this.ask(dc, state, step);
  }

  /** Drops an answer and the answers that depended on it (a `when` step). */
  private forget(state: FormState, slot: string): void {
    delete state.slots[slot];
    state.history = state.history.filter((s) => s !== slot);
    for (const step of this.spec.steps) if (step.when?.slot === slot) delete state.slots[step.slot];
    state.suggestions = undefined;
  }

  private nextStep(state: FormState): StepSpec | undefined {
    return this.spec.steps.find((step) => !(step.slot in state.slots) && this.applies(step, state));
  }

  /** The next unanswered step that applies; consent first if it asks for personal data. */
  private async askNext(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const next = this.nextStep(state);
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
    const near = step.type === 'neighbourhood' ? this.neighbourhoodNear(state) : undefined;
    if (near) {
      // Answered like a "did you mean": yes takes it, no (or a name typed instead) asks as usual.
      state.pinOffered = near;
      state.suggestions = [near];
      await dc.context.sendActivity(MessageFactory.suggestedActions([this.say.yesButton, this.say.noButton], this.say.format('neighbourhoodFromPin', { neighbourhood: near })));
      return Dialog.EndOfTurn;
    }
    await dc.context.sendActivity(this.promptFor(step, state));
    return Dialog.EndOfTurn;
  }

  private promptFor(step: StepSpec, state: FormState) {
    const text = this.fill(step.prompt, state);
    const choices =
      step.type === 'choice' ? step.choices!.map((c) => c.label)
      : step.type === 'photo' && step.optional ? [this.say.skipPhotoButton]
      : step.type === 'ticket_lookup' ? [this.say.myTicketsButton]
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
      await dc.context.sendActivity(this.say.firstQuestion);
      return this.repromptCurrent(dc, state);
    }
    // Answers that depended on the one being undone (a `when` step) are undone with it.
    this.forget(state, previous);
    state.correcting = false;
    return this.ask(dc, state, this.spec.steps.find((s) => s.slot === previous)!);
  }

  private async repromptCurrent(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    await this.repromptDialog(dc.context, { state });
    return Dialog.EndOfTurn;
  }

  private consentButtons(): Button[] {
    return [
      { label: this.say.consentButton, meaning: 'yes' },
      { label: this.say.noButton, meaning: 'no' },
    ];
  }

  private consentPrompt() {
    return MessageFactory.suggestedActions(this.consentButtons().map((b) => b.label), this.say.consent);
  }

  private async answerConsent(dc: DialogContext, state: FormState, text: string): Promise<DialogTurnResult> {
    const meaning = this.vocabulary.meaning(text, this.consentButtons());
    if (meaning !== 'yes' && meaning !== 'no') {
      const faq = this.services.faqAnswerFor(text);
      await dc.context.sendActivity(faq ?? this.say.consentAgain);
      return this.repromptCurrent(dc, state);
    }
    if (meaning === 'no') {
      await dc.context.sendActivity(this.say.consentDeclined);
      return dc.endDialog();
    }
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (inbound) await this.services.recordConsent(inbound.contactId);
    await dc.context.sendActivity(this.say.consentThanks);
    state.current = undefined;
    return this.askNext(dc, state);
  }

  private answered(state: FormState): StepSpec[] {
    return this.spec.steps.filter((step) => step.slot in state.slots);
  }

  private confirmButtons(): Button[] {
    return [
      { label: this.say.sendButton, meaning: 'yes' },
      { label: this.say.editButton, meaning: 'no' },
    ];
  }

  /** The answers as bullets, not numbers: numbers would compete with the buttons' own. */
  private confirmationPrompt(state: FormState) {
    const lines = this.answered(state).map((step) => `• ${step.label}: ${state.slots[step.slot]!.display}`);
    const prompt = this.spec.confirm ? this.fill(this.spec.confirm.prompt, state) : this.say.confirmAgain;
    const text = `${this.say.format('summaryTitle', { title: this.spec.title })}\n${lines.join('\n')}\n\n${prompt}`;
    return MessageFactory.suggestedActions(this.confirmButtons().map((b) => b.label), text);
  }

  private async confirm(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    state.correcting = false;
    if (!this.spec.confirm) return this.submit(dc, state);
    state.current = CONFIRM;
    await dc.context.sendActivity(this.confirmationPrompt(state));
    return Dialog.EndOfTurn;
  }

  private async answerConfirmation(dc: DialogContext, state: FormState, text: string): Promise<DialogTurnResult> {
    const meaning = this.vocabulary.meaning(text, this.confirmButtons());
    if (meaning === 'yes') return this.submit(dc, state);
    if (meaning === 'no') return this.pickField(dc, state);
    const correction = findCorrection(text, { vocabulary: this.vocabulary, answered: this.answered(state) });
    if (correction?.kind === 'correction') return this.correct(dc, state, correction.step, correction.value);
    const faq = this.services.faqAnswerFor(text);
    await dc.context.sendActivity(faq ?? this.say.confirmAgain);
    return this.repromptCurrent(dc, state);
  }

  private fieldPrompt(state: FormState) {
    return MessageFactory.suggestedActions(this.answered(state).map((step) => step.label), this.say.whichField);
  }

  private async pickField(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    state.current = PICK_FIELD;
    await dc.context.sendActivity(this.fieldPrompt(state));
    return Dialog.EndOfTurn;
  }

  /** After "Düzelt": a field's number, its label, or a word naming it ("telefon"). */
  private async answerFieldPick(dc: DialogContext, state: FormState, text: string): Promise<DialogTurnResult> {
    const fields = this.answered(state);
    const number = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
    const step = number ? fields[Number(number[1]) - 1] : (fields.find((f) => fold(f.label) === fold(text)) ?? namedStep(text, fields));
    if (step) {
      this.forget(state, step.slot);
      state.correcting = true;
      return this.ask(dc, state, step);
    }
    if (this.vocabulary.meaning(text) === 'yes') return this.confirm(dc, state);
    await dc.context.sendActivity(this.say.format('noSuchField', { count: fields.length }));
    return this.repromptCurrent(dc, state);
  }

  private async submit(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    if (!inbound) throw new Error('A form can only be submitted in a citizen turn');
    const created = await this.services.createTicket(this.base, this.ticketSlots(state.slots), inbound.contactId, dc.context.activity.conversation.id, state.pin);
    const extra = { number: created.number, department: created.department, due: created.due };
    const done = this.fill(this.spec.done!, state, extra);
    // The notes of the chosen options (documents to prepare…) in the citizen's language.
    const info = formTicket(this.spec, state.slots, 1).info;
    await dc.context.sendActivity([done, ...info.map((line) => this.fill(line, state, extra))].join('\n\n'));
    return dc.endDialog({
      ticketNumber: created.number,
      needsPerson: created.needsPerson,
      department: created.department,
      deferred: this.deferred(state),
    } satisfies DialogOutcome);
  }

  private deferred(state: FormState): DialogOutcome['deferred'] {
    if (!state.deferred) return undefined;
    return { ...state.deferred, title: this.requestTitles.get(state.deferred.intent) ?? state.deferred.intent };
  }

  private async finishStatus(dc: DialogContext, state: FormState): Promise<DialogTurnResult> {
    const inbound = dc.context.turnState.get(INBOUND_KEY) as InboundContext | undefined;
    const wanted = state.slots[this.spec.steps[0]!.slot]?.value;
    const reply = inbound ? await this.services.describeTickets(inbound.contactId, typeof wanted === 'string' ? wanted : 'all', this.say) : this.say.ticketLost;
    await dc.context.sendActivity(reply);
    return dc.endDialog({ deferred: this.deferred(state) } satisfies DialogOutcome);
  }

  private fill(text: string, state: FormState, extra: Record<string, string> = {}): string {
    const answers = Object.fromEntries(Object.entries(state.slots).map(([slot, value]) => [slot, value.display]));
    return fillTemplate(text, extra, { title: this.spec.title }, answers, this.services.valuesIn(currentLanguage()));
  }
}
