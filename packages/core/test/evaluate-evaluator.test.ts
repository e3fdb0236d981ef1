import { describe, expect, it } from 'vitest';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { createEvaluator, evaluate } from '../src/evaluate/evaluator.js';
import { sampleRatioMismatch, sequentialZ, fixedZ, mixtureRho2 } from '../src/evaluate/sequential.js';
import { chiSquaredSf as chiSquaredSurvival, normalCdf, normalQuantile } from '@modelship/stats';
import { isModelshipError } from '../src/errors.js';

/** A variant with `stars[i]` ratings of i+1 stars, one request per rating plus `extraRequests`. */
function variant(
  name: string,
  opts: {
    stars?: number[];
    latencies?: number[];
    errors?: number;
    extraRequests?: number;
    correct?: [number, number];
    pairs?: Array<[number, number]>;
  },
): VariantAggregates {
  const agg = emptyAggregates(name);
  const lat = opts.latencies ?? [250];
  let i = 0;
  const serve = (error = false) => recordPrediction(agg, { latencyMs: lat[i++ % lat.length]!, error, at: 1000 + i });
  (opts.stars ?? []).forEach((n, s) => {
    for (let k = 0; k < n; k++) {
      serve();
      recordFeedback(agg, { rating: s + 1, at: 2000 });
    }
  });
  for (let k = 0; k < (opts.errors ?? 0); k++) serve(true);
  for (let k = 0; k < (opts.extraRequests ?? 0); k++) serve();
  if (opts.correct)
    for (let k = 0; k < opts.correct[1]; k++) recordFeedback(agg, { correct: k < opts.correct[0], at: 2000 });
  for (const [actual, predicted] of opts.pairs ?? []) recordFeedback(agg, { actual, predicted, at: 2000 });
  return agg;
}

function experiment(...vs: VariantAggregates[]): ExperimentAggregates {
  return { schemaVersion: 1, variants: Object.fromEntries(vs.map((v) => [v.variant, v])), since: 0, until: 10_000 };
}

describe('evaluate: metrics', () => {
  it('computes rating, accuracy, MAE, RMSE, error rate and latency quantiles per variant', () => {
    const p = variant('production', {
      stars: [0, 0, 10, 0, 10],
      latencies: [100, 200, 300, 400],
      errors: 2,
      correct: [8, 10],
      pairs: [
        [10, 12],
        [10, 6],
      ],
    });
    const c = variant('candidate', { stars: [0, 0, 0, 10, 0], latencies: [50] });
    const e = evaluate(experiment(p, c));
    const s = e.variants.production!;
    expect(s.ratingMean).toBe(4);
    expect(s.ratingSd).toBeCloseTo(Math.sqrt(20 / 19), 10);
    expect(s.accuracy).toBe(0.8);
    expect(s.mae).toBe(3);
    expect(s.rmse).toBeCloseTo(Math.sqrt(10), 10);
    expect(s.errorRate).toBeCloseTo(2 / 22, 12);
    expect(s.latencyP50! / 200).toBeCloseTo(1, 1);
    expect(s.latencyP99).toBe(400);
    expect(e.comparisons.rating.delta).toBe(0);
    expect(e.comparisons.latencyMean.delta).toBeCloseTo(50 - e.variants.production!.latencyMean!, 10);
    expect(e.variants.candidate!.latencyMean).toBe(50);
    expect(e.issues).toEqual([]);
  });

  it('scores the Bangalore composite (0.7 · rating/5 + 0.3 · (5000 − mean latency)/5000)', () => {
    const p = variant('production', { stars: [0, 0, 0, 100, 0], latencies: [200, 300] });
    const c = variant('candidate', { stars: [0, 0, 0, 0, 100], latencies: [6000] });
    const e = evaluate(experiment(p, c));
    expect(e.variants.production!.composite).toBeCloseTo(0.7 * 0.8 + 0.3 * 0.95, 12);
    expect(e.variants.candidate!.composite).toBeCloseTo(0.7, 12); // latency score clamped at 0
    expect(e.composite.delta).toBeCloseTo(0.7 - 0.845, 12);
    expect(e.composite.relativeDelta).toBeCloseTo((0.7 - 0.845) / 0.845, 12);
  });

  it('accepts a custom composite and rejects bad options naming the field', () => {
    const p = variant('a', { stars: [0, 0, 0, 50, 50] });
    const c = variant('b', { stars: [0, 0, 0, 50, 50] });
    const e = evaluate(experiment(p, c), {
      production: 'a',
      candidate: 'b',
      composite: [{ metric: 'rating', weight: 1, from: 1, to: 5 }],
    });
    expect(e.variants.a!.composite).toBeCloseTo(0.875, 12);
    expect(() => createEvaluator({ alpha: 2 })).toThrow(/alpha/);
    expect(() => createEvaluator({ composite: [{ metric: 'bogus' as never, weight: 1, from: 0, to: 1 }] })).toThrow(
      /composite/,
    );
    expect(() => createEvaluator({ production: 'x', candidate: 'x' })).toThrow(/both "x"/);
  });

  it('is pure: the same aggregates give the same evaluation and are not modified', () => {
    const agg = experiment(
      variant('production', { stars: [1, 2, 3, 4, 5] }),
      variant('candidate', { stars: [5, 4, 3, 2, 1] }),
    );
    const copy = structuredClone(agg);
    const a = evaluate(agg);
    const b = evaluate(structuredClone(agg));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(agg).toEqual(copy);
  });
});

