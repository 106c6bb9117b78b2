// `npm run backup -- [--to FILE]`: a consistent copy of the SQLite database while Çözüm runs.
// SQLite's online backup API copies page by page and restarts if a write lands meanwhile, so the
// copy is a database as it was at one moment, never half a write; `cp` of a live WAL database is
// not. The same configuration as the server (DATA_DIR, DATABASE_URL, cozum.config.yaml) says which
// database. The copy holds citizens' personal data: keep it where the live database is kept.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { databaseUrl, loadConfigOrExit } from '../config.ts';
import { dialectOfUrl, sqliteFile } from '../storage/database.ts';

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

async function backupDatabase(source: string, target: string): Promise<{ pages: number }> {
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    const result = await db.backup(target);
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { to: { type: 'string' } } });
  const config = loadConfigOrExit();
  if (dialectOfUrl(databaseUrl(config)) === 'postgresql') {
    // PostgreSQL has its own tool for a consistent copy of a live database (docs/deployment.md).
    console.error('npm run backup copies SQLite databases; on PostgreSQL use pg_dump (see docs/deployment.md, "Backups").');
    process.exit(2);
  }
  const source = sqliteFile(databaseUrl(config));
  const target = values.to ?? path.join(config.dataDir, 'backups', `cozum-${stamp(new Date())}.db`);
  const started = Date.now();
  const { pages } = await backupDatabase(source, target);
  console.log(`Backed up ${path.resolve(source)} to ${path.resolve(target)} (${pages} pages, ${Date.now() - started} ms)`);
}

await main();
