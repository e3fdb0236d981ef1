/**
 * What the report checks by default besides the distribution test — the missing rate of every
 * feature and unseen categories — and how the summary separates dataset drift (a share of
 * features) from feature alarms (any feature at high severity); detectDrift's input types.
 */
import { isModelshipError, Table } from '@modelship/core';
import { normalSf } from '@modelship/stats';
import { describe, expect, it } from 'vitest';
import {
  buildProfile,
  createDriftMonitor,
  DEFAULT_THRESHOLDS,
  detectDrift,
  renderDriftReport,
  type DriftReport,
  type FeatureDriftResult,
  type ReferenceProfile,
} from '../src/index.js';
import { missingRateTest } from '../src/feature-tests.js';
import { makeRows, mulberry32, normals } from './helpers.js';

const check = (f: FeatureDriftResult, test: string) => f.checks?.find((c) => c.test === test);
const feature = (r: DriftReport, name: string) => r.features.find((f) => f.feature === name)!;

/** 200 tumbling windows of 1,000 rows through one monitor with default options. */
function windows(profile: ReferenceProfile, make: (rand: () => number) => Record<string, unknown>, seed: number) {
  const m = createDriftMonitor({ profile, window: { kind: 'count', size: 1000 } });
  const reports: DriftReport[] = [];
  m.on('windowClosed', (r) => reports.push(r));
  const rand = mulberry32(seed);
  for (let i = 0; i < 200 * 1000; i++) m.observe(make(rand));
  return reports;
}

