// The server as `npm start` runs it, for the benchmarks that start it as a child process: the
// compiled build (scripts/build.mjs, compiled first if src/ changed), with the command and the
// environment of package.json's start script, so that the figures are those of what a
// municipality runs. `extraArgs` go to node before the entry (e.g. --cpu-prof).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface StartCommand {
  /** node's arguments, the entry last. */
  args: string[];
  /** Variables the start script sets (e.g. MALLOC_ARENA_MAX). */
  env: Record<string, string>;
}

/** package.json's start script, `VAR=value … node [flags] entry`, as node's arguments and the variables it sets. */
export function parseStartScript(script: string): StartCommand {
  const words = script.split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^\w+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`package.json's start script is not a node command: ${script}`);
  return { args: words, env };
}

export function npmStartCommand(extraArgs: string[] = []): StartCommand {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const { args, env } = parseStartScript((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start);
  return { args: [...args.slice(0, -1), ...extraArgs, args.at(-1)!], env };
}
