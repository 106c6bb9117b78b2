// Entry of the report worker's thread (reports.ts). Under `npm start` the entry is compiled
// JavaScript (dist/, scripts/build.mjs) and is imported as it is. Under the tests and tsx it is
// TypeScript: worker threads do not inherit the loader that runs the application (`node --import
// tsx`, or vitest's), so tsx's is registered here first.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