describe('the missing rate is checked by default', () => {
  const rand = mulberry32(11);
  // Reference: x never missing, y missing in 10 % of 20,000 rows.
  const ref = normals(rand, 20_000).map((x, i) => ({ x, y: i % 10 === 0 ? null : normals(rand, 1)[0]! }));
  const profile = buildProfile(ref, { features: { x: 'numeric', y: 'numeric' } });
  const row = (rand: () => number, xMissing: number, yMissing: number) => ({
    x: rand() < xMissing ? null : normals(rand, 1)[0]!,
    y: rand() < yMissing ? Number.NaN : normals(rand, 1)[0]!,
  });

  it('flags 20 % of a feature’s values set missing in ≥ 95 % of 200 windows of 1,000 rows, as a feature alarm', () => {
    const reports = windows(profile, (r) => row(r, 0.2, 0.1), 1);
    expect(reports).toHaveLength(200);
    const flagged = reports.filter((r) => check(feature(r, 'x'), 'missing-rate')?.drifted).length / 200;
    const alarms = reports.filter((r) => r.summary.featureAlarms.includes('x')).length / 200;
    const verdicts = reports.filter((r) => r.summary.verdict === 'drift').length / 200;
    expect(flagged).toBeGreaterThanOrEqual(0.95);
    expect(alarms).toBeGreaterThanOrEqual(0.95);
    expect(verdicts).toBeGreaterThanOrEqual(0.95);
    // The distribution test itself does not move: this is a feature alarm, not dataset drift.
    expect(reports.filter((r) => r.summary.datasetDrift).length / 200).toBeLessThanOrEqual(0.05);
    // 10 % → 20 % on y is flagged as well.
    const yReports = windows(profile, (r) => row(r, 0, 0.2), 2);
    const yFlagged = yReports.filter((r) => check(feature(r, 'y'), 'missing-rate')?.drifted).length / 200;
    expect(yFlagged).toBeGreaterThanOrEqual(0.95);
    console.info(
      `missing 0 → 20 %: flagged in ${(flagged * 100).toFixed(1)} % of windows; 10 → 20 %: ${(yFlagged * 100).toFixed(1)} %`,
    );
  });

  it('stays quiet at the reference’s missing rate (no false alarm in 200 windows)', () => {
    const reports = windows(profile, (r) => row(r, 0, 0.1), 3);
    const flagged = reports.filter((r) => r.features.some((f) => check(f, 'missing-rate')?.drifted)).length;
    expect(flagged).toBe(0);
    expect(reports.filter((r) => r.summary.verdict === 'drift').length / 200).toBeLessThanOrEqual(0.05);
  });

  it('is a one-sided pooled two-proportion z-test with a minimum increase of 0.05', () => {
    expect(DEFAULT_THRESHOLDS['missing-rate']).toBe(0.05);
    // Reference 100 missing of 1,000; window 60 of 300: Δ = 0.1, pooled 160/1300.
    const pooled = 160 / 1300;
    const z = 0.1 / Math.sqrt(pooled * (1 - pooled) * (1 / 300 + 1 / 1000));
    const t = missingRateTest(100, 1000, 60, 300);
    expect(t.statistic).toBeCloseTo(0.1, 15);
    expect(t.pValue).toBeCloseTo(normalSf(z), 15);
    // A decrease is never significant; no missing values anywhere is no evidence.
    expect(missingRateTest(100, 1000, 10, 300).pValue).toBeGreaterThan(0.5);
    expect(missingRateTest(0, 1000, 0, 300)).toEqual({ statistic: 0, pValue: 1 });

    // x evenly over [0, 20,000) whatever n, `missing` of them evenly spread set missing: only the missing rate differs.
    const rows = (n: number, missing: number) =>
      Array.from({ length: n }, (_, i) => ({
        x: Math.floor(((i + 1) * missing) / n) > Math.floor((i * missing) / n) ? null : (i * 20_000) / n,
      }));
    const prof = buildProfile(rows(20_000, 0), { features: { x: 'numeric' } });
    // 4.9 % is significant but below the minimum effect; flagged from 5 % (low), medium from 7.5 %, high from 12.5 %.
    const at = (missing: number) => check(detectDrift(prof, rows(1000, missing)).features[0]!, 'missing-rate')!;
    expect(at(49)).toMatchObject({ drifted: false, severity: 'none', threshold: 0.05, alpha: 0.05 });
    expect(at(51)).toMatchObject({ drifted: true, severity: 'low' });
    expect(at(74)).toMatchObject({ drifted: true, severity: 'low' });
    expect(at(76)).toMatchObject({ drifted: true, severity: 'medium' });
    expect(at(124)).toMatchObject({ drifted: true, severity: 'medium' });
    expect(at(126)).toMatchObject({ drifted: true, severity: 'high' });
    expect(detectDrift(prof, rows(1000, 124)).summary).toMatchObject({ featureAlarms: [], verdict: 'no-drift' });
    expect(detectDrift(prof, rows(1000, 126)).summary).toMatchObject({ featureAlarms: ['x'], verdict: 'drift' });
    // Past the minimum effect but not significant in a small window: 36 missing of 100 against 30 % (z ≈ 1.3).
    const prof30 = buildProfile(rows(20_000, 6000), { features: { x: 'numeric' } });
    const small = check(detectDrift(prof30, rows(100, 36), { minSamples: 50 }).features[0]!, 'missing-rate')!;
    expect(small.statistic).toBeCloseTo(0.06, 12);
    expect(small.pValue).toBeGreaterThan(0.05);
    expect(small).toMatchObject({ drifted: false, severity: 'none' });
  });

  it('is configurable: minimum increase, level, turned off, or replaced through `checks`', () => {
    // x evenly over [0, 20,000) whatever n, `missing` of them evenly spread set missing: only the missing rate differs.
    const rows = (n: number, missing: number) =>
      Array.from({ length: n }, (_, i) => ({
        x: Math.floor(((i + 1) * missing) / n) > Math.floor((i * missing) / n) ? null : (i * 20_000) / n,
      }));
    // Reference 3 % missing, window 9 %: Δ = 0.06, z ≈ 10.4, p ≈ 1e-25.
    const prof = buildProfile(rows(20_000, 600), { features: { x: 'numeric' } });
    const live = rows(1000, 90);
    expect(check(detectDrift(prof, live).features[0]!, 'missing-rate')!.drifted).toBe(true);
    expect(
      check(detectDrift(prof, live, { missingRate: { minIncrease: 0.1 } }).features[0]!, 'missing-rate'),
    ).toMatchObject({
      drifted: false,
      threshold: 0.1,
    });
    expect(
      check(detectDrift(prof, live, { missingRate: { alpha: 1e-30 } }).features[0]!, 'missing-rate'),
    ).toMatchObject({ drifted: false, alpha: 1e-30 });
    expect(detectDrift(prof, live, { missingRate: false }).features[0]!.checks).toBeUndefined();
    const viaChecks = detectDrift(prof, live, { checks: [{ test: 'missing-rate', threshold: 0.2 }] }).features[0]!;
    expect(viaChecks.checks!.map((c) => [c.test, c.threshold])).toEqual([['missing-rate', 0.2]]);
    expect(() => detectDrift(prof, live, { missingRate: { minIncrease: 2 } })).toThrow(/missingRate/);
  });
});

