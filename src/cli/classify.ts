// `npm run --silent classify`: one message per input line → one JSON line per message on stdout,
// in order, and nothing else on stdout (benchmarks read it).
import { createInterface } from 'node:readline';
import { loadConfig } from '../config.ts';
import { loadNlu } from '../main.ts';

const { nlu } = loadNlu(loadConfig());
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const { intent, confidence } = nlu.understand(line);
  process.stdout.write(`${JSON.stringify({ intent, confidence })}\n`);
}
