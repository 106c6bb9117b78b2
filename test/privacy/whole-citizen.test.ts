// KVKK, the whole citizen: one person (Ayten Şen) writes on every channel (web chat over HTTP,
// Telegram and WhatsApp Cloud through their local stand-ins, Bot Framework, WhatsApp through
// Baileys with its socket stand-in) and on each files a complaint with a photo, an aid request
// with their TC number, an appointment, talks to an agent (who replies, writes a note and resolves
// the case), rates it with a comment, and then says "verilerimi sil" in a different mode on each
// channel (assistant, mid-dialog, waiting for an agent, with an agent). The database is then read
// directly, table by table and column by column: every column the inventory (src/privacy/
// inventory.ts) says is erased is erased, and no text column of any table still holds their TC
// number, phone, name, address, platform ids or what they wrote. Another citizen's rows stay
// exactly as they were.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWhatsAppBaileys, type WhatsAppBaileysChannel } from '../../src/channels/whatsapp-baileys/index.ts';
import type { Cozum } from '../../src/main.ts';
import { renderChoicesAsText } from '../../src/messaging/message.ts';
import { ERASED_TEXT, INVENTORY, OTHER_TABLES, STRUCTURED_KEY, type Decision } from '../../src/privacy/inventory.ts';
import { CREDS_KEY, KEYS_PREFIX, keyOf } from '../../src/storage/state-keys.ts';
import { FakeSocket, waMessage } from '../support/baileys-socket.ts';
import { ConnectorStandIn } from '../support/bot-connector.ts';
import { ConsoleClient, createAgent } from '../console/support.ts';
import { startTestCozum, tempDir } from '../support/cozum.ts';
import { ACCESS_TOKEN, APP_SECRET, GraphStandIn, PHONE_NUMBER_ID, sign, VERIFY_TOKEN, visible as graphVisible, webhookBody } from '../support/graph-api.ts';
import { BotApiStandIn, TelegramCitizen, TOKEN, visible as telegramVisible } from '../support/telegram-api.ts';

const WAIT_MS = 20_000;

/** What Ayten Şen gives, writes and is given, on every channel: none of it may remain. */
const AYTEN = {
  name: 'Ayten Şen',
  tc: '10000000146',
  phone: '0532 123 45 67',
  waId: '905321234567',
  lid: '98765432101234',
  neighbourhood: 'Erzene',
  address: 'Erzene mah. 7. sokak no 9 daire 4',
  household: '3',
  pin: { latitude: 38.462217, longitude: 27.219733 },
  description: 'Lamba üç gündür yanmıyor, çocuklar akşam karanlıkta eve dönüyor.',
  situation: 'Eşim vefat etti, düzenli bir gelirim yok.',
  subject: 'Komşumun ağacı evimin duvarına zarar veriyor',
  whileWaiting: 'TC kimlik numaram 10000000146, telefonum 0532 123 45 67, acele edin lütfen',
  agentReply: 'Merhaba Ayten Hanım, başvurunuzu inceliyorum.',
  agentNote: 'Ayten Şen aradı, 0532 123 45 67; kapısı yeşil olan ev.',
  resolution: 'Ayten Hanım bilgilendirildi, ekip lambayı değiştirdi.',
  comment: 'Selin Hanım çok ilgiliydi, Ayten Şen olarak teşekkür ederim',
};

/** Someone else, on some of the same channels: nothing of theirs may change. */
const MEHMET = {
  name: 'Mehmet Öz',
  tc: '23456789060',
  phone: '0532 123 45 68',
  waId: '905321234568',
  lid: `1${AYTEN.lid}`,
  neighbourhood: 'Kazımdirik',
  address: 'Kazımdirik mah. 370/2 sokak no 8',
  household: '4',
  situation: 'İki küçük çocuğum var, eşim işsiz.',
};

/** Looks for a term in a stored value: digit runs bounded (another number may contain it), phone numbers in any written form. */
function finder(term: string): (value: string) => boolean {
  if (/^0?5\d{2} ?\d{3} ?\d{2} ?\d{2}$/.test(term)) {
    const national = term.replace(/\D/g, '').replace(/^0/, '');
    const pattern = new RegExp(`(?<!\\d)(?:\\+?90|0)?${national}(?!\\d)`);
    return (value) => pattern.test(value.replace(/(?<=\d)[\s\-().]+(?=\d)/g, ''));
  }
  if (/^\d+(\.\d+)?$/.test(term)) {
    const pattern = new RegExp(`(?<![\\d.])${term.replace('.', '\\.')}(?!\\d)`);
    return (value) => pattern.test(value);
  }
  return (value) => value.includes(term);
}

type Row = Record<string, unknown>;

/** A message sent by the citizen: text, or something only some platforms carry. */
type Said = string | { photo: true } | { pin: true };

