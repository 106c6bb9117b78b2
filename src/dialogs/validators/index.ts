export { fail, ok, type Problem, type Validation } from './validation.ts';
export { maskTcKimlik, tcKimlikChecksumOk, validateTcKimlik } from './tc-kimlik.ts';
export { maskPhone, validatePhone } from './phone.ts';
export { NeighbourhoodMatcher } from './neighbourhood.ts';
export { findChoiceInText, matchChoice, type ChoiceOption } from './choice.ts';
export { titleCaseTr, validateName, validateText, type TextLimits } from './text.ts';
export { validateCount, type CountRange } from './number.ts';
export { findTicketNumber } from './ticket-number.ts';