describe('unseen categories are flagged by default', () => {
  const cats = (rand: () => number, n: number, other: string, share: number) =>
    Array.from({ length: n }, () => ({ c: rand() < share ? other : ['a', 'b', 'c', 'd'][Math.floor(rand() * 4)]! }));
  const profile = buildProfile(cats(mulberry32(4), 20_000, 'a', 0), { features: { c: 'categorical' } });

  it('flags a share of at least 1 % in categories the reference never saw, high from 2.5 %', () => {
    expect(DEFAULT_THRESHOLDS['new-categories']).toBe(0.01);
    const rand = mulberry32(5);
    const exact = (unseen: number) => [
      ...Array.from({ length: unseen }, (_, i) => ({ c: `new-${i % 3}` })),
      ...cats(rand, 1000 - unseen, 'a', 0),
    ];
    const at = (unseen: number) => check(detectDrift(profile, exact(unseen)).features[0]!, 'new-categories')!;
    expect(at(9)).toMatchObject({ drifted: false, severity: 'none' });
    expect(at(10)).toMatchObject({ drifted: true, severity: 'low', threshold: 0.01, alpha: 0.05 });
    expect(at(10).statistic).toBeCloseTo(0.01, 15);
    // p = (n / (n + N))^U: U = 10 unseen among n = 1,000 against N = 20,000 reference values.
    expect(at(10).pValue).toBeCloseTo((1000 / 21_000) ** 10, 25);
    expect(at(15)).toMatchObject({ drifted: true, severity: 'medium' });
    expect(at(25)).toMatchObject({ drifted: true, severity: 'high' });
    const r = detectDrift(profile, exact(25));
    expect(r.summary.featureAlarms).toEqual(['c']);
    expect(r.summary.verdict).toBe('drift');
    expect(r.features[0]!.newCategories).toEqual([
      ['new-0', 9],
      ['new-1', 8],
      ['new-2', 8],
    ]);
    expect(renderDriftReport(r)).toMatch(/new-categories=0\.02500 \(high\).*\n.*feature alarms: c/);
  });

  it('does not flag unseen categories a small reference could have missed by chance', () => {
    const tiny = buildProfile(cats(mulberry32(6), 50, 'a', 0), { features: { c: 'categorical' } });
    // 5 % unseen, but (1000 / 1050)^50 = 0.087: a category that common is missed by 50 rows 8.7 % of the time.
    const f = detectDrift(tiny, cats(mulberry32(7), 1000, 'zz', 0.05)).features[0]!;
    expect(check(f, 'new-categories')!.statistic).toBeGreaterThan(0.04);
    expect(check(f, 'new-categories')!.drifted).toBe(false);
  });

  it('is configurable and never flags no-shift windows', () => {
    const live = cats(mulberry32(8), 1000, 'zz', 0.05);
    expect(detectDrift(profile, live, { newCategories: false }).features[0]!.checks!.map((c) => c.test)).toEqual([
      'missing-rate',
    ]);
    expect(
      check(detectDrift(profile, live, { newCategories: { minShare: 0.1 } }).features[0]!, 'new-categories')!.drifted,
    ).toBe(false);
    const reports = windows(profile, (r) => cats(r, 1, 'a', 0)[0]!, 9);
    expect(reports.filter((r) => r.summary.verdict === 'drift').length).toBe(0);
  });
});

