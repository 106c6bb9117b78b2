// The report worker's thread holds 40–50 MB while it runs: it stops once no report was asked for a
// while, and the next report starts it again. An export under way keeps it, even between chunks.
import { describe, expect, it } from 'vitest';
import { databaseUrl } from '../../src/config.ts';
import { ReportWorker } from '../../src/console/reports.ts';
import { useTestCozum } from '../support/cozum.ts';

const IDLE_MS = 400;
const cozum = useTestCozum();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const period = () => ({ since: null, now: new Date(), openStatuses: ['open'] as const });

describe('the report worker when nobody asks for reports', () => {
  it('stops after its idle time, and starts again for the next figures', async () => {
    const reports = new ReportWorker(databaseUrl(cozum.config), cozum.config, undefined, IDLE_MS);
    try {
      await reports.figures(period());
      expect(reports.running).toBe(true);
      await sleep(IDLE_MS * 3);
      expect(reports.running).toBe(false);
      expect((await reports.figures(period())).source).toBe('daily');
      expect(reports.running).toBe(true);
    } finally {
      await reports.close();
    }
  });

  it('is not stopped under an export whose download pauses longer than the idle time', async () => {
    const reports = new ReportWorker(databaseUrl(cozum.config), cozum.config, undefined, IDLE_MS);
    try {
      let text = '';
      await reports.csv({ since: null, now: new Date() }, async (chunk) => {
        text += chunk.toString('utf8');
        await sleep(IDLE_MS * 2);
        expect(reports.running).toBe(true);
      });
      expect(text).toMatch(/^\uFEFFTalep no;/);
      await sleep(IDLE_MS * 3);
      expect(reports.running).toBe(false);
    } finally {
      await reports.close();
    }
  });
});
