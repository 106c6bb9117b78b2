// `npm run chat`: talk to the bot in the terminal, with the same database and content as `npm start`.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import pretty from 'pino-pretty';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { startCozum } from '../main.ts';
import { renderChoicesAsText } from '../messaging/message.ts';
import { showsBold, terminalText } from './terminal-text.ts';

const config = loadConfig();
// A person at a terminal sees the start-up stages (on stderr, so the conversation on stdout stays
// clean), then only warnings; a pipe gets warnings only, unless LOG_LEVEL says otherwise.
const watching = process.stderr.isTTY && !process.env.LOG_LEVEL;
const logger = watching
  ? createLogger('info', pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', hideObject: true, sync: true }))
  : createLogger(process.env.LOG_LEVEL ?? 'warn');
const cozum = await startCozum(config, { logger });
if (watching) logger.level = 'warn';
const bold = showsBold(process.stdout);
const terminal = createInterface({ input: process.stdin, output: process.stdout });
console.log(`${config.municipality.name} asistanı. Yazın ve Enter'a basın; çıkmak için Ctrl+D.\n`);
terminal.setPrompt('siz> ');
terminal.prompt();
for await (const line of terminal) {
  const { replies } = await cozum.adapter.receive({ channel: 'terminal', userId: userInfo().username, text: line });
  for (const reply of replies) console.log(`\nasistan> ${terminalText(renderChoicesAsText(reply), bold)}\n`);
  terminal.prompt();
}
await cozum.close();
