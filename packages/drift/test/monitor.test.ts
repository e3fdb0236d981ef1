import { describe, expect, it } from 'vitest';
import {
  buildProfile,
  createDriftMonitor,
  detectDrift,
  ksTwoSample,
  parseProfile,
  profileToJSON,
  renderDriftReport,
  wasserstein,
  type DriftReport,
} from '../src/index.js';
import { makeRows, mulberry32, normals } from './helpers.js';

const rand = mulberry32(5);
const small = buildProfile(makeRows(rand, 800), { features: { x: 'numeric', c: 'categorical' } });
const large = buildProfile(makeRows(rand, 5000), {
  features: { x: 'numeric', c: 'categorical' },
  predictions: { type: 'numeric', values: normals(rand, 5000, 10, 2) },
});

describe('reference profile', () => {
  it('is compact JSON that round-trips through the artifact field', () => {
    const json = profileToJSON(large);
    expect(JSON.stringify(json).length).toBeLessThan(60_000);
    const back = parseProfile(JSON.parse(JSON.stringify(json)));
    expect(back).toEqual(large);
    const x = back.features.x!;
    expect(x.type).toBe('numeric');
    if (x.type === 'numeric') {
      expect(x.edges).toHaveLength(9);
      expect(x.binProportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(x.sample).toHaveLength(1000);
      expect(x.sampleExact).toBe(false);
      expect(Math.abs(x.mean)).toBeLessThan(0.1);
      expect(x.std).toBeCloseTo(1, 1);
    }
  });
});

describe('default tests follow Evidently’s rule', () => {
  it('uses KS and chi-square up to 1,000 reference rows, Wasserstein and Jensen–Shannon above', () => {
    const rows = makeRows(rand, 500);
    const a = detectDrift(small, rows);
    expect(a.features.map((f) => f.test)).toEqual(['ks', 'chisquare']);
    const b = detectDrift(large, rows);
    expect(b.features.map((f) => f.test)).toEqual(['wasserstein', 'jensenshannon']);
    const binary = buildProfile(makeRows(rand, 500, 0, ['yes', 'no']), { features: { c: 'categorical' } });
    expect(detectDrift(binary, makeRows(rand, 300, 0, ['yes', 'no'])).features[0]!.test).toBe('ztest');
  });

  it('profile-based KS and Wasserstein equal the raw two-sample values when the profile keeps every reference value', () => {
    const ref = makeRows(mulberry32(21), 700);
    const prof = buildProfile(ref, { features: { x: 'numeric' } });
    const live = makeRows(mulberry32(22), 400, 0.2);
    const raw = ksTwoSample(
      ref.map((r) => r.x),
      live.map((r) => r.x),
    );
    const r = detectDrift(prof, live);
    expect(r.features[0]).toMatchObject({ test: 'ks', statistic: raw.statistic, pValue: raw.pValue });
    const w = detectDrift(prof, live, { tests: { x: 'wasserstein' } }).features[0]!.statistic!;
    const std = (prof.features.x as { std: number }).std;
    expect(w).toBeCloseTo(
      wasserstein(
        ref.map((q) => q.x),
        live.map((q) => q.x),
      ) / std,
      12,
    );
  });

  it('lets a feature override its test and threshold', () => {
    const r = detectDrift(large, makeRows(rand, 1000, 0.3), {
      tests: { x: { test: 'psi', threshold: 0.05 }, c: 'chisquare' },
    });
    expect(r.features[0]).toMatchObject({ test: 'psi', threshold: 0.05, drifted: true });
    expect(r.features[1]!.test).toBe('chisquare');
  });

  it('detects a shift and not its absence, and reports extra checks', () => {
    const none = detectDrift(small, makeRows(rand, 1000));
    expect(none.summary.verdict).toBe('no-drift');
    const shifted = detectDrift(small, makeRows(rand, 1000, 0.5, ['a', 'a', 'b', 'c']), {
      checks: ['mean-shift', 'psi', 'new-categories'],
    });
    expect(shifted.summary).toMatchObject({ verdict: 'drift', datasetDrift: true, drifted: 2, shareDrifted: 1 });
    expect(shifted.features[0]!.severity).toBe('high');
    // The default checks (missing rate on every feature, unseen categories on categorical ones) come first.
    expect(shifted.features[0]!.checks?.map((c) => c.test)).toEqual(['missing-rate', 'mean-shift', 'psi']);
    expect(shifted.features[1]!.checks?.map((c) => c.test)).toEqual(['missing-rate', 'new-categories', 'psi']);
    expect(renderDriftReport(shifted)).toMatch(/Verdict: drift — 2\/2 features drifted/);
  });

  it('applies Bonferroni and Benjamini–Hochberg corrections to p-values', () => {
    const rows = makeRows(rand, 300, 0.15);
    const raw = detectDrift(small, rows);
    const bonf = detectDrift(small, rows, { correction: 'bonferroni' });
    const bh = detectDrift(small, rows, { correction: 'benjamini-hochberg' });
    const p = raw.features.map((f) => f.pValue!);
    expect(bonf.features.map((f) => f.pValueAdjusted)).toEqual(p.map((x) => Math.min(1, 2 * x)));
    const [lo, hi] = p[0]! < p[1]! ? [0, 1] : [1, 0];
    expect(bh.features[hi]!.pValueAdjusted).toBeCloseTo(p[hi]!, 15);
    expect(bh.features[lo]!.pValueAdjusted).toBeCloseTo(Math.min(2 * p[lo]!, p[hi]!), 15);
    expect(bonf.summary.correction).toBe('bonferroni');
  });
});

describe('streaming windows', () => {
  it('tumbling count windows emit driftDetected and driftCleared when a window closes', () => {
    const m = createDriftMonitor({ profile: large, window: { kind: 'count', size: 500, mode: 'tumbling' } });
    const events: string[] = [];
    m.on('driftDetected', (r) => events.push(`drift#${r.window.index}`));
    m.on('driftCleared', (r) => events.push(`cleared#${r.window.index}`));
    for (const r of makeRows(rand, 1000)) m.observe(r);
    for (const r of makeRows(rand, 1000, 1, ['d'])) m.observe(r);
    for (const r of makeRows(rand, 500)) m.observe(r);
    expect(events).toEqual(['drift#2', 'drift#3', 'cleared#4']);
    expect(m.lastReport!.window).toMatchObject({ kind: 'count', mode: 'tumbling', size: 500, rows: 500, index: 4 });
  });

  it('sliding count windows re-evaluate the last N rows every step rows', () => {
    const m = createDriftMonitor({ profile: large, window: { kind: 'count', size: 400, mode: 'sliding', step: 100 } });
    const reports: DriftReport[] = [];
    m.on('windowClosed', (r) => reports.push(r));
    for (const r of makeRows(rand, 400)) m.observe(r);
    for (const r of makeRows(rand, 400, 2)) m.observe(r);
    expect(reports).toHaveLength(5);
    expect(reports.map((r) => r.window.rows)).toEqual([400, 400, 400, 400, 400]);
    const w = reports.map((r) => r.features[0]!.statistic!);
    // The Wasserstein distance grows as shifted rows replace old ones.
    expect(w[0]).toBeLessThan(0.1);
    for (let i = 1; i < w.length; i++) expect(w[i]!).toBeGreaterThan(w[i - 1]!);
    expect(w[4]).toBeCloseTo(2, 0);
    expect(reports[4]!.features[0]!.count).toBe(400);
  });

  it('time windows close by the injected clock', () => {
    let now = 1_000_000;
    const m = createDriftMonitor({
      profile: large,
      window: { kind: 'time', ms: 60_000 },
      clock: () => now,
      random: mulberry32(1),
    });
    const reports: DriftReport[] = [];
    m.on('windowClosed', (r) => reports.push(r));
    for (const r of makeRows(rand, 300)) {
      m.observe(r);
      now += 100;
    }
    expect(reports).toHaveLength(0);
    now += 60_000;
    m.tick();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.window).toMatchObject({ kind: 'time', ms: 60_000, rows: 300 });
    expect(reports[0]!.summary.verdict).toBe('no-drift');
    expect(m.report().window.rows).toBe(0);
  });

  it('time windows keep exact counts and moments beyond the reservoir sample', () => {
    const now = 0;
    const m = createDriftMonitor({
      profile: large,
      window: { kind: 'time', ms: 1000, maxSample: 100 },
      clock: () => now,
      random: mulberry32(3),
      checks: ['mean-shift'],
    });
    const rows = makeRows(rand, 5000, 0.5);
    for (const r of rows) m.observe(r);
    const rep = m.report();
    const x = rep.features[0]!;
    expect(x.count).toBe(5000);
    expect(x.drifted).toBe(true);
    const mean = rows.reduce((a, r) => a + r.x, 0) / rows.length;
    const refMean = (large.features.x as { mean: number }).mean;
    expect(x.checks!.find((c) => c.test === 'mean-shift')!.statistic).toBeCloseTo(
      Math.abs(mean - refMean) / Math.abs(refMean),
      6,
    );
  });

  it('watches the prediction distribution and the error stream', () => {
    const m = createDriftMonitor({ profile: large, window: { kind: 'count', size: 500 } });
    const concept: string[] = [];
    m.on('conceptDriftDetected', (e) => concept.push(e.detector));
    const rows = makeRows(rand, 500);
    const preds = normals(rand, 500, 12, 2);
    for (const [i, r] of rows.entries()) m.observe(r, preds[i]);
    const r = m.lastReport!;
    expect(r.prediction).toMatchObject({ feature: 'prediction', test: 'wasserstein', drifted: true });
    expect(r.summary.predictionDrift).toBe(true);
    expect(r.summary.datasetDrift).toBe(false);
    for (const e of normals(rand, 2000, 0.2, 0.05)) m.observeError(Math.abs(e));
    for (const e of normals(rand, 2000, 2, 0.05)) m.observeError(Math.abs(e));
    expect(concept).toContain('page-hinkley');
    expect(concept).toContain('adwin');
    expect(m.report().concept!.errors).toBe(4000);
  });
});
