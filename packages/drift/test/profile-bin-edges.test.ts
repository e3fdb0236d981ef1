/**
 * Pins the profile's bin edges (issue 11, "Why" item 8): a value equal to an edge falls in the bin
 * above it (searchsorted side=right), the same rule the window uses, so a discrete feature
 * compared with itself has PSI 0. With `<` instead of `<=` the profile put tied values one bin lower.
 */
import { describe, expect, it } from 'vitest';
import { buildProfile, detectDrift, type FeatureDriftResult } from '../src/index.js';
import { profileNumeric } from '../src/profile.js';
import { binIndex } from '../src/stats/quantile.js';
import { mulberry32 } from './helpers.js';

/** A discrete feature: integers 0 … 5 with uneven frequencies (many ties on every edge). */
function discrete(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const w = [0.05, 0.3, 0.25, 0.2, 0.15, 0.05];
  return Array.from({ length: n }, () => {
    let u = rand();
    for (let k = 0; k < w.length; k++) {
      u -= w[k]!;
      if (u < 0) return k;
    }
    return w.length - 1;
  });
}

describe('profile bin edges', () => {
  it('counts a value equal to an edge in the bin above it, as the window does', () => {
    const xs = discrete(5000, 3);
    const p = profileNumeric(xs, 10);
    const counts = new Array<number>(10).fill(0);
    for (const x of xs) counts[binIndex(p.edges, x)]!++;
    expect(p.binProportions).toEqual(counts.map((c) => c / xs.length));
    // Edges sit on the integers, so the tie rule matters for every row.
    expect(p.edges.every((e) => Number.isInteger(e))).toBe(true);
  });

  it('small exact case: [1, 1, 2, 2, 3, 3] in 3 bins', () => {
    const p = profileNumeric([1, 1, 2, 2, 3, 3], 3);
    expect(p.edges.length).toBe(2);
    const counts = [0, 0, 0];
    for (const x of [1, 1, 2, 2, 3, 3]) counts[binIndex(p.edges, x)]!++;
    expect(p.binProportions).toEqual(counts.map((c) => c / 6));
  });

  it('PSI of a discrete feature against itself is 0 (and small against a fresh sample of it)', () => {
    const ref = discrete(20_000, 1).map((x) => ({ x }));
    const profile = buildProfile(ref, { features: { x: 'numeric' } });
    const self = detectDrift(profile, ref, { tests: { x: 'psi' } });
    const f = self.features.find((r) => r.feature === 'x') as FeatureDriftResult;
    expect(f.test).toBe('psi');
    expect(f.statistic).toBeCloseTo(0, 12);
    expect(f.drifted).toBe(false);
    const fresh = detectDrift(
      profile,
      discrete(2000, 2).map((x) => ({ x })),
      { tests: { x: 'psi' } },
    ).features.find((r) => r.feature === 'x')!;
    expect(fresh.statistic).toBeLessThan(0.02);
    expect(fresh.drifted).toBe(false);
  });
});
