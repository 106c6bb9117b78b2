import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, databaseUrl, loadConfig } from '../src/config.ts';
import { tempDir } from './support/cozum.ts';

describe('configuration', () => {
  it('runs on defaults: port 3000, ./data, a fictional municipality', () => {
    const config = loadConfig({ env: {}, file: null });
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('./data');
    expect(config.municipality.name).toBe('Yeşilova Belediyesi');
    expect(databaseUrl(config)).toMatch(/^file:.*data\/cozum\.db$/);
  });

  it('honours PORT and DATA_DIR so that two instances can run side by side', () => {
    const config = loadConfig({ env: { PORT: '3100', DATA_DIR: '/tmp/ikinci' }, file: null });
    expect(config.port).toBe(3100);
    expect(databaseUrl(config)).toBe('file:/tmp/ikinci/cozum.db');
  });

  it('reads cozum.config.yaml, with environment variables winning', () => {
    const dir = tempDir();
    try {
      const file = `${dir.dir}/cozum.config.yaml`;
      writeFileSync(file, 'port: 4000\nmunicipality:\n  name: Karşıyaka Belediyesi\n  phones:\n    callCenter: "153"\n');
      const config = loadConfig({ env: { PORT: '4001' }, file });
      expect(config.port).toBe(4001);
      expect(config.municipality.name).toBe('Karşıyaka Belediyesi');
      expect(config.municipality.phones.callCenter).toBe('153');
      expect(config.municipality.phones.whatsapp).toBe('0 (532) 000 01 53');
    } finally {
      dir.remove();
    }
  });

  it('stops with a message naming the setting when a value is wrong', () => {
    expect(() => loadConfig({ env: { PORT: 'seksen' }, file: null })).toThrow(/port/);
    expect(() => loadConfig({ env: { NLU_THRESHOLD: '2' }, file: null })).toThrow(ConfigError);
    const dir = tempDir();
    try {
      const file = `${dir.dir}/bad.yaml`;
      writeFileSync(file, 'municipality:\n  website: web-sitemiz\n');
      expect(() => loadConfig({ env: {}, file })).toThrow(/municipality\.website/);
      expect(() => loadConfig({ env: {}, file: `${dir.dir}/yok.yaml` })).toThrow(/not found/);
    } finally {
      dir.remove();
    }
  });
});

describe('municipality.hours', () => {
  const hours = (value: unknown) => loadConfig({ env: {}, file: null, overrides: { 'municipality.hours': value } }).municipality.hours;

  it('reads days and times, one period or several', () => {
    expect(loadConfig({ env: {}, file: null }).municipality.hours).toEqual([{ days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }]);
    expect(hours({ days: [6], from: '9.00', to: '13:00' })).toEqual([{ days: [6], from: '09:00', to: '13:00' }]);
  });

  it('keeps an older configuration working: the Turkish text it had', () => {
    expect(hours('hafta içi 08.30–17.30')).toEqual([{ days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }]);
    expect(hours('Pazartesi-Cuma 08:00-17:00, Cumartesi 09.00-13.00')).toEqual([
      { days: [1, 2, 3, 4, 5], from: '08:00', to: '17:00' },
      { days: [6], from: '09:00', to: '13:00' },
    ]);
    expect(hours('her gün 09.00 - 18.00')).toEqual([{ days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '18:00' }]);
  });

  it('stops start-up on a value it cannot read, naming the setting and how to write it', () => {
    expect(() => hours('mesai saatleri içinde')).toThrow(/municipality\.hours: "mesai saatleri içinde" is not readable as opening hours; write them as hours: \[\{ days: \[1, 2, 3, 4, 5\], from: "08:30", to: "17:30" \}\]/);
    expect(() => hours([{ days: [0], from: '08:30', to: '17:30' }])).toThrow(/municipality\.hours: 0\.days\.0: /);
    expect(() => hours({ days: [1], from: '25:00', to: '17:30' })).toThrow(/municipality\.hours: 0\.from: a time of day such as "08:30"/);
  });
});

describe('cozum.config.example.yaml', () => {
  it('is a valid configuration that equals the defaults', () => {
    expect(loadConfig({ env: {}, file: 'cozum.config.example.yaml' })).toEqual(loadConfig({ env: {}, file: null }));
  });
});
