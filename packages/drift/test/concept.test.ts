import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adwin, PageHinkley } from '../src/index.js';
import { mulberry32, normals } from './helpers.js';

// River's documented example (random.Random(12345) stream, written by scripts/make-fixtures.py).
const fx = JSON.parse(readFileSync(new URL('./fixtures/river-stream.json', import.meta.url), 'utf8')) as {
  stream: number[];
  riverFirstChange: { pageHinkley: number; adwin: number };
};

function firstChange(update: (x: number) => boolean, stream: number[]): number {
  return stream.findIndex((x) => update(x));
}

describe('concept drift detectors with River defaults', () => {
  it('Page–Hinkley fires where River documents it (index 1006) on River’s example stream', () => {
    const ph = new PageHinkley();
    expect(ph.options).toEqual({ minInstances: 30, delta: 0.005, threshold: 50, alpha: 1 - 0.0001, mode: 'both' });
    expect(firstChange((x) => ph.update(x), fx.stream)).toBe(fx.riverFirstChange.pageHinkley);
  });

  it('ADWIN fires where River documents it (index 1023) on River’s example stream', () => {
    const adwin = new Adwin();
    expect(adwin.options).toEqual({ delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 });
    expect(firstChange((x) => adwin.update(x), fx.stream)).toBe(fx.riverFirstChange.adwin);
    // After the change the window holds only (mostly) the new regime.
    for (let i = 1024; i < fx.stream.length; i++) adwin.update(fx.stream[i]!);
    expect(adwin.estimation).toBeGreaterThan(4);
  });

  it('stays quiet on a stationary error stream and fires on a drop in errors too (two-sided)', () => {
    const rand = mulberry32(11);
    const quiet = normals(rand, 5000, 1, 0.3);
    const ph = new PageHinkley();
    const adwin = new Adwin();
    expect(quiet.some((x) => ph.update(x))).toBe(false);
    expect(quiet.some((x) => adwin.update(x))).toBe(false);
    const down = normals(rand, 2000, 0, 0.3);
    expect(down.some((x) => ph.update(x))).toBe(true);
  });
});