/** One identity of Ayten on one platform. */
interface Chat {
  /** Contact.channel */
  readonly channel: string;
  /** Sends a message and resolves with what the citizen sees, up to a reply matching `until`. */
  say(message: Said, until: RegExp): Promise<string>;
  /** Sends a message nobody answers at once (an agent holds or will hold the conversation). */
  tell(text: string): Promise<void>;
  /** Waits for a message the citizen gets without writing (from an agent or the system). */
  receive(until: RegExp): Promise<string>;
  /** Ids the platform uses for them or their messages and files, as they may be stored. */
  readonly platformIds: string[];
}

function matching(texts: string[], until: RegExp, what: string): string {
  const index = texts.findIndex((text) => until.test(text));
  if (index < 0) throw new Error(`${what}: no reply matching ${until} in:\n${texts.join('\n---\n')}`);
  return texts.slice(0, index + 1).join('\n---\n');
}

const temp = tempDir();
const telegramApi = new BotApiStandIn();
const graph = new GraphStandIn();
const connector = new ConnectorStandIn();
const sockets: FakeSocket[] = [];
const socket = () => sockets[sockets.length - 1]!;
let cozum: Cozum;
let baileys: WhatsAppBaileysChannel;
let agent: ConsoleClient;
let sqlite: BetterSqlite3.Database;

class WebChat implements Chat {
  readonly channel = 'webchat';
  readonly platformIds: string[] = [];
  token = '';
  private counter = 0;
  private lastSeen = '';

  async open(): Promise<this> {
    const response = await fetch(`${cozum.url}/api/chat/session`, { method: 'POST' });
    this.token = ((await response.json()) as { token: string }).token;
    this.platformIds.push(this.token, createHash('sha256').update(this.token).digest('hex').slice(0, 32));
    return this;
  }

  private post(text: string) {
    return fetch(`${cozum.url}/api/chat/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Chat-Session': this.token },
      body: JSON.stringify({ text, id: `webchat-ayten-${++this.counter}` }),
    });
  }

  async say(message: Said, until: RegExp): Promise<string> {
    // The web chat carries text only: no photo, no pin.
    const text = typeof message === 'string' ? message : 'photo' in message ? 'geç' : AYTEN.address;
    const response = await this.post(text);
    expect(response.status).toBe(200);
    const { replies } = (await response.json()) as { replies: { text: string; choices: string[] }[] };
    await this.history();
    return matching(replies.map(renderChoicesAsText), until, `web chat "${text}"`);
  }

  async tell(text: string): Promise<void> {
    expect((await this.post(text)).status).toBe(200);
    await this.history();
  }

  private async history(): Promise<{ id: string; from: string; text: string }[]> {
    const response = await fetch(`${cozum.url}/api/chat/messages${this.lastSeen ? `?after=${this.lastSeen}` : ''}`, { headers: { 'X-Chat-Session': this.token } });
    // After the erasure the session went with the contact: the old token opens nothing.
    if (response.status === 401) return [];
    const { messages } = (await response.json()) as { messages: { id: string; from: string; text: string }[] };
    if (messages.length > 0) this.lastSeen = messages.at(-1)!.id;
    return messages;
  }

  async receive(until: RegExp): Promise<string> {
    // What an agent wrote is in the conversation once their console call returned: the page's poll shows it.
    const messages = await this.history();
    return matching(messages.filter((m) => m.from !== 'citizen').map((m) => m.text), until, 'web chat history');
  }
}

class TelegramChat implements Chat {
  readonly channel = 'telegram';
  private readonly citizen: TelegramCitizen;
  readonly platformIds: string[];
  constructor(readonly chatId: number, firstName: string, lastName: string) {
    this.citizen = new TelegramCitizen(telegramApi, chatId, firstName, lastName);
    this.platformIds = [String(chatId), `AgACAgQ-${chatId}-lamba`];
  }

  async say(message: Said, until: RegExp): Promise<string> {
    const content =
      typeof message === 'string' ? message
      : 'photo' in message ? { photo: [{ file_id: `AgACAgQ-${this.chatId}-lamba`, file_unique_id: `u-${this.chatId}`, width: 1280, height: 960, file_size: 180_000 }] }
      : { location: AYTEN.pin };
    return telegramVisible(await this.citizen.says(content, until));
  }

  async tell(text: string): Promise<void> {
    telegramApi.push({ message: this.citizen.message({ text }) });
  }

  async receive(until: RegExp): Promise<string> {
    return telegramVisible(await this.citizen.reply(until));
  }
}

class WhatsAppCloudChat implements Chat {
  readonly channel = 'whatsapp-cloud';
  readonly platformIds: string[];
  private counter = 0;
  private seen = 0;
  constructor(readonly waId: string, readonly name: string) {
    this.platformIds = [waId, `wamid.IN.${waId}`, `14795371396${waId.slice(-5)}`];
  }

  private async post(content: Record<string, unknown>): Promise<void> {
    const message = { from: this.waId, id: `wamid.IN.${this.waId}.${++this.counter}`, timestamp: String(Math.floor(Date.now() / 1000)), ...content };
    const raw = JSON.stringify(webhookBody({ contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [message] }));
    const response = await fetch(`${cozum.url}/whatsapp/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) }, body: raw });
    expect(response.status).toBe(200);
  }

  async say(message: Said, until: RegExp): Promise<string> {
    await this.post(
      typeof message === 'string' ? { type: 'text', text: { body: message } }
      : 'photo' in message ? { type: 'image', image: { id: this.platformIds[2], mime_type: 'image/jpeg', sha256: 'abc' } }
      : { type: 'location', location: { ...AYTEN.pin, name: 'Ev' } },
    );
    return this.receive(until);
  }

  async tell(text: string): Promise<void> {
    await this.post({ type: 'text', text: { body: text } });
  }

  async receive(until: RegExp): Promise<string> {
    const { texts, index } = await graph.waitFor(() => {
      const sent = graph.sent(this.waId);
      for (let index = this.seen; index < sent.length; index++) if (until.test(graphVisible(sent[index]!))) return { texts: sent.slice(this.seen, index + 1).map(graphVisible), index };
      return undefined;
    }, `a message to ${this.waId} matching ${until}`);
    this.seen = index + 1;
    return texts.join('\n---\n');
  }
}

