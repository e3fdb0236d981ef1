import { describe, expect, it } from 'vitest';
import {
  buildProfile,
  createDriftMonitor,
  detectDrift,
  type DriftReport,
  type FeatureDriftResult,
} from '../src/index.js';
import { HISTOGRAM_NEW, HISTOGRAM_OTHER } from '../src/report.js';
import { makeRows, mulberry32, normals } from './helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The window's mean bin index (its centre of mass on the profile's bins). */
const centre = (xs: number[]): number => sum(xs.map((x, i) => x * i));

function histogram(f: FeatureDriftResult | undefined): NonNullable<FeatureDriftResult['histogram']> {
  expect(f?.histogram).toBeDefined();
  return f!.histogram!;
}

describe('the reference-against-live histogram of a report', () => {
  const rand = mulberry32(41);
  const ref = makeRows(rand, 3000);
  const profile = buildProfile(ref, {
    features: { x: 'numeric', c: 'categorical' },
    predictions: { type: 'numeric', values: normals(rand, 3000, 10, 2) },
  });
  const px = profile.features.x!;
  if (px.type !== 'numeric') throw new Error('x is numeric');

  it('numeric: the profile’s bins, labelled from its edges, with the shares of each side summing to 1', () => {
    const r = detectDrift(profile, makeRows(mulberry32(42), 1000));
    const hg = histogram(r.features[0]);
    expect(hg.labels).toHaveLength(px.edges.length + 1);
    expect(hg.reference).toEqual(px.binProportions);
    expect(hg.live).toHaveLength(hg.labels.length);
    expect(hg.labels[0]).toBe(`(−∞, ${String(Number(px.edges[0]!.toPrecision(6)))})`);
    expect(hg.labels[1]).toBe(
      `[${String(Number(px.edges[0]!.toPrecision(6)))}, ${String(Number(px.edges[1]!.toPrecision(6)))})`,
    );
    expect(hg.labels.at(-1)).toBe(`[${String(Number(px.edges.at(-1)!.toPrecision(6)))}, ∞)`);
    expect(Math.abs(sum(hg.reference) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(sum(hg.live) - 1)).toBeLessThan(1e-9);
    // An unshifted window spreads over the deciles like the reference.
    for (const x of hg.live) expect(x).toBeGreaterThan(0.05);
  });

  it('numeric: a shifted window moves the live mass to the higher bins, the overflow bin included', () => {
    const same = histogram(detectDrift(profile, makeRows(mulberry32(43), 1000)).features[0]);
    const shifted = histogram(detectDrift(profile, makeRows(mulberry32(43), 1000, 1.5)).features[0]);
    expect(shifted.reference).toEqual(same.reference);
    expect(centre(shifted.live)).toBeGreaterThan(centre(same.live) + 2);
    const half = Math.floor(shifted.live.length / 2);
    expect(sum(shifted.live.slice(half))).toBeGreaterThan(0.85);
    expect(shifted.live.at(-1)!).toBeGreaterThan(0.4); // [last edge, ∞) catches the shifted tail
    expect(shifted.live[0]!).toBeLessThan(0.02);
    expect(Math.abs(sum(shifted.live) - 1)).toBeLessThan(1e-9);
  });

  it('categorical: the 20 largest reference categories, then (other) and (new)', () => {
    // 30 categories with decreasing weights: category k has weight 30 − k.
    const cats = Array.from({ length: 30 }, (_, k) => `k${String(k).padStart(2, '0')}`);
    const weighted = cats.flatMap((c, k) => Array<string>(30 - k).fill(c));
    const pick = (r: () => number, n: number, pool: string[]) =>
      Array.from({ length: n }, () => ({ c: pool[Math.floor(r() * pool.length)]! }));
    const prof = buildProfile(pick(mulberry32(44), 6000, weighted), { features: { c: 'categorical' } });
    const pc = prof.features.c!;
    if (pc.type !== 'categorical') throw new Error('c is categorical');
    // The window: the reference's mix, plus 10 % of values the reference never saw.
    const live = [...pick(mulberry32(45), 900, weighted), ...pick(mulberry32(46), 100, ['zz1', 'zz2', 'zz3'])];
    const f = detectDrift(prof, live).features[0]!;
    const hg = histogram(f);
    expect(hg.labels).toHaveLength(22);
    expect(hg.labels.slice(0, 20)).toEqual(pc.categories.slice(0, 20));
    expect(hg.labels.slice(20)).toEqual([HISTOGRAM_OTHER, HISTOGRAM_NEW]);
    // By decreasing reference share.
    for (let i = 1; i < 20; i++) expect(hg.reference[i]!).toBeLessThanOrEqual(hg.reference[i - 1]!);
    expect(hg.reference.slice(0, 20)).toEqual(pc.proportions.slice(0, 20));
    expect(hg.reference[20]).toBeCloseTo(sum(pc.proportions.slice(20)), 12);
    expect(hg.reference[21]).toBe(0);
    expect(hg.live[21]).toBeCloseTo(0.1, 12);
    const counted = new Map<string, number>();
    for (const { c } of live) counted.set(c, (counted.get(c) ?? 0) + 1);
    for (let i = 0; i < 20; i++) expect(hg.live[i]).toBeCloseTo((counted.get(hg.labels[i]!) ?? 0) / 1000, 12);
    const rest = pc.categories.slice(20).reduce((a, c) => a + (counted.get(c) ?? 0), 0);
    expect(hg.live[20]).toBeCloseTo(rest / 1000, 12);
    expect(Math.abs(sum(hg.reference) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(sum(hg.live) - 1)).toBeLessThan(1e-9);
  });

  it('categorical with at most 20 categories: every category, no (other), then (new)', () => {
    const r = detectDrift(profile, makeRows(mulberry32(47), 500));
    const pc = profile.features.c!;
    if (pc.type !== 'categorical') throw new Error('c is categorical');
    const hg = histogram(r.features[1]);
    expect(hg.labels).toEqual([...pc.categories, HISTOGRAM_NEW]);
    expect(hg.reference).toEqual([...pc.proportions, 0]);
    expect(hg.live.at(-1)).toBe(0);
    expect(Math.abs(sum(hg.live) - 1)).toBeLessThan(1e-9);
  });

  it('the prediction entry has one too, and the shares leave the missing values out', () => {
    const rows = makeRows(mulberry32(48), 600).map((r, i) => (i % 10 === 0 ? { ...r, x: null } : r));
    const r = detectDrift(profile, rows, { predictions: normals(mulberry32(49), 600, 12, 2) });
    const hx = histogram(r.features[0]);
    expect(r.features[0]!.missing).toBe(60);
    expect(Math.abs(sum(hx.live) - 1)).toBeLessThan(1e-9);
    const pp = profile.prediction!;
    if (pp.type !== 'numeric') throw new Error('numeric predictions');
    const hp = histogram(r.prediction);
    expect(hp.labels).toHaveLength(pp.edges.length + 1);
    expect(hp.reference).toEqual(pp.binProportions);
    expect(sum(hp.live.slice(5))).toBeGreaterThan(0.75); // predictions shifted up by one std
    expect(Math.abs(sum(hp.live) - 1)).toBeLessThan(1e-9);
  });

  it('is absent when the window has too little data, and bounded by the bin count in a monitor’s report', () => {
    const thin = detectDrift(profile, makeRows(mulberry32(50), 50));
    expect(thin.features.every((f) => f.status === 'insufficient-data' && f.histogram === undefined)).toBe(true);

    const fine = buildProfile(makeRows(mulberry32(51), 5000), { features: { x: 'numeric' }, bins: 100 });
    const reports: DriftReport[] = [];
    const monitor = createDriftMonitor({ profile: fine, window: { kind: 'count', size: 400 } });
    monitor.on('windowClosed', (rep) => reports.push(rep));
    for (const row of makeRows(mulberry32(52), 400, 0.5)) monitor.observe(row);
    expect(reports).toHaveLength(1);
    const hg = histogram(reports[0]!.features[0]);
    expect(hg.labels).toHaveLength(100);
    expect(Math.abs(sum(hg.live) - 1)).toBeLessThan(1e-9);
    expect(JSON.stringify(hg).length).toBeLessThan(8_000);
  });
});
