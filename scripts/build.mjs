// Compiles src/ into dist/ for `npm start` (runs before it, and after `npm install`): plain
// JavaScript that Node runs without a loader. Running the TypeScript through `tsx` held about
// 100 MB more resident memory for the server's whole life (tsx's loader thread with esbuild, and
// the source maps Node then keeps for every module: docs/performance.md, "Memory"), so only the
// tests and the command-line tools go through tsx.
//
//   node scripts/build.mjs          compiles when a file under src/ changed since the last build
//   node scripts/build.mjs --force  compiles anyway
//
// TypeScript only transpiles here (`--noCheck`): `npm test` type-checks. The files that are not
// TypeScript (web pages, the report worker's entry) are copied beside the compiled modules,
// which find them next to themselves as they do in src/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
/** Written after a complete build: its time is the build's. */
const stamp = path.join(dist, '.built');

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(file);
    else yield file;
  }
}

function upToDate() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const inputs = [...filesUnder(src), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];
  return inputs.every((file) => statSync(file).mtimeMs <= built);
}

const force = process.argv.includes('--force');
if (!force && upToDate()) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error('scripts/build.mjs: TypeScript is not installed; run `npm ci` (with the development dependencies) to compile src/ into dist/');
  process.exit(1);
}
const started = Date.now();
rmSync(stamp, { force: true });
// TypeScript's incremental record says what it emitted before: forced, everything is emitted again.
if (force) rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// What is not TypeScript goes beside the compiled modules; what left src/ leaves dist/.
const compiledName = (file) => file.replace(/\.ts$/, '.js');
const expected = new Set();
for (const file of filesUnder(src)) {
  const target = path.join(dist, path.relative(src, compiledName(file)));
  expected.add(target);
  if (!file.endsWith('.ts')) {
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(file, target, { preserveTimestamps: true });
  }
}
for (const file of filesUnder(dist)) {
  if (path.dirname(file) === dist && path.basename(file).startsWith('.')) continue;
  if (!expected.has(file)) rmSync(file);
}
writeFileSync(stamp, '');
console.error(`compiled src/ into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
