import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { Adwin, buildProfile, createDriftMonitor, PageHinkley, type FeatureDriftResult } from '../src/index.js';
import { applyCorrection } from '../src/report.js';
import { radixSort, sortFinite } from '../src/stats/sort.js';
import { mulberry32 } from './helpers.js';

describe('sortFinite / radixSort against Float64Array.prototype.sort', () => {
  it('orders -0, ±Infinity, subnormals, duplicates and random bit patterns exactly like the native sort (NaN dropped)', () => {
    const rand = mulberry32(99);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const specials = [
      0,
      -0,
      Number.NaN,
      Infinity,
      -Infinity,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      -2.2250738585072014e-308,
      1,
      -1,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
    ];
    for (let t = 0; t < 120; t++) {
      const n = [0, 1, 2, 3, 17, 4095, 4096, 4097, 6000, 20_000][t % 10]!;
      const kind = Math.floor(t / 10) % 4;
      const xs = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (kind === 0) {
          words[0] = rand() * 2 ** 32;
          words[1] = rand() * 2 ** 32; // any double, NaN payloads included
          xs[i] = bits[0]!;
        } else if (kind === 1) xs[i] = specials[Math.floor(rand() * specials.length)]!;
        else if (kind === 2)
          xs[i] = Math.round(rand() * 6) - 3; // heavy duplicates
        else {
          words[0] = rand() * 2 ** 32;
          words[1] = (rand() < 0.5 ? 0 : 0x80000000) | Math.floor(rand() * 3); // subnormals sharing high words
          xs[i] = bits[0]!;
        }
      }
      const ref = xs
        .slice()
        .sort()
        .filter((x) => !Number.isNaN(x));
      const got = sortFinite(xs);
      expect(got.length, `case ${t}`).toBe(ref.length);
      for (let i = 0; i < ref.length; i++)
        if (!Object.is(got[i], ref[i]))
          expect.unreachable(`case ${t} (n=${n}, kind=${kind}) differs at ${i}: ${got[i]} vs ${ref[i]}`);
      const inPlace = ref.slice().reverse();
      radixSort(inPlace);
      for (let i = 0; i < ref.length; i++)
        if (!Object.is(inPlace[i], ref[i])) expect.unreachable(`radixSort case ${t} differs at ${i}`);
    }
  });
});

describe('unseen categories in the streaming path', () => {
  const profile = buildProfile({ c: ['a', 'b', 'a', 'b'] }, { features: { c: 'categorical' } });

  it('keeps counting past 1,000 distinct unseen categories (the overflow bucket) without an error', () => {
    const errors: unknown[] = [];
    const m = createDriftMonitor({
      profile,
      window: { kind: 'count', size: 5000 },
      logger: { debug() {}, info() {}, warn() {}, error: (o) => errors.push(o) },
    });
    for (let i = 0; i < 1500; i++) m.observe({ c: `new-${i}` });
    expect(errors).toEqual([]);
    const r = m.report();
    expect(r.features[0]!.count).toBe(1500);
  });

  it('frees the slots of unseen categories that left a sliding window, so later ones are still named', () => {
    const errors: unknown[] = [];
    const m = createDriftMonitor({
      profile,
      window: { kind: 'count', size: 100, mode: 'sliding', step: 100 },
      logger: { debug() {}, info() {}, warn() {}, error: (o) => errors.push(o) },
    });
    for (let i = 0; i < 3000; i++) m.observe({ c: `gone-${i}` });
    for (let i = 0; i < 100; i++) m.observe({ c: 'fresh' });
    expect(errors).toEqual([]);
    const f = m.report().features[0]!;
    expect(f.count).toBe(100);
    expect(f.newCategories).toEqual([['fresh', 100]]);
  });
});