class BotFrameworkChat implements Chat {
  readonly channel = 'botframework:emulator';
  readonly platformIds: string[];
  private counter = 0;
  private seen = 0;
  constructor(readonly userId: string, readonly conversationId: string) {
    this.platformIds = [userId, conversationId, `lamba-${userId}.jpg`];
  }

  private async post(text: string, extra: Partial<Activity> = {}): Promise<void> {
    const activity: Partial<Activity> = {
      type: 'message',
      id: `act-${this.userId}-${++this.counter}`,
      channelId: 'emulator',
      serviceUrl: connector.url,
      from: { id: this.userId, name: AYTEN.name },
      recipient: { id: 'cozum-bot', name: 'Çözüm' },
      conversation: { id: this.conversationId } as Activity['conversation'],
      text,
      locale: 'tr-TR',
      ...extra,
    };
    const response = await fetch(`${cozum.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
    expect(response.status).toBe(200);
  }

  async say(message: Said, until: RegExp): Promise<string> {
    if (typeof message === 'string') await this.post(message);
    else if ('photo' in message) await this.post('', { attachments: [{ contentType: 'image/jpeg', contentUrl: `https://files.example.org/${this.platformIds[2]}` }] });
    else await this.post(AYTEN.address);
    return this.receive(until);
  }

  async tell(text: string): Promise<void> {
    await this.post(text);
  }

  async receive(until: RegExp): Promise<string> {
    // Replies to a message are posted before /api/messages answers; an agent's come a moment later.
    let found: { texts: string[]; index: number } | undefined;
    await vi.waitFor(
      () => {
        const posted = connector.messages(this.conversationId).map((post) => post.body.text ?? '');
        const index = posted.findIndex((text, i) => i >= this.seen && until.test(text));
        if (index < 0) throw new Error(`no message to ${this.conversationId} matching ${until}:\n${posted.slice(this.seen).join('\n---\n')}`);
        found = { texts: posted.slice(this.seen, index + 1), index };
      },
      { timeout: WAIT_MS, interval: 20 },
    );
    this.seen = found!.index + 1;
    return found!.texts.join('\n---\n');
  }
}

class BaileysChat implements Chat {
  readonly channel = 'whatsapp-baileys';
  readonly platformIds: string[];
  private readonly jid: string;
  private counter = 0;
  private seen = 0;
  constructor(readonly phone: string, readonly lid: string, readonly pushName: string) {
    this.jid = `${phone}@s.whatsapp.net`;
    this.platformIds = [phone, lid, `BAE5${lid}`];
  }

  /** What Baileys itself keeps about a person it exchanges messages with, through the store the channel gave it. */
  async knownToBaileys(): Promise<void> {
    const keys = socket().config.auth!.keys;
    await keys.set({
      session: { [`${this.phone}.0`]: Buffer.from(`session-${this.phone}`), [`${this.lid}_1.0`]: Buffer.from(`session-${this.lid}`) },
      'identity-key': { [`${this.phone}.0`]: Buffer.from(`identity-${this.phone}`) },
      'device-list': { [this.phone]: ['0'], [this.lid]: ['0'] },
      'lid-mapping': { [this.phone]: this.lid, [`${this.lid}_reverse`]: this.phone },
      tctoken: { [`${this.lid}@lid`]: { token: Buffer.from(`tc-${this.lid}`), timestamp: '1764600000' } },
    });
  }

