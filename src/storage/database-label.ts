// How operators are told which database a command used: the SQLite file's absolute path, or a
// server URL with its password hidden (a log or a terminal is no place for one).

export function databaseLabel(url: string): string {
  if (url.startsWith('file:')) return url.slice('file:'.length);
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    // Not a URL we can read: show its scheme only, the rest may hold a secret.
    return `${url.split(':')[0]}:…`;
  }
}
