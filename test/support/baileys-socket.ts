// A stand-in for a Baileys socket: it emits what WhatsApp would through Baileys' own event buffer
// (`proto.WebMessageInfo` messages, connection updates) and records what the channel asks of it.
import { makeEventBuffer, proto, type UserFacingSocketConfig, type WAMessage, type WAMessageKey, type WAPresence } from '@whiskeysockets/baileys';
import pino from 'pino';

const silent = pino({ level: 'silent' });

/** Plays a Baileys socket: emits what WhatsApp would, records what the channel asks of it. */
export class FakeSocket {
  readonly ev = makeEventBuffer(silent);
  readonly sent: { jid: string; text: string }[] = [];
  readonly reads: WAMessageKey[][] = [];
  readonly presence: { type: WAPresence; jid?: string }[] = [];
  ended = false;
  signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } };
  constructor(readonly config: UserFacingSocketConfig) {}

  async sendMessage(jid: string, content: { text: string }) {
    this.sent.push({ jid, text: content.text });
    return undefined;
  }
  async readMessages(keys: WAMessageKey[]) {
    this.reads.push(keys);
  }
  async sendPresenceUpdate(type: WAPresence, jid?: string) {
    this.presence.push({ type, jid });
  }
  end() {
    this.ended = true;
  }

  open() {
    this.ev.emit('connection.update', { connection: 'open' });
  }
  showQr(qr: string) {
    this.ev.emit('connection.update', { connection: 'connecting', qr });
  }
  /** Closes as Baileys does: the reason in a Boom error's output.statusCode. */
  close(statusCode: number) {
    const error = Object.assign(new Error('Connection Failure'), { isBoom: true, output: { statusCode, payload: {} } });
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }
  deliver(...messages: WAMessage[]) {
    this.ev.emit('messages.upsert', { messages, type: 'notify' });
  }
  textsTo(jid: string): string[] {
    return this.sent.filter((m) => m.jid === jid).map((m) => m.text);
  }
}

let counter = 0;
export function waMessage(remoteJid: string, message: Record<string, unknown>, extra: { id?: string; fromMe?: boolean; participant?: string; remoteJidAlt?: string } = {}): WAMessage {
  const built = proto.WebMessageInfo.fromObject({
    key: { remoteJid, fromMe: extra.fromMe ?? false, id: extra.id ?? `3EB0${(++counter).toString(16).padStart(8, '0').toUpperCase()}`, participant: extra.participant },
    message,
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: 'Ayşe',
  }) as WAMessage;
  // Baileys adds the chat's other id to the key itself (it is not part of the protobuf).
  if (extra.remoteJidAlt) built.key.remoteJidAlt = extra.remoteJidAlt;
  return built;
}
