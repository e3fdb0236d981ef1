/**
 * KS against a large reference with ties and a capped feature, checked against scipy's
 * `ks_2samp` (fixture written by test/fixtures/make-ks-ties.py). The data are regenerated here
 * from core's mulberry32 by the script's arithmetic; their sums are checked against the fixture's
 * first, so a generator that drifted apart fails loudly instead of comparing other data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProfile, createDriftMonitor, detectDrift, type ReferenceProfile } from '../src/index.js';
import { ksPValue } from '../src/stats/ks.js';
import { ksToSketch } from '../src/stats/sketch.js';
import { mulberry32 } from './helpers.js';

interface KsTiesFixture {
  referenceRows: number;
  smallReferenceRows: number;
  windowRows: number;
  shift: number;
  cases: {
    feature: 'capped' | 'integer' | 'age-capped' | 'continuous';
    distinct: number;
    shareAtMax: number;
    referenceSum: number;
    liveSum: number;
    shiftedSum: number;
    scipyFalseAlarmRate: number;
    /** Per window: [D, p] against the 20,000-row reference, then [D, p] against its first 5,000 rows. */
    noShift: [number, number, number, number][];
    shifted: [number, number, number, number][];
  }[];
}
const fx: KsTiesFixture = JSON.parse(readFileSync(new URL('./fixtures/ks-ties.json', import.meta.url), 'utf8'));

const SQRT3 = 1.7320508075688772;

/** One value of a fixture feature, exactly as make-ks-ties.py's `draw`. */
function draw(feature: KsTiesFixture['cases'][number]['feature'], u: () => number, shift: number): number {
  switch (feature) {
    case 'capped': {
      const z = (u() + u() + u() + u() - 2) * SQRT3 + shift;
      return Math.min(Math.floor(z * 100 + 0.5) / 100, 1);
    }
    case 'integer':
      return Math.floor(u() * u() * (12 + 10 * shift));
    case 'age-capped':
      return Math.min(Math.floor(u() * (60 + 20 * shift)), 52);
    case 'continuous':
      return (u() + u() + u() - 1.5) * 2 + shift;
  }
}

function series(feature: KsTiesFixture['cases'][number]['feature'], seed: number, n: number, shift: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => draw(feature, u, shift));
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

interface Prepared {
  c: KsTiesFixture['cases'][number];
  reference: number[];
  live: number[];
  shifted: number[];
  big: ReferenceProfile;
  small: ReferenceProfile;
}

const W = fx.windowRows;
const prepared: Prepared[] = fx.cases.map((c, f) => {
  const reference = series(c.feature, 1000 + f, fx.referenceRows, 0);
  const live = series(c.feature, 2000 + f, c.noShift.length * W, 0);
  const shifted = series(c.feature, 3000 + f, c.shifted.length * W, fx.shift);
  const big = buildProfile({ x: reference }, { features: { x: 'numeric' } });
  const small = buildProfile({ x: reference.slice(0, fx.smallReferenceRows) }, { features: { x: 'numeric' } });
  return { c, reference, live, shifted, big, small };
});

const windowOf = (xs: number[], w: number): number[] => xs.slice(w * W, (w + 1) * W);
const sketch = (profile: ReferenceProfile): Float64Array =>
  Float64Array.from((profile.features.x as { sample: number[] }).sample);

const computed = new Map<string, [number, number][]>();
/** KS of every tumbling window of 1,000 rows through a monitor: [statistic, p-value] per window (computed once per profile and stream). */
function ksOfWindows(profile: ReferenceProfile, xs: number[], windows: number): [number, number][] {
  const key = `${profile.features.x!.count}:${xs.length}:${xs[0]}:${xs[1]}`;
  const hit = computed.get(key);
  if (hit) return hit;
  const out: [number, number][] = [];
  const m = createDriftMonitor({ profile, window: { kind: 'count', size: W }, tests: { x: 'ks' } });
  m.on('windowClosed', (r) => out.push([r.features[0]!.statistic!, r.features[0]!.pValue!]));
  for (let i = 0; i < windows * W; i++) m.observe({ x: xs[i] });
  expect(out).toHaveLength(windows);
  computed.set(key, out);
  return out;
}

