// `npm run chat`: talk to the bot in the terminal, with the same database and content as `npm start`.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { startCozum } from '../main.ts';
import { renderChoicesAsText } from '../messaging/message.ts';

const config = loadConfig();
const cozum = await startCozum(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
const terminal = createInterface({ input: process.stdin, output: process.stdout });
console.log(`${config.municipality.name} asistanı. Yazın ve Enter'a basın; çıkmak için Ctrl+D.\n`);
terminal.setPrompt('siz> ');
terminal.prompt();
for await (const line of terminal) {
  const { replies } = await cozum.adapter.receive({ channel: 'terminal', userId: userInfo().username, text: line });
  for (const reply of replies) console.log(`\nasistan> ${renderChoicesAsText(reply)}\n`);
  terminal.prompt();
}
await cozum.close();
