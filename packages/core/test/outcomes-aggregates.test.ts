import { describe, expect, it } from 'vitest';
import {
  emptyAggregates,
  mergeAggregates,
  mergeExperimentAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { parseExperimentAggregates, variantAggregatesSchema } from '../src/outcomes/aggregates-schema.js';
import {
  emptyHistogram,
  histogramCountAbove,
  histogramMean,
  histogramQuantile,
  histogramQuantiles,
  mergeHistograms,
  recordLatency,
} from '../src/outcomes/latency-histogram.js';
import { mulberry32 } from '../src/data/random.js';
import { isModelshipError } from '../src/errors.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function randomEvents(
  seed: number,
  n: number,
): Array<{
  latencyMs: number;
  error: boolean;
  rating?: number | undefined;
  correct?: boolean | undefined;
  actual?: number | undefined;
  predicted: number;
  at: number;
}> {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({
    latencyMs: Math.exp(4 + rng() * 3),
    error: rng() < 0.05,
    rating: rng() < 0.7 ? 1 + Math.floor(rng() * 5) : undefined,
    correct: rng() < 0.5 ? rng() < 0.8 : undefined,
    actual: rng() < 0.3 ? rng() * 100 : undefined,
    predicted: rng() * 100,
    at: 1_700_000_000_000 + i * 1000,
  }));
}

function recordAll(agg: VariantAggregates, events: ReturnType<typeof randomEvents>): VariantAggregates {
  for (const e of events) {
    recordPrediction(agg, { latencyMs: e.latencyMs, error: e.error, at: e.at });
    if (e.rating !== undefined || e.correct !== undefined || e.actual !== undefined) {
      recordFeedback(agg, {
        at: e.at,
        ...(e.rating !== undefined ? { rating: e.rating } : {}),
        ...(e.correct !== undefined ? { correct: e.correct } : {}),
        ...(e.actual !== undefined ? { actual: e.actual, predicted: e.predicted } : {}),
      });
    }
  }
  return agg;
}

/** Compare with a relative tolerance for floating sums (the order of additions differs). */
function expectSameAggregates(a: VariantAggregates, b: VariantAggregates): void {
  const round = (x: unknown): unknown =>
    typeof x === 'number'
      ? Number(x.toPrecision(12))
      : Array.isArray(x)
        ? x.map(round)
        : x && typeof x === 'object'
          ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round(v)]))
          : x;
  expect(round(a)).toEqual(round(b));
}

describe('latency histogram', () => {
  it('reports quantiles within 1 % of the exact sample quantiles', () => {
    const rng = mulberry32(7);
    const h = emptyHistogram();
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = Math.exp(3 + 1.5 * (rng() + rng() + rng() - 1.5));
      xs.push(x);
      recordLatency(h, x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(xs, q);
      expect(Math.abs(histogramQuantile(h, q) - exact) / exact).toBeLessThanOrEqual(0.0101);
    }
    expect(histogramQuantiles(h, [0.5, 0.99, 0.95])).toEqual([
      histogramQuantile(h, 0.5),
      histogramQuantile(h, 0.99),
      histogramQuantile(h, 0.95),
    ]);
    expect(histogramMean(h)).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 6);
    expect(histogramQuantile(h, 0)).toBe(xs[0]);
    expect(histogramQuantile(h, 1)).toBe(xs[xs.length - 1]);
  });

  it('stores only non-empty buckets and survives a JSON round trip', () => {
    const h = emptyHistogram();
    for (const x of [0, 0.0005, 10, 10.01, 1000]) recordLatency(h, x);
    expect(h.zeroCount).toBe(2);
    expect(Object.values(h.bins).every((n) => n > 0)).toBe(true);
    expect(Object.keys(h.bins).length).toBeLessThanOrEqual(3);
    const back = JSON.parse(JSON.stringify(h));
    expect(back).toEqual(h);
    expect(histogramQuantile(back, 0.99)).toBe(histogramQuantile(h, 0.99));
    expect(histogramCountAbove(h, 500)).toBe(1);
    expect(histogramCountAbove(h, 5)).toBe(3);
  });

  it('rejects negative, NaN and infinite latencies with a clear error', () => {
    const h = emptyHistogram();
    for (const bad of [-1, Number.NaN, Infinity]) {
      expect(() => recordLatency(h, bad)).toThrow(/latencyMs: expected a finite number ≥ 0/);
    }
    expect(h.count).toBe(0);
  });

  it('refuses to merge histograms with different schemes', () => {
    expect(() => mergeHistograms(emptyHistogram(), emptyHistogram({ relativeAccuracy: 0.02 }))).toThrow(
      /differ in scheme/,
    );
  });
});