describe('evaluate: intervals', () => {
  it('the fixed interval is the usual z-interval and the sequential one is wider', () => {
    expect(fixedZ(0.05)).toBeCloseTo(1.959964, 5);
    expect(normalCdf(normalQuantile(0.975))).toBeCloseTo(0.975, 6);
    // Documented figures: zSeq = 5.10 at N = 200, 3.04 at N = N* = 5,000.
    expect(sequentialZ(200, 0.05, 5000)).toBeCloseTo(5.1, 2);
    expect(sequentialZ(5000, 0.05, 5000)).toBeCloseTo(3.035, 2);
    expect(sequentialZ(5000, 0.05, 5000)).toBeLessThan(sequentialZ(1000, 0.05, 5000));
    expect(mixtureRho2(0.05, 5000)).toBeCloseTo((-2 * Math.log(0.05) + Math.log(1 - 2 * Math.log(0.05))) / 5000, 12);
    const p = variant('production', { stars: [10, 20, 30, 40, 50] });
    const c = variant('candidate', { stars: [10, 20, 30, 40, 60] });
    const seq = evaluate(experiment(p, c)).comparisons.rating;
    const fix = evaluate(experiment(p, c), { method: 'fixed' }).comparisons.rating;
    expect(seq.delta).toBe(fix.delta);
    expect(fix.ci![1] - fix.ci![0]).toBeCloseTo(2 * 1.959964 * fix.standardError!, 5);
    expect(seq.ci![1] - seq.ci![0]).toBeGreaterThan(fix.ci![1] - fix.ci![0]);
    expect(seq.relativeCi![0]).toBeLessThan(seq.relativeDelta!);
  });

  it('reports a clear winner as better and identical variants as inconclusive', () => {
    const p = variant('production', { stars: [0, 100, 300, 300, 300] });
    const better = variant('candidate', { stars: [0, 0, 100, 300, 600] });
    expect(evaluate(experiment(p, better)).comparisons.rating.verdict).toBe('better');
    expect(evaluate(experiment(p, { ...structuredClone(p), variant: 'candidate' })).comparisons.rating.verdict).toBe(
      'inconclusive',
    );
  });
});

describe('evaluate: sample-ratio mismatch', () => {
  it('matches the χ² goodness of fit and flags 78/22 served for 80/20 configured', () => {
    expect(chiSquaredSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(10.827566170662733, 1)).toBeCloseTo(0.001, 6);
    const ok = sampleRatioMismatch({ p: 8040, c: 1960 }, { p: 80, c: 20 });
    expect(ok.mismatch).toBe(false);
    expect(ok.chiSquared).toBeCloseTo(40 ** 2 / 8000 + 40 ** 2 / 2000, 10);
    const bad = sampleRatioMismatch({ p: 7800, c: 2200 }, { p: 0.8, c: 0.2 }, { tests: 'both' });
    expect(bad.chiSquared).toBeCloseTo(25, 10);
    expect(bad.pValue).toBeLessThan(0.001);
    expect(bad.mismatch).toBe(true);
    expect(bad.flaggedBy).toContain('chi-squared');
    // The default is the sequential test alone (valid under continuous looks).
    expect(sampleRatioMismatch({ p: 7800, c: 2200 }, { p: 0.8, c: 0.2 }).flaggedBy).toEqual(['sequential']);
    expect(sampleRatioMismatch({ p: 7900, c: 2100 }, { p: 0.8, c: 0.2 }).mismatch).toBe(false);
  });

  it('needs at least 8 expected units per arm and has a sequential test', () => {
    expect(sampleRatioMismatch({ p: 30, c: 0 }, { p: 0.8, c: 0.2 }).checked).toBe(false);
    const tiny = sampleRatioMismatch({ p: 0, c: 40 }, { p: 0.8, c: 0.2 }, { tests: 'both' });
    expect(tiny.checked).toBe(true);
    expect(tiny.mismatch).toBe(true);
    const seq = sampleRatioMismatch({ p: 7000, c: 3000 }, { p: 0.8, c: 0.2 }, { tests: 'sequential' });
    expect(seq.flaggedBy).toEqual(['sequential']);
    expect(
      sampleRatioMismatch({ p: 7990, c: 2010 }, { p: 0.8, c: 0.2 }, { tests: 'sequential' }).logBayesFactor,
    ).toBeLessThan(0);
  });

  it('runs inside evaluate when the split is known', () => {
    const agg = experiment(variant('production', { extraRequests: 700 }), variant('candidate', { extraRequests: 300 }));
    expect(evaluate(agg).srm).toBeNull();
    expect(evaluate({ ...agg, weights: { production: 0.8, candidate: 0.2 } }).srm!.mismatch).toBe(true);
    expect(evaluate(agg, { weights: { production: 70, candidate: 30 } }).srm!.mismatch).toBe(false);
  });
});

