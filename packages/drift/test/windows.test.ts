import { describe, expect, it } from 'vitest';
import { StreamWindow, storageFor, windowSchema } from '../src/windows.js';

const resolve = (w: unknown) => windowSchema.parse(w);

describe('StreamWindow', () => {
  it('a tumbling count window is due every `size` rows and empties on close', () => {
    const w = new StreamWindow(resolve({ kind: 'count', size: 3 }), () => 0);
    const due = Array.from({ length: 7 }, () => {
      const d = w.added();
      if (d) expect(w.closed()).toBe(true);
      return d;
    });
    expect(due).toEqual([false, false, true, false, false, true, false]);
    expect(w.index).toBe(2);
    expect(w.rows).toBe(1);
  });

  it('a sliding count window is due every `step` rows once full, keeps its rows and caps them in reports', () => {
    const w = new StreamWindow(resolve({ kind: 'count', size: 4, mode: 'sliding', step: 2 }), () => 0);
    const due: number[] = [];
    for (let i = 1; i <= 9; i++) {
      if (!w.added()) continue;
      due.push(i);
      expect(w.closed()).toBe(false);
    }
    expect(due).toEqual([4, 6, 8]);
    expect(w.info()).toMatchObject({ kind: 'count', mode: 'sliding', size: 4, rows: 4, index: 3 });
  });

  it('a sliding step defaults to a tenth of the size', () => {
    const w = new StreamWindow(resolve({ kind: 'count', size: 50, mode: 'sliding' }), () => 0);
    const due: number[] = [];
    for (let i = 1; i <= 60; i++) {
      if (!w.added()) continue;
      due.push(i);
      w.closed();
    }
    expect(due).toEqual([50, 55, 60]);
  });

  it('a time window closes at its grid end when the clock passes it, and skips empty windows', () => {
    let now = 1000;
    const w = new StreamWindow(resolve({ kind: 'time', ms: 100 }), () => now);
    const ends: number[] = [];
    const close = (end: number) => {
      ends.push(end);
      w.closed(end);
    };
    w.added();
    now = 1099;
    w.tick(close);
    expect(ends).toEqual([]);
    now = 1100;
    w.tick(close);
    expect(ends).toEqual([1100]);
    now = 1450; // three empty windows pass: nothing closes, the start moves to 1400
    w.tick(close);
    expect(ends).toEqual([1100]);
    w.added();
    expect(w.info(1500)).toMatchObject({ kind: 'time', ms: 100, rows: 1, start: new Date(1400).toISOString() });
  });

  it('storage: a ring of `size` values for count windows, a reservoir of `maxSample` for time windows', () => {
    const random = () => 0.5;
    expect(storageFor(resolve({ kind: 'count', size: 10 }), random)).toEqual({ mode: 'ring', capacity: 10, random });
    expect(storageFor(resolve({ kind: 'time', ms: 5 }), random)).toEqual({
      mode: 'reservoir',
      capacity: 10_000,
      random,
    });
  });
});
