import { describe, expect, it } from 'vitest';
import { BinLookup } from '../src/stats/bin-lookup.js';
import { binIndex } from '../src/stats/quantile.js';
import { sortFinite } from '../src/stats/sort.js';
import { mulberry32, normals } from './helpers.js';

describe('fast paths agree with the plain ones', () => {
  it('BinLookup gives searchsorted(side=right) bins, including values on and next to the edges', () => {
    const rand = mulberry32(9);
    for (const edges of [[-1.2, -0.5, 0, 0.5, 1.2], [0, 0, 0, 1, 1e-300, 2], [1, 1, 1], [5], [-3, 1e6]]) {
      edges.sort((a, b) => a - b);
      const lookup = new BinLookup(edges);
      const probes = [
        ...normals(rand, 5000, 0, 2),
        ...edges,
        ...edges.map((e) => e + 1e-12),
        ...edges.map((e) => e - 1e-12),
        ...edges.map((e) => e * (1 - 1e-16)),
      ];
      for (const x of probes) expect(lookup.bin(x)).toBe(binIndex(edges, x));
    }
  });

  it('the radix sort orders like the native sort and drops NaN', () => {
    const rand = mulberry32(2);
    const xs = new Float64Array(50_000).map(() => (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4));
    xs[1] = -0;
    xs[2] = 0;
    xs[3] = Infinity;
    xs[4] = -Infinity;
    xs[5] = Number.NaN;
    xs[6] = 5e-324;
    xs[7] = -5e-324;
    for (let i = 100; i < 200; i++) xs[i] = 1.5 + i * Number.EPSILON; // long run sharing a high word
    const s = sortFinite(xs);
    const ref = Float64Array.from(xs)
      .sort()
      .subarray(0, xs.length - 1);
    expect(s.length).toBe(ref.length);
    expect(Array.from(s)).toEqual(Array.from(ref));
  });
});

describe('tests against a quantile sketch approximate the full reference', () => {
  it('Wasserstein and KS against 1,000 quantiles are within a few percent of the exact two-sample values', async () => {
    const { profileNumeric } = await import('../src/profile.js');
    const { wassersteinToSketch, ksToSketch } = await import('../src/stats/sketch.js');
    const { wasserstein } = await import('../src/stats/wasserstein.js');
    const { ksTwoSample } = await import('../src/stats/ks.js');
    const rand = mulberry32(4);
    // A heavy right tail, like California's AveBedrms.
    const ref = normals(rand, 20_000).map((x) => Math.exp(x));
    const cur = normals(rand, 1000, 0.2).map((x) => Math.exp(x));
    const p = profileNumeric(ref, 10, 1000);
    expect(p.sampleExact).toBe(false);
    expect(p.sample[0]).toBe(Math.min(...ref));
    expect(p.sample[999]).toBe(Math.max(...ref));
    const q = Float64Array.from(p.sample);
    const s = sortFinite(cur);
    expect(wassersteinToSketch(q, s) / wasserstein(ref, cur)).toBeCloseTo(1, 1);
    expect(Math.abs(ksToSketch(q, s) - ksTwoSample(ref, cur).statistic)).toBeLessThan(0.005);
    // A sketch of one repeated value, and a sample equal to the sketch, give distance 0.
    expect(wassersteinToSketch(Float64Array.of(2, 2, 2), Float64Array.of(2, 2))).toBe(0);
    expect(wassersteinToSketch(Float64Array.of(0, 1), Float64Array.of(0.25, 0.75))).toBeCloseTo(0.125, 12);
  });
});

describe('batch counting', () => {
  it('countInto agrees with per-value bins and counts NaN and ±Infinity as missing', () => {
    const rand = mulberry32(8);
    for (const edges of [[-1, -0.2, 0.3, 0.3, 1.5], [2], [1, 1], []]) {
      const lookup = new BinLookup(edges);
      const xs = Float64Array.from([...normals(rand, 3000, 0, 2), ...edges, Number.NaN, Infinity, -Infinity]);
      const counts = new Float64Array(edges.length + 1);
      const missing = lookup.countInto(xs, counts);
      const expected = new Float64Array(edges.length + 1);
      for (const x of xs) if (Number.isFinite(x)) expected[binIndex(edges, x)]!++;
      expect(missing).toBe(3);
      expect(Array.from(counts)).toEqual(Array.from(expected));
    }
  });
});
