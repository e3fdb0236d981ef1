/**
 * The guardrails' rules pinned one by one (mutation testing found them loose): which ones run,
 * when each counts as checked, the limits and likelihood ratios they report, the upper confidence
 * bound of production's p99, and the exact messages with their figures.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate/evaluator.js';
import { formatMs } from '../src/evaluate/guardrails.js';
import { betaBinomialLogLR } from '../src/evaluate/sequential.js';
import {
  emptyAggregates,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { histogramCountAbove, histogramQuantile } from '../src/outcomes/latency-histogram.js';

function arm(name: string, n: number, latency: (i: number) => number, errors = 0): VariantAggregates {
  const a = emptyAggregates(name);
  for (let i = 0; i < n; i++) recordPrediction(a, { latencyMs: latency(i), at: 1 });
  a.errors = errors;
  return a;
}

function exp(p: VariantAggregates, c: VariantAggregates): ExperimentAggregates {
  return {
    schemaVersion: 1,
    variants: { production: p, candidate: c },
    since: 0,
    until: 1,
    weights: { production: p.requests || 1, candidate: c.requests || 1 },
  };
}

type Options = Parameters<typeof evaluate>[1];
const guard = (p: VariantAggregates, c: VariantAggregates, name: string, options?: Options) =>
  evaluate(exp(p, c), options).guardrails.find((g) => g.name === name)!;

describe('formatMs', () => {
  it('prints four significant digits, µs below 1 ms, n/a for no figure', () => {
    expect(formatMs(null)).toBe('n/a');
    expect(formatMs(Number.NaN)).toBe('n/a');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('n/a');
    expect(formatMs(0.0061)).toBe('6.100 µs');
    expect(formatMs(0.999)).toBe('999.0 µs');
    expect(formatMs(1)).toBe('1.000 ms');
    expect(formatMs(0)).toBe('0.000 ms');
    expect(formatMs(250)).toBe('250.0 ms');
  });
});

describe('which guardrails run', () => {
  it('all three by default, in order; a disabled one is left out', () => {
    const p = arm('production', 300, () => 100);
    const c = arm('candidate', 100, () => 100);
    expect(evaluate(exp(p, c)).guardrails.map((g) => g.name)).toEqual(['errorRate', 'latencyP99', 'slowRequests']);
    for (const off of ['errorRate', 'latencyP99', 'slowRequests'] as const) {
      const names = evaluate(exp(p, c), { guardrails: { [off]: { enabled: false } } }).guardrails.map((g) => g.name);
      expect(names).not.toContain(off);
      expect(names).toHaveLength(2);
    }
  });
});

describe('error-rate guardrail', () => {
  it('reports the likelihood ratio of the candidate share against π0 = n_c(1+τ) / (n_c(1+τ) + n_p), and the limit', () => {
    const p = arm('production', 800, () => 100, 8);
    const c = arm('candidate', 200, () => 100, 6);
    for (const tau of [0, 0.5, 1]) {
      const g = guard(p, c, 'errorRate', { guardrails: { errorRate: { relativeTolerance: tau } } });
      const w = 200 * (1 + tau);
      expect(g.logLikelihoodRatio).toBeCloseTo(betaBinomialLogLR(6, 14, w / (w + 800), 2, 1), 12);
      expect(g.limit).toBeCloseTo(0.01 * (1 + tau), 12);
      expect(g.threshold).toBeCloseTo(Math.log(100), 12);
      expect([g.production, g.candidate]).toEqual([0.01, 0.03]);
    }
    expect(guard(p, c, 'errorRate', { guardrails: { errorRate: { alpha: 0.05 } } }).threshold).toBeCloseTo(
      Math.log(20),
      12,
    );
  });

  it('prints what it found', () => {
    const breached = guard(
      arm('production', 800, () => 100),
      arm('candidate', 200, () => 100, 4),
      'errorRate',
    );
    expect(breached.breached).toBe(true);
    expect(breached.message).toBe(
      "candidate error rate 2.00 % (4 of 200) exceeds production's 0.00 % (0 of 800) × 1 (likelihood ratio 208 ≥ 100)",
    );
    const fine = guard(
      arm('production', 800, () => 100, 8),
      arm('candidate', 200, () => 100, 2),
      'errorRate',
    );
    expect([fine.checked, fine.breached]).toEqual([true, false]);
    expect(fine.message).toBe('error rate within bounds (candidate 1.00 %, production 1.00 %)');
  });

  it('is checked only when both variants have requests; with none it reports nothing', () => {
    for (const [np, nc] of [
      [0, 50],
      [50, 0],
    ]) {
      const g = guard(
        arm('production', np!, () => 100),
        arm('candidate', nc!, () => 100, nc ? 3 : 0),
        'errorRate',
      );
      expect([g.checked, g.breached, g.logLikelihoodRatio]).toEqual([false, false, 0]);
      expect(g.message).toBe('error rate not checked: a variant has no requests');
    }
    const none = guard(
      arm('production', 50, () => 100),
      arm('candidate', 50, () => 100),
      'errorRate',
    );
    expect([none.checked, none.breached, none.logLikelihoodRatio]).toEqual([true, false, 0]);
  });
});

describe('p99 latency guardrail', () => {
  it('needs minProductionSamples production latencies (200 by default) and one of the candidate', () => {
    const c = arm('candidate', 50, () => 100);
    expect(
      guard(
        arm('production', 199, () => 100),
        c,
        'latencyP99',
      ),
    ).toMatchObject({
      checked: false,
      limit: null,
      message: 'p99 latency not checked: production needs 200 latencies (has 199)',
    });
    expect(
      guard(
        arm('production', 200, () => 100),
        c,
        'latencyP99',
      ).checked,
    ).toBe(true);
    expect(
      guard(
        arm('production', 500, () => 100),
        arm('candidate', 0, () => 100),
        'latencyP99',
      ).checked,
    ).toBe(false);
  });

  it("holds the candidate to max(P × 1.2, P + 100 ms), P production's p99 at its upper bound (rank n(0.99 + 3√(0.99·0.01/n)))", () => {
    const p = arm('production', 1000, (i) => 1 + i); // 1 … 1000 ms
    const c = arm('candidate', 300, () => 50);
    const g = guard(p, c, 'latencyP99');
    const q = 0.99 + 3 * Math.sqrt((0.99 * 0.01) / 1000);
    const P = histogramQuantile(p.latency, q);
    expect(P).toBeGreaterThan(histogramQuantile(p.latency, 0.99));
    expect(g.limit).toBeCloseTo(Math.max(P * 1.2, P + 100), 9);
    expect(g.message).toBe(
      `p99 latency within bounds (candidate ${formatMs(g.candidate)}, production ${formatMs(g.production)}, limit ${formatMs(g.limit)})`,
    );
    // the floor wins for a fast production
    const fast = guard(
      arm('production', 1000, () => 10),
      c,
      'latencyP99',
    );
    expect(fast.limit).toBeCloseTo(histogramQuantile(arm('production', 1000, () => 10).latency, 1) + 100, 9);
  });

  it('breaches when more than 1 % of candidate latencies exceed the limit with confidence, and says so', () => {
    const p = arm('production', 1000, () => 200);
    const slow = (share: number) => arm('candidate', 1000, (i) => (i < share * 1000 ? 2000 : 200));
    const g = guard(p, slow(0.05), 'latencyP99');
    const x = histogramCountAbove(slow(0.05).latency, g.limit!);
    expect(x).toBe(50);
    expect(g.logLikelihoodRatio).toBeCloseTo(betaBinomialLogLR(50, 1000, 0.01), 12);
    expect(g.breached).toBe(true);
    expect(g.message).toBe(
      `candidate p99 latency ${formatMs(g.candidate)} exceeds production's ${formatMs(g.production)} (upper bound ${formatMs(histogramQuantile(p.latency, Math.min(1, 0.99 + 3 * Math.sqrt((0.99 * 0.01) / 1000))))}) × 1.2 and + 100 ms: 50 of 1000 candidate requests (5.00 %, more than 1 % with confidence) slower than ${formatMs(g.limit)}`,
    );
    // at most 1 % above the limit never breaches, however many requests
    const onePct = guard(
      p,
      arm('candidate', 20_000, (i) => (i % 100 === 0 ? 2000 : 200)),
      'latencyP99',
    );
    expect(onePct.breached).toBe(false);
  });
});

describe('slow-request guardrail', () => {
  it('tests the candidate share of requests above 1 s against production, with the limit and message', () => {
    const p = arm('production', 4000, (i) => (i % 100 === 0 ? 1500 : 200)); // 1 %
    const c = arm('candidate', 1000, (i) => (i % 20 === 0 ? 1500 : 200)); // 5 %
    const g = guard(p, c, 'slowRequests');
    expect([g.production, g.candidate, g.limit]).toEqual([0.01, 0.05, 0.01]);
    expect(g.logLikelihoodRatio).toBeCloseTo(betaBinomialLogLR(50, 90, 1000 / 5000, 2, 1), 12);
    expect(g.breached).toBe(true);
    expect(g.message).toBe(
      "candidate requests slower than 1000 ms: 5.00 % (50 of 1000) against production's 1.00 % (40 of 4000) × 1 (likelihood ratio " +
        `${Math.exp(g.logLikelihoodRatio).toPrecision(3)} ≥ 100)`,
    );
    const tol = guard(p, c, 'slowRequests', { guardrails: { slowRequests: { relativeTolerance: 1 } } });
    expect(tol.limit).toBeCloseTo(0.02, 12);
    expect(tol.logLikelihoodRatio).toBeCloseTo(betaBinomialLogLR(50, 90, 2000 / 6000, 2, 1), 12);
    const fine = guard(
      p,
      arm('candidate', 4000, (i) => (i % 100 === 0 ? 1500 : 200)),
      'slowRequests',
    );
    expect(fine.message).toBe('slow requests within bounds (above 1000 ms: candidate 1.00 %, production 1.00 %)');
    const none = guard(
      p,
      arm('candidate', 0, () => 1),
      'slowRequests',
    );
    expect([none.checked, none.message]).toEqual([false, 'slow requests not checked: a variant has no latencies']);
  });
});