  private async deliver(message: Record<string, unknown>): Promise<void> {
    const built = waMessage(this.jid, message, { id: `BAE5${this.lid}${++this.counter}`, remoteJidAlt: `${this.lid}@lid` });
    built.pushName = this.pushName;
    socket().deliver(built);
    await baileys.whenIdle();
  }

  async say(message: Said, until: RegExp): Promise<string> {
    await this.deliver(
      typeof message === 'string' ? { conversation: message }
      : 'photo' in message ? { imageMessage: { mimetype: 'image/jpeg', caption: '' } }
      : { locationMessage: { degreesLatitude: AYTEN.pin.latitude, degreesLongitude: AYTEN.pin.longitude } },
    );
    return this.receive(until);
  }

  async tell(text: string): Promise<void> {
    await this.deliver({ conversation: text });
  }

  async receive(until: RegExp): Promise<string> {
    let found: { texts: string[]; index: number } | undefined;
    await vi.waitFor(
      () => {
        const sent = sockets.flatMap((s) => s.textsTo(this.jid));
        const index = sent.findIndex((text, i) => i >= this.seen && until.test(text));
        if (index < 0) throw new Error(`no WhatsApp message to ${this.jid} matching ${until}:\n${sent.slice(this.seen).join('\n---\n')}`);
        found = { texts: sent.slice(this.seen, index + 1), index };
      },
      { timeout: WAIT_MS, interval: 20 },
    );
    this.seen = found!.index + 1;
    return found!.texts.join('\n---\n');
  }
}

beforeAll(async () => {
  await Promise.all([telegramApi.start(), graph.start(), connector.start()]);
  cozum = await startTestCozum(temp.dir, {
    http: true,
    overrides: {
      'channels.telegram.token': TOKEN,
      'channels.telegram.apiRoot': telegramApi.url,
      'channels.whatsappCloud.accessToken': ACCESS_TOKEN,
      'channels.whatsappCloud.phoneNumberId': PHONE_NUMBER_ID,
      'channels.whatsappCloud.appSecret': APP_SECRET,
      'channels.whatsappCloud.verifyToken': VERIFY_TOKEN,
      'channels.whatsappCloud.graphApiBase': graph.url,
      // No Microsoft credentials in a test: the Bot Framework channel speaks to the local connector as to the Emulator.
      'channels.botFramework.emulator': true,
    },
  });
  const config = { ...cozum.config, channels: { ...cozum.config.channels, whatsappBaileys: { enabled: true } } };
  baileys = createWhatsAppBaileys(
    { config, adapter: cozum.adapter, store: cozum.adapter.store, db: cozum.db, logger: cozum.logger },
    {
      socketFactory: (socketConfig) => {
        const fake = new FakeSocket(socketConfig);
        sockets.push(fake);
        return fake;
      },
      printQr: () => undefined,
      backoff: { initialMs: 1, maxMs: 4 },
    },
  ) as WhatsAppBaileysChannel;
  await baileys.start();
  socket().open();
  // The linked device's own credentials and keys: the municipality's, kept by every erasure.
  socket().ev.emit('creds.update', {});
  await socket().config.auth!.keys.set({ 'pre-key': { '1': { public: Buffer.from('p'.repeat(32)), private: Buffer.from('q'.repeat(32)) } } });
  await createAgent(cozum.db, 'selin', 'Selin Kaya', 'agent', 'Çözüm Merkezi');
  agent = await ConsoleClient.loggedIn(cozum, 'selin');
  sqlite = new BetterSqlite3(path.join(cozum.config.dataDir, 'cozum.db'), { readonly: true });
}, 60_000);

afterAll(async () => {
  sqlite?.close();
  await baileys?.stop();
  await cozum?.close();
  await Promise.all([telegramApi.close(), graph.close(), connector.close()]);
  temp.remove();
});

/** Every row of every table, read straight from the SQLite file. */
function allRows(): Map<string, Row[]> {
  const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  return new Map(tables.map((table) => [table, sqlite.prepare(`SELECT * FROM "${table}"`).all() as Row[]]));
}

/** Where any of `terms` is still stored: "table.column: term" for each finding. */
function findings(terms: string[], rows = allRows()): string[] {
  const finders = terms.map((term) => ({ term, found: finder(term) }));
  const found: string[] = [];
  for (const [table, list] of rows) {
    for (const row of list) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
        for (const { term, found: has } of finders) if (has(text)) found.push(`${table}.${column} (${String(row.id ?? row.key ?? '')}): ${term}`);
      }
    }
  }
  return [...new Set(found)];
}