describe('variant aggregates', () => {
  it('records predictions and feedback into sums', () => {
    const agg = emptyAggregates('candidate', { modelVersion: '3' });
    recordPrediction(agg, { latencyMs: 100, at: 10 });
    recordPrediction(agg, { latencyMs: 300, error: true, timeout: true, at: 5 });
    recordFeedback(agg, { rating: 4, correct: true, actual: 10, predicted: 12, at: 20 });
    recordFeedback(agg, { rating: 2, correct: false });
    expect(agg).toMatchObject({
      variant: 'candidate',
      modelVersion: '3',
      requests: 2,
      errors: 1,
      timeouts: 1,
      fallbacks: 0,
      firstSeen: 5,
    });
    expect(agg.feedback).toMatchObject({
      count: 2,
      ratingCount: 2,
      ratingSum: 6,
      ratingSumSq: 20,
      correctCount: 1,
      correctTotal: 2,
      actualCount: 1,
      errorSum: 2,
      absErrorSum: 2,
      sqErrorSum: 4,
      sqErrorSumSq: 16,
    });
    expect(agg.latency.count).toBe(2);
    expect(variantAggregatesSchema.safeParse(JSON.parse(JSON.stringify(agg))).success).toBe(true);
  });

  it('rejects non-finite feedback and an actual without a prediction', () => {
    const agg = emptyAggregates('x');
    expect(() => recordFeedback(agg, { rating: Number.NaN })).toThrow(/rating: expected a finite number/);
    expect(() => recordFeedback(agg, { actual: 3 })).toThrow(/predicted/);
    expect(agg.feedback.count).toBe(0);
  });

  it('merging two halves equals recording everything in one process', () => {
    const events = randomEvents(11, 3000);
    const whole = recordAll(emptyAggregates('v'), events);
    const a = recordAll(emptyAggregates('v'), events.slice(0, 1234));
    const b = recordAll(emptyAggregates('v'), events.slice(1234));
    const merged = mergeAggregates(a, b);
    expectSameAggregates(merged, whole);
    expect(merged.latency.bins).toEqual(whole.latency.bins);
    expect(histogramQuantile(merged.latency, 0.99)).toBe(histogramQuantile(whole.latency, 0.99));
  });

  it('merge is commutative and associative and leaves its inputs untouched', () => {
    const events = randomEvents(12, 900);
    const [x, y, z] = [0, 1, 2].map((i) => recordAll(emptyAggregates('v'), events.slice(i * 300, (i + 1) * 300)));
    const xCopy = structuredClone(x!);
    expectSameAggregates(mergeAggregates(x!, y!), mergeAggregates(y!, x!));
    expectSameAggregates(mergeAggregates(mergeAggregates(x!, y!), z!), mergeAggregates(x!, mergeAggregates(y!, z!)));
    expect(x).toEqual(xCopy);
    expect(() => mergeAggregates(x!, emptyAggregates('other'))).toThrow(
      /cannot merge aggregates of variant "v" with "other"/,
    );
  });

  it('merges experiment aggregates from two replicas by variant', () => {
    const e1: ExperimentAggregates = {
      schemaVersion: 1,
      variants: { p: recordAll(emptyAggregates('p'), randomEvents(1, 50)) },
      since: 100,
      until: 200,
      weights: { p: 80, c: 20 },
    };
    const e2: ExperimentAggregates = {
      schemaVersion: 1,
      variants: {
        p: recordAll(emptyAggregates('p'), randomEvents(2, 50)),
        c: recordAll(emptyAggregates('c'), randomEvents(3, 10)),
      },
      since: 50,
      until: 150,
      weights: { p: 80, c: 20 },
    };
    const m = mergeExperimentAggregates(e1, e2);
    expect(m.since).toBe(50);
    expect(m.until).toBe(200);
    expect(m.variants.p!.requests).toBe(100);
    expect(m.variants.c!.requests).toBe(10);
    expect(m.weights).toEqual({ p: 80, c: 20 });
    expect(parseExperimentAggregates(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  it('parseExperimentAggregates names the bad field', () => {
    const good: ExperimentAggregates = { schemaVersion: 1, variants: { p: emptyAggregates('p') }, since: 0, until: 1 };
    const negative = structuredClone(good);
    negative.variants.p!.requests = -3;
    const nan = structuredClone(good);
    nan.variants.p!.feedback.ratingSum = Number.NaN;
    const tooManyErrors = structuredClone(good);
    tooManyErrors.variants.p!.errors = 2;
    for (const [bad, field] of [
      [negative, 'variants.p.requests'],
      [nan, 'variants.p.feedback.ratingSum'],
      [tooManyErrors, 'variants.p.errors'],
    ] as const) {
      let err: unknown;
      try {
        parseExperimentAggregates(bad);
      } catch (e) {
        err = e;
      }
      expect(isModelshipError(err, 'EvaluationError', 'INVALID_AGGREGATES')).toBe(true);
      expect((err as Error).message).toContain(field);
    }
  });
});