describe('concept detector and correction options', () => {
  it('rejects out-of-range Page–Hinkley and ADWIN options with an error naming the field', () => {
    const check = (fn: () => unknown, field: string): void => {
      try {
        fn();
      } catch (err) {
        expect(isModelshipError(err, 'DriftError', 'INVALID_OPTIONS')).toBe(true);
        expect((err as Error).message).toContain(field);
        return;
      }
      expect.unreachable(`expected an error naming ${field}`);
    };
    check(() => new PageHinkley({ delta: Number.NaN }), 'delta');
    check(() => new PageHinkley({ threshold: -1 }), 'threshold');
    check(() => new PageHinkley({ mode: 'sideways' as never }), 'mode');
    check(() => new Adwin({ delta: 5 }), 'delta');
    check(() => new Adwin({ clock: 0 }), 'clock');
    const profile = buildProfile({ x: [1, 2, 3] }, { features: { x: 'numeric' } });
    check(() => createDriftMonitor({ profile, concept: { adwin: { delta: -1 } } }), 'delta');
  });

  it('leaves a NaN p-value out of Benjamini–Hochberg instead of scrambling the order of the others', () => {
    const mk = (feature: string, pValue: number): FeatureDriftResult =>
      ({
        feature,
        status: 'ok',
        test: 'ks',
        pValue,
        threshold: 0.05,
        drifted: false,
        severity: 'none',
      }) as unknown as FeatureDriftResult;
    const rs = [mk('a', 0.04), mk('b', Number.NaN), mk('c', 0.01), mk('d', 0.03)];
    applyCorrection(rs, 'benjamini-hochberg');
    // m = 3 valid p-values: 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04 → step-up min: 0.03, 0.04, 0.04.
    expect(rs[2]!.pValueAdjusted).toBeCloseTo(0.03, 12);
    expect(rs[3]!.pValueAdjusted).toBeCloseTo(0.04, 12);
    expect(rs[0]!.pValueAdjusted).toBeCloseTo(0.04, 12);
    expect(rs[1]!.pValueAdjusted).toBeUndefined();
    for (const r of rs) delete (r as { pValueAdjusted?: number }).pValueAdjusted;
    applyCorrection(rs, 'bonferroni');
    expect(rs.map((r) => r.pValueAdjusted)).toEqual(
      [0.12, undefined, 0.03, 0.09].map((x) => (x === undefined ? x : expect.closeTo(x, 12))),
    );
  });
});

describe('window boundaries', () => {
  const profile = buildProfile({ x: Array.from({ length: 200 }, (_, i) => i) }, { features: { x: 'numeric' } });

  it('a time window holds [start, start + ms): a row at exactly the end opens the next one; empty windows emit nothing', () => {
    let now = 10_000;
    const m = createDriftMonitor({ profile, window: { kind: 'time', ms: 1000 }, clock: () => now, minSamples: 1 });
    const reports: { rows: number; start?: string; end?: string }[] = [];
    m.on('windowClosed', (r) => reports.push(r.window));
    m.observe({ x: 1 }); // t = 10,000
    now = 10_999;
    m.observe({ x: 2 }); // last ms of the first window
    now = 11_000;
    m.observe({ x: 3 }); // first ms of the second window
    expect(reports).toEqual([
      {
        kind: 'time',
        ms: 1000,
        rows: 2,
        index: 0,
        start: new Date(10_000).toISOString(),
        end: new Date(11_000).toISOString(),
      },
    ]);
    now = 15_500; // three empty windows pass
    m.observe({ x: 4 });
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({
      rows: 1,
      start: new Date(11_000).toISOString(),
      end: new Date(12_000).toISOString(),
    });
    now = 16_000;
    m.tick();
    expect(reports[2]).toMatchObject({
      rows: 1,
      start: new Date(15_000).toISOString(),
      end: new Date(16_000).toISOString(),
    });
  });

  it('a sliding count window first reports at `size` rows, then every `step` rows, over exactly the last `size` rows', () => {
    const m = createDriftMonitor({
      profile,
      window: { kind: 'count', size: 10, mode: 'sliding', step: 3 },
      minSamples: 1,
    });
    const at: number[] = [];
    const counts: number[] = [];
    let row = 0;
    m.on('windowClosed', (r) => {
      at.push(row);
      counts.push(r.features[0]!.count);
    });
    for (row = 1; row <= 20; row++) m.observe({ x: row % 4 === 0 ? null : row });
    expect(at).toEqual([10, 13, 16, 19]);
    // Rows 1–10, 4–13, 7–16, 10–19 with every fourth missing.
    const present = (from: number, to: number): number =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((r) => r % 4 !== 0).length;
    expect(counts).toEqual([present(1, 10), present(4, 13), present(7, 16), present(10, 19)]);
  });
});
