// Words that work at any point of a conversation, whatever the bot was asking.
import { fold } from '../nlu/normalize.ts';

export type GlobalCommand = 'menu' | 'help' | 'cancel' | 'restart' | 'agent' | 'erase';

const COMMANDS: Record<string, GlobalCommand> = {
  menu: 'menu',
  'ana menu': 'menu',
  yardim: 'help',
  iptal: 'cancel',
  vazgec: 'cancel',
  vazgectim: 'cancel',
  'basa don': 'restart',
  basadon: 'restart',
  bastan: 'restart',
  'bastan basla': 'restart',
  temsilci: 'agent',
  operator: 'agent',
  // KVKK: the right to have one's personal data erased.
  'verilerimi sil': 'erase',
  'verilerimi silin': 'erase',
  'kisisel verilerimi sil': 'erase',
  'kisisel verilerimi silin': 'erase',
  'bilgilerimi sil': 'erase',
  'bilgilerimi silin': 'erase',
  'kvkk silme': 'erase',
  // English and Arabic (folded: ة as ه, hamza forms as the bare letter).
  'main menu': 'menu',
  help: 'help',
  cancel: 'cancel',
  'start over': 'restart',
  restart: 'restart',
  agent: 'agent',
  'delete my data': 'erase',
  'القايمه': 'menu',
  'قايمه': 'menu',
  'المساعده في الاستخدام': 'help',
  'الغاء': 'cancel',
  'من جديد': 'restart',
  'موظف': 'agent',
  'احذف بياناتي': 'erase',
  'امسح بياناتي': 'erase',
};

/** The command a whole message stands for ("Menü", "MENU!", "başa dön"), or undefined. */
export function globalCommand(text: string): GlobalCommand | undefined {
  return COMMANDS[fold(text)];
}
