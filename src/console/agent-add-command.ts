// The exact `agent:add` command for the server that is running: the same configuration file and the
// same DATA_DIR / DATABASE_URL, so the account lands in the database the server reads. Paths are
// made absolute, so the command works from wherever `npm run` is typed in the checkout.
import path from 'node:path';

/** A value as a POSIX shell reads it back unchanged. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export function agentAddCommand(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const prefix: string[] = [];
  if (env.COZUM_CONFIG) prefix.push(`COZUM_CONFIG=${shellWord(path.resolve(cwd, env.COZUM_CONFIG))}`);
  if (env.DATABASE_URL) {
    // A password stays out of the log: the operator types it in where the placeholder is.
    const url = env.DATABASE_URL.startsWith('file:') ? `file:${path.resolve(cwd, env.DATABASE_URL.slice('file:'.length))}` : env.DATABASE_URL.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1<password>@');
    prefix.push(`DATABASE_URL=${shellWord(url)}`);
  } else if (env.DATA_DIR) {
    prefix.push(`DATA_DIR=${shellWord(path.resolve(cwd, env.DATA_DIR))}`);
  }
  return [...prefix, 'npm run agent:add -- --admin'].join(' ');
}