/** The rows of one contact, table by table, as the inventory names them. */
function rowsOf(contactId: string) {
  const contact = sqlite.prepare('SELECT * FROM "Contact" WHERE "id" = ?').get(contactId) as Row;
  const conversations = sqlite.prepare('SELECT * FROM "Conversation" WHERE "contactId" = ?').all(contactId) as Row[];
  const conversationIds = conversations.map((c) => String(c.id));
  const inList = (ids: string[]) => (ids.length ? ids.map(() => '?').join(',') : "''");
  const messages = sqlite.prepare(`SELECT * FROM "Message" WHERE "conversationId" IN (${inList(conversationIds)})`).all(...conversationIds) as Row[];
  const tickets = sqlite.prepare('SELECT * FROM "Ticket" WHERE "contactId" = ?').all(contactId) as Row[];
  const ticketIds = tickets.map((t) => String(t.id));
  const events = sqlite.prepare(`SELECT * FROM "TicketEvent" WHERE "ticketId" IN (${inList(ticketIds)})`).all(...ticketIds) as Row[];
  const states = (sqlite.prepare('SELECT * FROM "StateEntry"').all() as Row[]).filter((row) => conversations.some((c) => String(row.key).startsWith(`${String(c.channel)}/conversations/${String(c.id)}/`)));
  return { Contact: [contact], Conversation: conversations, Message: messages, Ticket: tickets, TicketEvent: events, StateEntry: states };
}

/** Baileys' rows about a WhatsApp user (by number or lid, bounded: another user's id may contain it). */
function baileysRowsNaming(...users: string[]): string[] {
  const keys = (sqlite.prepare('SELECT "key" FROM "StateEntry" WHERE "key" LIKE ?').all(`${KEYS_PREFIX}%`) as { key: string }[]).map((row) => row.key);
  return keys.filter((key) => users.some((user) => new RegExp(`(^|\\D)${user}(\\D|$)`).test(key.split('/').slice(3).join('/'))));
}

function contactIdOf(chat: Chat, platformUserId: string): string {
  const row = sqlite.prepare('SELECT "id" FROM "Contact" WHERE "channel" = ? AND "platformUserId" = ?').get(chat.channel, platformUserId) as { id: string } | undefined;
  if (!row) throw new Error(`no contact ${chat.channel}/${platformUserId}`);
  return row.id;
}

/** Each column of the contact's rows holds what the inventory says erasure leaves there. */
function expectErasedAsInventoried(contactId: string): void {
  const rows = rowsOf(contactId);
  const problems: string[] = [];
  const check = (model: 'Contact' | 'Conversation' | 'Message' | 'Ticket' | 'TicketEvent', list: Row[]) => {
    const columns = INVENTORY[model].columns as Record<string, Decision>;
    for (const row of list) {
      for (const [column, decision] of Object.entries(columns)) {
        const value = row[column];
        const where = `${model}.${column} (${String(row.id)})`;
        if ('overwrite' in decision && !(decision.unlessEmpty && value === '') && value !== decision.overwrite) problems.push(`${where} = ${JSON.stringify(value)}, not ${JSON.stringify(decision.overwrite)}`);
        if ('randomise' in decision && !String(value).startsWith('silindi-')) problems.push(`${where} = ${JSON.stringify(value)}, not a fresh random id`);
        if ('stamp' in decision && value === null) problems.push(`${where} has no erasure time`);
        if ('structuredOnly' in decision) {
          const data = JSON.parse(String(value)) as Record<string, unknown>;
          const structured = Array.isArray(data[STRUCTURED_KEY]) ? (data[STRUCTURED_KEY] as string[]) : [];
          const extra = Object.keys(data).filter((key) => !key.startsWith('_') && !structured.includes(key));
          if (!data._anonymized || extra.length > 0) problems.push(`${where} keeps ${extra.join(', ') || 'no anonymised mark'}`);
        }
      }
    }
  };
  check('Contact', rows.Contact);
  check('Conversation', rows.Conversation);
  // After the erasure only one message is written there: the assistant's answer to it, which holds nothing of theirs.
  const answer = rows.Message.filter((m) => m.text !== ERASED_TEXT);
  expect(answer.map((m) => [m.author, String(m.text).slice(0, 27), m.platformMessageId])).toEqual([['bot', 'Kişisel verileriniz silindi', null]]);
  check('Message', rows.Message.filter((m) => m.text === ERASED_TEXT));
  check('Ticket', rows.Ticket);
  check('TicketEvent', rows.TicketEvent);
  expect(problems).toEqual([]);
  // Deleted rows: the conversation state (dialog answers) of every conversation.
  expect(rows.StateEntry.map((row) => row.key)).toEqual([]);
  expect(rows.Message.length).toBeGreaterThan(20);
  expect(rows.Ticket.length).toBeGreaterThanOrEqual(3);
}

