// Entry of the report worker's thread (reports.ts): worker threads do not inherit the TypeScript
// loader that runs the application (`node --import tsx`, or vitest's), so it is registered here
// before the worker's own module is imported.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
