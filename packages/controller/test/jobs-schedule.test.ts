import { isModelshipError } from '@modelship/core';
import { describe, expect, it } from 'vitest';
import { createSchedule } from '../src/jobs/index.js';

describe('createSchedule', () => {
  it('rejects an invalid cron pattern, naming the field schedule', () => {
    for (const bad of ['not a cron', '61 * * * *', '']) {
      let thrown: unknown;
      try {
        createSchedule(bad, async () => {});
      } catch (err) {
        thrown = err;
      }
      expect(isModelshipError(thrown, 'ControllerError', 'INVALID_OPTIONS'), String(thrown)).toBe(true);
      expect((thrown as Error).message).toMatch(/^createSchedule: schedule: /);
      expect((thrown as { details?: { field?: string } }).details?.field).toBe('schedule');
    }
    expect(() => createSchedule('0 3 * * *', async () => {}, { timezone: 'Mars/Olympus' })).toThrow(/timezone/);
  });

  it('gives the next run in its time zone, from its clock, and none once stopped', () => {
    const clock = () => Date.parse('2025-01-01T00:00:00Z');
    const s = createSchedule('0 3 * * *', async () => {}, { timezone: 'UTC', clock });
    expect(s.nextRun()?.toISOString()).toBe('2025-01-01T03:00:00.000Z');
    const berlin = createSchedule('0 3 * * *', async () => {}, { timezone: 'Europe/Berlin', clock });
    expect(berlin.nextRun()?.toISOString()).toBe('2025-01-01T02:00:00.000Z');
    s.stop();
    berlin.stop();
    expect(s.nextRun()).toBeUndefined();
  });

  it('never overlaps runs: a tick during a run is skipped', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const s = createSchedule('* * * * * *', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1_600));
      inFlight--;
    });
    try {
      const t0 = Date.now();
      while (s.runs < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      expect(s.runs).toBeGreaterThanOrEqual(2);
      expect(s.skipped).toBeGreaterThanOrEqual(1);
      expect(maxInFlight).toBe(1);
    } finally {
      s.stop();
    }
  });

  it('logs a run that throws and goes on', async () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (o: unknown) => errors.push(o) };
    let runs = 0;
    const s = createSchedule(
      '* * * * * *',
      async () => {
        runs++;
        throw new Error('boom');
      },
      { logger },
    );
    try {
      const t0 = Date.now();
      while (runs < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(errors.length).toBeGreaterThanOrEqual(1);
    } finally {
      s.stop();
    }
  });
});