describe('KS against a quantile sketch of a large reference, with ties (scipy ks_2samp fixtures)', () => {
  it('regenerates the fixture data bit for bit, with the ties and caps the cases are about', () => {
    for (const p of prepared) {
      expect(sum(p.reference), p.c.feature).toBe(p.c.referenceSum);
      expect(sum(p.live), p.c.feature).toBe(p.c.liveSum);
      expect(sum(p.shifted), p.c.feature).toBe(p.c.shiftedSum);
      expect(new Set(p.reference).size, p.c.feature).toBe(p.c.distinct);
      expect(p.big.features.x).toMatchObject({ sampleExact: false, count: fx.referenceRows });
    }
    const byName = Object.fromEntries(prepared.map((p) => [p.c.feature, p.c]));
    expect(byName.capped!.shareAtMax).toBeGreaterThan(0.15); // a feature capped at its maximum
    expect(byName['age-capped']!.shareAtMax).toBeGreaterThan(0.12);
    expect(byName.integer!.distinct).toBe(12); // heavy ties everywhere
  });

  it('gives a statistic within 0.005 of ks_2samp against 20,000 and 5,000 reference rows (bound 1/(K−1) + 1/N)', () => {
    let worst = 0;
    for (const p of prepared) {
      for (const [profile, col, rows] of [
        [p.big, 0, fx.referenceRows],
        [p.small, 2, fx.smallReferenceRows],
      ] as const) {
        // The no-shift windows against the small reference go to the statistic directly (their exact
        // p-values are slow and checked on the shifted windows below).
        const noShift =
          profile === p.big
            ? ksOfWindows(profile, p.live, p.c.noShift.length).map(([d]) => d)
            : p.c.noShift.map((_, w) => ksToSketch(sketch(profile), Float64Array.from(windowOf(p.live, w)).sort()));
        const got = [...noShift, ...ksOfWindows(profile, p.shifted, p.c.shifted.length).map(([d]) => d)];
        const want = [...p.c.noShift, ...p.c.shifted];
        let dev = 0;
        for (const [i, d] of got.entries()) dev = Math.max(dev, Math.abs(d - want[i]![col]));
        // The documented bound for K = 1,000 sketch points (the default sampleSize).
        expect(dev, `${p.c.feature} vs ${rows} rows`).toBeLessThanOrEqual(1 / 999 + 1 / rows);
        worst = Math.max(worst, dev);
      }
    }
    expect(worst).toBeLessThanOrEqual(0.005);
    console.info(`KS vs scipy ks_2samp: max |D − D_scipy| = ${worst.toFixed(5)} over ${prepared.length * 440} windows`);
  });

  it('raises false alarms in at most 10 % of no-shift windows of 1,000 rows, as scipy does (capped: was 100 %)', () => {
    const rates: string[] = [];
    for (const p of prepared) {
      const got = ksOfWindows(p.big, p.live, p.c.noShift.length);
      const alarms = got.filter(([, pv]) => pv < 0.05).length / got.length;
      expect(alarms, p.c.feature).toBeLessThanOrEqual(0.1);
      // Same decision as scipy's p < 0.05 in nearly every window.
      const agree = got.filter(([, pv], i) => pv < 0.05 === p.c.noShift[i]![1] < 0.05).length / got.length;
      expect(agree, p.c.feature).toBeGreaterThanOrEqual(0.95);
      rates.push(
        `${p.c.feature} ${(alarms * 100).toFixed(1)} % (scipy ${(p.c.scipyFalseAlarmRate * 100).toFixed(1)} %)`,
      );
    }
    console.info(`KS false-alarm rate, no-shift windows of ${W}: ${rates.join(', ')}`);
  });

  it('detects the shifted windows where scipy does, with p-values from the same method at the true sizes', () => {
    // detectDrift reads a batch the way the monitor reads a window.
    const first = prepared[0]!;
    expect(detectDrift(first.big, { x: windowOf(first.shifted, 0) }, { tests: { x: 'ks' } }).features[0]).toMatchObject(
      {
        statistic: ksOfWindows(first.big, first.shifted, first.c.shifted.length)[0]![0],
        pValue: ksOfWindows(first.big, first.shifted, first.c.shifted.length)[0]![1],
      },
    );
    for (const p of prepared) {
      for (const [profile, col] of [
        [p.big, 1],
        [p.small, 3],
      ] as const) {
        const got = ksOfWindows(profile, p.shifted, p.c.shifted.length);
        for (const [i, [d, pv]] of got.entries()) {
          // The p-value is ks_2samp's for this D at the reference's true size (exact below 10,000 rows).
          const n = profile.features.x!.count;
          expect(pv).toBe(ksPValue(d, n, W).pValue);
          const scipyP = p.c.shifted[i]![col];
          if (scipyP < 1e-3) expect(pv, `${p.c.feature} window ${i}`).toBeLessThan(0.05);
          if (scipyP > 0.2) expect(pv, `${p.c.feature} window ${i}`).toBeGreaterThan(0.05);
        }
      }
    }
  });
});

describe('ksToSketch', () => {
  it('compares point masses jump for jump: a sample equal to a tied reference gives 0, not the jump', () => {
    // Reference: 30 % at 0, 70 % spread over (0, 1]; the sketch repeats 0 for the first 30 % of its points.
    const ref = Array.from({ length: 10_000 }, (_, i) => (i < 3000 ? 0 : (i - 2999) / 7001));
    const prof = buildProfile({ x: ref }, { features: { x: 'numeric' } });
    const q = Float64Array.from((prof.features.x as { sample: number[] }).sample);
    const sample = Float64Array.from(ref.filter((_, i) => i % 10 === 0));
    // The old comparison on both sides of each jump read the whole point mass at 0 as a difference.
    expect(ksToSketch(q, sample)).toBeLessThan(0.002);
    // A sample without the point mass differs by exactly its size (to the sketch's resolution).
    const without = Float64Array.from(sample.filter((x) => x > 0));
    expect(ksToSketch(q, without)).toBeCloseTo(0.3, 2);
  });

  it('finds the supremum between points: a one-value sample against a uniform sketch', () => {
    const q = Float64Array.from({ length: 11 }, (_, i) => i / 10); // uniform on [0, 1]
    // F(x) = x; the sample's CDF is 0 below 0.25 and 1 from 0.25: sup |F − Fₙ| = max(0.25, 0.75).
    expect(ksToSketch(q, Float64Array.of(0.25))).toBeCloseTo(0.75, 12);
    expect(ksToSketch(q, Float64Array.of(0.5, 0.5))).toBeCloseTo(0.5, 12);
    // A sample beyond the reference's maximum: F reaches 1 before the sample starts.
    expect(ksToSketch(q, Float64Array.of(2, 3))).toBe(1);
  });
});
