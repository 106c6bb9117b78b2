// Runs `prisma generate` after `npm install`.
// Prisma's CLI downloads its schema engine before every command, and that download cannot
// succeed on a machine without internet. `generate` does not use the engine, so pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file is enough to let it run offline.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
