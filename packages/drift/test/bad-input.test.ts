import { describe, expect, it } from 'vitest';
import { buildProfile, createDriftMonitor, detectDrift, parseProfile, type DriftReport } from '../src/index.js';
import { makeRows, mulberry32 } from './helpers.js';

const rand = mulberry32(3);
const profile = buildProfile(makeRows(rand, 2000), { features: { x: 'numeric', c: 'categorical' } });

function monitor(size = 200) {
  const m = createDriftMonitor({ profile, window: { kind: 'count', size }, minSamples: 50 });
  const reports: DriftReport[] = [];
  m.on('windowClosed', (r) => reports.push(r));
  return { m, reports };
}

describe('bad input on the streaming path never throws', () => {
  it('counts NaN, null, undefined, ±Infinity and unparsable strings as missing', () => {
    const { m, reports } = monitor(200);
    const bad = [Number.NaN, null, undefined, Infinity, -Infinity, 'abc', {}, []];
    const rows = makeRows(rand, 200);
    rows.forEach((r, i) => {
      const x = i < 80 ? bad[i % bad.length] : r.x;
      expect(() => m.observe({ x, c: i < 40 ? null : r.c } as Record<string, unknown>)).not.toThrow();
    });
    expect(reports).toHaveLength(1);
    const fx = reports[0]!.features.find((f) => f.feature === 'x')!;
    expect(fx.missing).toBe(80);
    expect(fx.count).toBe(120);
    expect(fx.missingRate).toBeCloseTo(0.4);
    const fc = reports[0]!.features.find((f) => f.feature === 'c')!;
    expect(fc.missing).toBe(40);
  });

  it('counts a category never seen as new and reports it', () => {
    const { m, reports } = monitor(200);
    for (const r of makeRows(rand, 200)) m.observe({ ...r, c: r.c === 'a' ? 'zzz' : r.c });
    const fc = reports[0]!.features.find((f) => f.feature === 'c')!;
    expect(fc.newCategories?.[0]?.[0]).toBe('zzz');
    expect(fc.newCategories?.[0]?.[1]).toBeGreaterThan(20);
    expect(fc.drifted).toBe(true);
  });

  it('reports an empty window as insufficient data', () => {
    const { m } = monitor(200);
    const r = m.report();
    expect(r.summary.verdict).toBe('insufficient-data');
    expect(r.features.every((f) => f.status === 'insufficient-data')).toBe(true);
    const flushed = m.flush();
    expect(flushed.summary.verdict).toBe('insufficient-data');
  });

  it('reports a window below the minimum size as insufficient data', () => {
    const m = createDriftMonitor({ profile, window: { kind: 'count', size: 1000 } });
    for (const r of makeRows(rand, 60)) m.observe(r);
    expect(m.report().summary.verdict).toBe('insufficient-data');
  });

  it('ignores a feature missing from the profile and lists it', () => {
    const { m, reports } = monitor(200);
    for (const r of makeRows(rand, 200)) m.observe({ ...r, extra: 1, other: 'q' });
    expect(reports[0]!.ignoredFeatures.sort()).toEqual(['extra', 'other']);
    expect(reports[0]!.features.map((f) => f.feature).sort()).toEqual(['c', 'x']);
  });

  it('treats a profiled feature absent from the rows as missing, and non-object rows as all-missing', () => {
    const m = createDriftMonitor({
      profile,
      window: { kind: 'count', size: 200 },
      minSamples: 50,
      checks: ['missing-rate'],
    });
    const rows = makeRows(rand, 200);
    for (let i = 0; i < 200; i++)
      m.observe(i % 2 ? ({ c: rows[i]!.c } as Record<string, unknown>) : (null as unknown as Record<string, unknown>));
    const r = m.lastReport!;
    const fx = r.features.find((f) => f.feature === 'x')!;
    expect(fx.status).toBe('insufficient-data');
    expect(fx.missingRate).toBe(1);
    expect(fx.checks?.[0]).toMatchObject({ test: 'missing-rate', drifted: true, statistic: 1 });
    expect(r.features.find((f) => f.feature === 'c')!.missing).toBe(100);
    expect(r.summary.evaluated).toBe(1);
  });

  it('ignores non-finite errors and predictions of the wrong kind', () => {
    const { m } = monitor(200);
    expect(() => {
      m.observeError(Number.NaN);
      m.observeError('x' as unknown as number);
      m.observePrediction({});
    }).not.toThrow();
    expect(m.report().concept!.errors).toBe(0);
  });

  it('keeps going when a listener throws, and logs it', () => {
    const errors: unknown[] = [];
    const m = createDriftMonitor({
      profile,
      window: { kind: 'count', size: 100 },
      minSamples: 50,
      logger: { debug() {}, info() {}, warn() {}, error: (o) => errors.push(o) },
    });
    let closed = 0;
    m.on('windowClosed', () => {
      throw new Error('listener bug');
    });
    m.on('windowClosed', () => closed++);
    expect(() => {
      for (const r of makeRows(rand, 300)) m.observe(r);
    }).not.toThrow();
    expect(closed).toBe(3);
    expect(errors).toHaveLength(3);
  });
});

describe('the non-streaming API validates its options', () => {
  it('throws DriftError naming the field for bad options', () => {
    expect(() => detectDrift(profile, [], { shareThreshold: 2 })).toThrow(/shareThreshold/);
    expect(() => detectDrift(profile, [], { tests: { x: 'nope' as never } })).toThrow(/tests/);
    try {
      buildProfile([], { features: { x: 'number' as never } });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).name).toBe('DriftError');
      expect((err as { code: string }).code).toBe('INVALID_OPTIONS');
      expect((err as Error).message).toMatch(/features/);
    }
  });

  it('throws DriftError for a column absent from the input and for a corrupt profile', () => {
    expect(() => buildProfile({ y: [1, 2] }, { features: { x: 'numeric' } })).toThrow(/column "x"/);
    expect(() => parseProfile({ kind: 'something else' })).toThrow(
      expect.objectContaining({ name: 'DriftError', code: 'INVALID_PROFILE' }),
    );
    expect(() => createDriftMonitor({ profile, window: { kind: 'count', size: 0 } })).toThrow(/size/);
    expect(() => createDriftMonitor({ profile: { nope: 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_PROFILE' }),
    );
  });

  it('returns insufficient data for an empty batch', () => {
    expect(detectDrift(profile, []).summary.verdict).toBe('insufficient-data');
  });
});