describe('evaluate: guardrails', () => {
  it('flags a candidate failing 5 % of requests against production 0.1 %', () => {
    const e = evaluate(
      experiment(
        variant('production', { extraRequests: 999, errors: 1 }),
        variant('candidate', { extraRequests: 190, errors: 10 }),
      ),
    );
    const g = e.guardrails.find((x) => x.name === 'errorRate')!;
    expect(g.breached).toBe(true);
    expect(g.message).toMatch(/candidate error rate 5.00 %/);
    const same = evaluate(
      experiment(
        variant('production', { extraRequests: 990, errors: 10 }),
        variant('candidate', { extraRequests: 248, errors: 2 }),
      ),
    );
    expect(same.guardrails.find((x) => x.name === 'errorRate')!.breached).toBe(false);
  });

  it('flags a candidate whose p99 latency is far above production', () => {
    const fast = Array.from({ length: 100 }, (_, i) => 100 + i);
    const slowTail = Array.from({ length: 100 }, (_, i) => (i < 10 ? 2000 : 100 + i));
    const e = evaluate(
      experiment(
        variant('production', { latencies: fast, extraRequests: 1000 }),
        variant('candidate', { latencies: slowTail, extraRequests: 300 }),
      ),
    );
    expect(e.guardrails.find((x) => x.name === 'latencyP99')!.breached).toBe(true);
    const ok = evaluate(
      experiment(
        variant('production', { latencies: fast, extraRequests: 1000 }),
        variant('candidate', { latencies: fast, extraRequests: 300 }),
      ),
    );
    expect(ok.guardrails.find((x) => x.name === 'latencyP99')!.breached).toBe(false);
  });
});

describe('evaluate: bad input', () => {
  it('throws EvaluationError for negative counts and NaN sums, naming the field', () => {
    const p = variant('production', { stars: [1, 1, 1, 1, 1] });
    const c = variant('candidate', { stars: [1, 1, 1, 1, 1] });
    const neg = experiment(p, structuredClone(c));
    neg.variants.candidate!.requests = -1;
    const nan = experiment(p, structuredClone(c));
    nan.variants.candidate!.latency.sum = Number.NaN;
    for (const [bad, field] of [
      [neg, 'variants.candidate.requests'],
      [nan, 'variants.candidate.latency.sum'],
    ] as const) {
      expect(() => evaluate(bad)).toThrow(field);
      try {
        evaluate(bad);
      } catch (err) {
        expect(isModelshipError(err, 'EvaluationError', 'INVALID_AGGREGATES')).toBe(true);
      }
    }
    expect(() => evaluate(null as never)).toThrow(/aggregates: expected an object/);
  });

  it('reports a missing variant and zero traffic as issues, not errors', () => {
    const onlyProd = evaluate(experiment(variant('production', { stars: [0, 0, 0, 10, 0] })));
    expect(onlyProd.issues.map((i) => i.code)).toEqual(['MISSING_VARIANT']);
    expect(onlyProd.composite.delta).toBeNull();
    const zero = evaluate(experiment(emptyAggregates('production'), emptyAggregates('candidate')));
    expect(zero.issues.map((i) => i.code)).toEqual(['NO_TRAFFIC', 'NO_TRAFFIC']);
  });
});