/** The citizen's own words and data: what no column may hold after the erasure. */
function personalTerms(chat: Chat): string[] {
  return [AYTEN.tc, AYTEN.phone, 'Ayten', AYTEN.address, '7. sokak', String(AYTEN.pin.latitude), String(AYTEN.pin.longitude), AYTEN.description, 'vefat etti', AYTEN.subject, 'acele edin lütfen', 'kapısı yeşil', 'ekip lambayı değiştirdi', 'çok ilgiliydi', ...chat.platformIds];
}

async function conversationIdOf(chat: Chat, platformUserId: string): Promise<string> {
  const row = await cozum.db.conversation.findFirstOrThrow({ where: { channel: chat.channel, contact: { platformUserId } } });
  return row.id;
}

/** A complaint with a photo (and a pin where the platform has one), an aid request with the TC number, an appointment. */
async function fileEverything(chat: Chat, pin: boolean): Promise<void> {
  expect(await chat.say('merhaba', /hoş geldiniz/)).toContain('Yeşilova Belediyesi');
  await chat.say('sokak lambası yanmıyor', /hangi mahallede/);
  await chat.say('Erzene', /Sokak, cadde/);
  await chat.say(pin ? { pin: true } : AYTEN.address, /Sorunu kısaca anlatır mısınız/);
  await chat.say(AYTEN.description, /fotoğrafını gönderebilirsiniz/);
  await chat.say({ photo: true }, /KVKK/);
  await chat.say('Evet, onaylıyorum', /adınızı ve soyadınızı/);
  await chat.say(AYTEN.name, /telefon numaranız/);
  await chat.say(AYTEN.phone, /özeti/);
  await chat.say('evet', /Başvuru numaranız/);

  await applyForFoodAid(chat, AYTEN, { consented: true });

  await chat.say('randevu almak istiyorum', /Kiminle görüşmek/);
  await chat.say('Belediye Başkanı', /konuyu kısaca/);
  await chat.say(AYTEN.subject, /Hangi gün/);
  // Name and phone come from the earlier forms of this conversation (dialogs/form-dialog.ts).
  await chat.say('salı öğleden sonra', /özeti/);
  await chat.say('evet', /Randevu talebiniz alındı/);
}

/**
 * A food aid request, with the consent question first unless the contact already consented in an
 * earlier form of this conversation, which also gave their name and phone (not asked again).
 */
async function applyForFoodAid(chat: Chat, person: Pick<typeof AYTEN, 'tc' | 'name' | 'phone' | 'neighbourhood' | 'address' | 'household' | 'situation'>, options: { consented: boolean }): Promise<void> {
  if (options.consented) {
    await chat.say('gıda yardımı istiyorum', /T\.C\. kimlik numaranızı/);
    await chat.say(person.tc, /Hangi mahallede oturuyorsunuz/);
  } else {
    await chat.say('gıda yardımı istiyorum', /KVKK/);
    await chat.say('evet', /T\.C\. kimlik numaranızı/);
    await chat.say(person.tc, /Adınız ve soyadınız/);
    await chat.say(person.name, /telefon numaranız/);
    await chat.say(person.phone, /Hangi mahallede oturuyorsunuz/);
  }
  await chat.say(person.neighbourhood, /Açık adresinizi/);
  await chat.say(person.address, /kaç kişi/);
  await chat.say(person.household, /Durumunuzu kısaca/);
  await chat.say(person.situation, /özeti/);
  await chat.say('evet', /Yardım başvurunuz alındı/);
}

/** A handoff: the agent takes it, answers, writes a note, resolves it; the citizen rates and comments. */
async function talkToAnAgent(chat: Chat, conversationId: string): Promise<void> {
  await chat.say('temsilci', /Talep numaranız/);
  await chat.tell(AYTEN.whileWaiting);
  const { handoffTicketId } = await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  expect((await agent.post(`/console/api/conversations/${conversationId}/claim`)).status).toBe(200);
  await chat.receive(/görüşmeyi devraldı/);
  expect((await agent.post(`/console/api/conversations/${conversationId}/reply`, { text: AYTEN.agentReply })).status).toBe(200);
  expect(await chat.receive(/başvurunuzu inceliyorum/)).toContain(AYTEN.agentReply);
  expect((await agent.post(`/console/api/tickets/${handoffTicketId}/notes`, { text: AYTEN.agentNote })).status).toBe(200);
  expect((await agent.post(`/console/api/tickets/${handoffTicketId}/status`, { status: 'resolved', note: AYTEN.resolution })).status).toBe(200);
  await chat.receive(/puanlar mısınız/);
  await chat.say('4', /yorum/);
  await chat.say(AYTEN.comment, /Yorumunuz ilgili birime iletildi/);
}