describe('the summary separates dataset drift from feature alarms', () => {
  const names = Array.from({ length: 10 }, (_, i) => `f${i}`);
  const rowsOf = (rand: () => number, n: number, shifts: Record<string, number>) =>
    Array.from({ length: n }, () => Object.fromEntries(names.map((f) => [f, normals(rand, 1, shifts[f] ?? 0)[0]!])));
  const profile = buildProfile(rowsOf(mulberry32(12), 5000, {}), {
    features: Object.fromEntries(names.map((f) => [f, 'numeric' as const])),
  });

  it('raises a feature alarm, and verdict drift, for a single feature at high severity', () => {
    const r = detectDrift(profile, rowsOf(mulberry32(13), 1000, { f3: 0.6 }));
    expect(feature(r, 'f3')).toMatchObject({ test: 'wasserstein', drifted: true, severity: 'high' });
    expect(r.summary).toMatchObject({
      drifted: 1,
      shareDrifted: 0.1,
      shareThreshold: 0.5,
      datasetDrift: false,
      featureAlarms: ['f3'],
      verdict: 'drift',
    });
    expect(renderDriftReport(r)).toMatch(/Verdict: drift — 1\/10 features drifted .*feature alarms: f3/);
  });

  it('raises no alarm for one feature below high severity (verdict no-drift), and dataset drift from half the features', () => {
    // Normed Wasserstein ≈ 0.15: drifted at medium severity (high from 2.5 × 0.1).
    const medium = detectDrift(profile, rowsOf(mulberry32(14), 1000, { f3: 0.17 }));
    const f3 = feature(medium, 'f3');
    expect(f3.drifted).toBe(true);
    expect(f3.statistic!).toBeLessThan(0.25);
    expect(medium.summary).toMatchObject({ datasetDrift: false, featureAlarms: [], verdict: 'no-drift' });
    const shifts = Object.fromEntries(names.slice(0, 5).map((f) => [f, 0.17]));
    const half = detectDrift(profile, rowsOf(mulberry32(15), 1000, shifts));
    expect(half.summary).toMatchObject({ drifted: 5, datasetDrift: true, featureAlarms: [], verdict: 'drift' });
  });

  it('emits driftDetected for a feature alarm alone', () => {
    const m = createDriftMonitor({ profile, window: { kind: 'count', size: 1000 } });
    const seen: DriftReport[] = [];
    m.on('driftDetected', (r) => seen.push(r));
    for (const r of rowsOf(mulberry32(16), 1000, {})) m.observe(r);
    for (const r of rowsOf(mulberry32(17), 1000, { f7: -0.6 })) m.observe(r);
    expect(seen.map((r) => [r.window.index, r.summary.datasetDrift, r.summary.featureAlarms])).toEqual([
      [1, false, ['f7']],
    ]);
  });
});

describe('detectDrift input', () => {
  const rand = mulberry32(21);
  const ref = makeRows(rand, 3000);
  const live = makeRows(rand, 600, 0.3).map((r, i) => ({ ...r, x: i % 7 === 0 ? null : r.x, extra: i }));

  it('accepts core’s Table and reads it like the same rows', () => {
    const profile = buildProfile(Table.fromRows(ref), { features: { x: 'numeric', c: 'categorical' } });
    expect(profile).toEqual(buildProfile(ref, { features: { x: 'numeric', c: 'categorical' } }));
    const now = new Date(0);
    const fromTable = detectDrift(profile, Table.fromRows(live), { now });
    expect(fromTable).toEqual(detectDrift(profile, live, { now }));
    expect(fromTable.window.rows).toBe(600);
    expect(feature(fromTable, 'x').missing).toBe(86);
    expect(fromTable.ignoredFeatures).toEqual(['extra']);
    expect(fromTable.summary.verdict).toBe('drift');
  });

  it('throws DriftError INVALID_INPUT on input of the wrong type', () => {
    const profile = buildProfile(ref, { features: { x: 'numeric', c: 'categorical' } });
    const bad: unknown[] = [
      'rows',
      42,
      null,
      undefined,
      new Map([['x', [1]]]),
      { x: 5 },
      { x: 'abc' },
      [1, 2],
      [null],
      [[1]],
    ];
    for (const input of bad) {
      try {
        detectDrift(profile, input as never);
        expect.unreachable(`accepted ${String(input)}`);
      } catch (err) {
        expect(isModelshipError(err, 'DriftError', 'INVALID_INPUT'), String(err)).toBe(true);
        expect((err as Error).message).toMatch(/^detectDrift: /);
      }
    }
    expect(() => detectDrift(profile, [{ x: 1 }, 7] as never)).toThrow(
      /row 1: expected an object of fields, got number/,
    );
    expect(() => buildProfile({ x: 3 } as never, { features: { x: 'numeric' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
