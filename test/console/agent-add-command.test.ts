// The command the server's start-up hint prints: the same database as the server, pasteable into
// a POSIX shell, and no password in the log.
import { describe, expect, it } from 'vitest';
import { agentAddCommand } from '../../src/console/agent-add-command.ts';
import { databaseLabel } from '../../src/storage/database-label.ts';

describe('the agent:add command of the start-up hint', () => {
  it('is the plain command when the server runs on the defaults', () => {
    expect(agentAddCommand({}, '/srv/cozum')).toBe('npm run agent:add -- --admin');
  });

  it('carries the server’s own DATA_DIR and configuration file, as absolute paths, quoted where a shell needs it', () => {
    expect(agentAddCommand({ DATA_DIR: './data2' }, '/srv/cozum')).toBe('DATA_DIR=/srv/cozum/data2 npm run agent:add -- --admin');
    expect(agentAddCommand({ DATA_DIR: "/var/lib/Çözüm's data", COZUM_CONFIG: 'etc/cozum.yaml' }, '/srv/cozum')).toBe(
      "COZUM_CONFIG=/srv/cozum/etc/cozum.yaml DATA_DIR='/var/lib/Çözüm'\\''s data' npm run agent:add -- --admin",
    );
  });

  it('names a DATABASE_URL without its password, which the operator fills in', () => {
    expect(agentAddCommand({ DATABASE_URL: 'file:./x/cozum.db', DATA_DIR: '/d' }, '/srv/cozum')).toBe('DATABASE_URL=file:/srv/cozum/x/cozum.db npm run agent:add -- --admin');
    expect(agentAddCommand({ DATABASE_URL: 'postgresql://cozum:s3cr3t@db.local:5432/cozum' }, '/srv')).toBe(
      "DATABASE_URL='postgresql://cozum:<password>@db.local:5432/cozum' npm run agent:add -- --admin",
    );
    expect(databaseLabel('postgresql://cozum:s3cr3t@db.local:5432/cozum')).toBe('postgresql://cozum:****@db.local:5432/cozum');
    expect(databaseLabel('file:/srv/cozum/data/cozum.db')).toBe('/srv/cozum/data/cozum.db');
  });
});