/** "verilerimi sil" and yes: the question and the answer reach the citizen. */
async function erase(chat: Chat): Promise<void> {
  expect(await chat.say('verilerimi sil', /Onaylıyor musunuz/)).toContain('kalıcı olarak silinecek');
  expect(await chat.say('evet', /Kişisel verileriniz silindi/)).toMatch(/\d+ başvurunuz anonim hâle getirildi/);
}

const chats = {
  webchat: new WebChat(),
  telegram: new TelegramChat(730_000_101, 'Ayten', 'Şen'),
  whatsappCloud: new WhatsAppCloudChat(AYTEN.waId, AYTEN.name),
  botFramework: new BotFrameworkChat('bf-ayten-7f3a', 'bf-conv-ayten-7f3a'),
  baileys: new BaileysChat(AYTEN.waId, AYTEN.lid, 'Ayten'),
};

/** Mehmet's rows, as they were before anyone was erased. */
let mehmetBefore: { contacts: string[]; snapshot: string; baileysKeys: string[] };

function snapshotOf(contactIds: string[]): string {
  return JSON.stringify(contactIds.map((id) => rowsOf(id)));
}

describe('the whole citizen, on every channel', { timeout: 240_000 }, () => {
  it('another citizen writes first: their rows are the yardstick of "untouched"', async () => {
    const web = await new WebChat().open();
    const telegram = new TelegramChat(730_000_102, 'Mehmet', 'Öz');
    const whatsapp = new BaileysChat(MEHMET.waId, MEHMET.lid, 'Mehmet');
    await whatsapp.knownToBaileys();
    for (const chat of [web, telegram, whatsapp] as Chat[]) {
      await applyForFoodAid(chat, MEHMET, { consented: false });
      // Half-way through a second request: their dialog state holds answers too.
      await chat.say('randevu almak istiyorum', /Kiminle görüşmek/);
    }
    const contacts = (sqlite.prepare('SELECT "id" FROM "Contact"').all() as { id: string }[]).map((row) => row.id);
    expect(contacts).toHaveLength(3);
    // Their last replies marked delivered: from here on nothing of theirs may change.
    await vi.waitFor(() => expect(sqlite.prepare(`SELECT COUNT(*) AS n FROM "Message" WHERE "status" IN ('pending', 'received')`).get()).toEqual({ n: 0 }), { timeout: WAIT_MS, interval: 20 });
    mehmetBefore = { contacts, snapshot: snapshotOf(contacts), baileysKeys: baileysRowsNaming(MEHMET.waId, MEHMET.lid) };
    expect(mehmetBefore.baileysKeys.length).toBeGreaterThanOrEqual(7);
    expect(findings([MEHMET.tc, MEHMET.phone, MEHMET.name, MEHMET.situation]).length).toBeGreaterThan(10);
  });

  it('on the web chat: everything filed, then erased in the assistant\'s own mode', async () => {
    const chat = await chats.webchat.open();
    await fileEverything(chat, false);
    const userId = chat.platformIds[1]!;
    await talkToAnAgent(chat, await conversationIdOf(chat, userId));
    const contactId = contactIdOf(chat, userId);
    // Filled: every table the inventory names a citizen's rows in, and their words are there.
    const before = rowsOf(contactId);
    for (const [table, rows] of Object.entries(before)) expect(rows.length, table).toBeGreaterThan(0);
    expect(findings(personalTerms(chat), new Map(Object.entries(before))).length).toBeGreaterThan(20);

    await erase(chat);
    expectErasedAsInventoried(contactId);
    expect(findings(personalTerms(chat), new Map(Object.entries(rowsOf(contactId))))).toEqual([]);
    // The browser's session went with the contact: its token reads nothing any more.
    expect((await fetch(`${cozum.url}/api/chat/messages`, { headers: { 'X-Chat-Session': chat.token } })).status).toBe(401);
    // Erasure is per identity: the platform proves who wrote on this channel, nothing more.
  });

  it('on Telegram: everything filed, then erased while waiting in the agents\' queue', async () => {
    const chat = chats.telegram;
    await fileEverything(chat, true);
    const userId = String(chat.chatId);
    const conversationId = await conversationIdOf(chat, userId);
    await talkToAnAgent(chat, conversationId);
    const contactId = contactIdOf(chat, userId);
    await chat.say('temsilci', /Talep numaranız/);
    expect((await cozum.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).mode).toBe('waiting');
    await erase(chat);
    expectErasedAsInventoried(contactId);
    expect(findings(personalTerms(chat), new Map(Object.entries(rowsOf(contactId))))).toEqual([]);
  });

  it('on WhatsApp (Cloud API): everything filed, then erased while an agent holds the conversation, who sees why it ended', async () => {
    const chat = chats.whatsappCloud;
    await fileEverything(chat, true);
    const conversationId = await conversationIdOf(chat, chat.waId);
    await talkToAnAgent(chat, conversationId);
    const contactId = contactIdOf(chat, chat.waId);
    await chat.say('temsilci', /Talep numaranız/);
    expect((await agent.post(`/console/api/conversations/${conversationId}/claim`)).status).toBe(200);
    await chat.receive(/görüşmeyi devraldı/);
    await erase(chat);
    expectErasedAsInventoried(contactId);
    expect(findings(personalTerms(chat), new Map(Object.entries(rowsOf(contactId))))).toEqual([]);

    const view = await agent.get(`/console/api/conversations/${conversationId}`);
    expect(view.json.citizen).toMatchObject({ erased: 'request', name: 'Anonimleştirilmiş vatandaş' });
    expect(view.json.conversation).toMatchObject({ mode: 'erased' });
    expect((view.json.ticket as { events: { kind: string }[] }).events.map((e) => e.kind)).toContain('erasure');
    expect((await agent.post(`/console/api/conversations/${conversationId}/reply`, { text: 'Orada mısınız?' })).status).toBe(409);
  });

  it('on Bot Framework: everything filed, then erased in the middle of an aid request (the TC number only in the dialog\'s state)', async () => {
    const chat = chats.botFramework;
    await fileEverything(chat, false);
    const conversationId = await conversationIdOf(chat, chat.userId);
    await talkToAnAgent(chat, conversationId);
    const contactId = contactIdOf(chat, chat.userId);
    await chat.say('gıda yardımı istiyorum', /T\.C\. kimlik numaranızı/);
    await chat.say(AYTEN.tc, /Hangi mahallede oturuyorsunuz/);
    expect(findings([AYTEN.tc], new Map(Object.entries({ StateEntry: rowsOf(contactId).StateEntry })))).not.toEqual([]);
    await erase(chat);
    expectErasedAsInventoried(contactId);
    expect(findings(personalTerms(chat), new Map(Object.entries(rowsOf(contactId))))).toEqual([]);
  });

  it('on WhatsApp (Baileys): everything filed, then erased while an agent holds the conversation; Baileys\' own keys about them go too', async () => {
    const chat = chats.baileys;
    await chat.knownToBaileys();
    await fileEverything(chat, true);
    const userId = `${chat.phone}@s.whatsapp.net`;
    const conversationId = await conversationIdOf(chat, userId);
    await talkToAnAgent(chat, conversationId);
    const contactId = contactIdOf(chat, userId);
    await chat.say('temsilci', /Talep numaranız/);
    expect((await agent.post(`/console/api/conversations/${conversationId}/claim`)).status).toBe(200);
    await chat.receive(/görüşmeyi devraldı/);
    expect(baileysRowsNaming(chat.phone, chat.lid).length).toBeGreaterThanOrEqual(7);
    await erase(chat);
    expectErasedAsInventoried(contactId);
    expect(findings(personalTerms(chat), new Map(Object.entries(rowsOf(contactId))))).toEqual([]);
    expect(baileysRowsNaming(chat.phone, chat.lid)).toEqual([]);
  });

  it('leaves nothing of them in any column of any table; the other citizen, the device and the staff are untouched', () => {
    const rows = allRows();
    // Every table, including those no citizen's rows are in, was read.
    expect([...rows.keys()].sort()).toEqual([...Object.keys(INVENTORY), ...Object.keys(OTHER_TABLES)].sort());
    const everything = [...new Set(Object.values(chats).flatMap((chat) => personalTerms(chat)))];
    expect(findings(everything, rows)).toEqual([]);

    expect(snapshotOf(mehmetBefore.contacts)).toBe(mehmetBefore.snapshot);
    expect(baileysRowsNaming(MEHMET.waId, MEHMET.lid)).toEqual(mehmetBefore.baileysKeys);
    expect(findings([MEHMET.tc, MEHMET.phone, MEHMET.name, MEHMET.situation], rows).length).toBeGreaterThan(10);
    // The linked device's credentials and own keys (the municipality's account) stay.
    expect(rows.get('StateEntry')!.map((row) => row.key)).toEqual(expect.arrayContaining([CREDS_KEY, keyOf('pre-key', '1')]));
    expect(rows.get('Agent')!.map((row) => row.username)).toEqual(['selin']);
    // Five identities, five anonymised contacts; their tickets remain for the figures.
    const erased = rows.get('Contact')!.filter((row) => row.anonymizedAt !== null);
    expect(erased).toHaveLength(5);
    const tickets = rows.get('Ticket')!.filter((row) => erased.some((contact) => contact.id === row.contactId));
    expect(tickets.filter((t) => t.type === 'complaint').map((t) => [t.category, t.neighbourhood, t.summary])).toEqual(
      Array(5).fill(['street_light', 'Erzene Mahallesi', 'Sokak lambası · Erzene Mahallesi']),
    );
  });
});
