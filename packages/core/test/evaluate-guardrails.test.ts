import { describe, expect, it } from 'vitest';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { createEvaluator, evaluate } from '../src/evaluate/evaluator.js';
import { formatMs } from '../src/evaluate/guardrails.js';
import { betaBinomialLogLR } from '../src/evaluate/sequential.js';
import { createRollbackPolicy } from '../src/policy/rollback-policy.js';

function arm(name: string, n: number, latency: (i: number) => number, fb?: (i: number) => object): VariantAggregates {
  const a = emptyAggregates(name);
  for (let i = 0; i < n; i++) {
    recordPrediction(a, { latencyMs: latency(i), at: 1 });
    if (fb) recordFeedback(a, { ...fb(i), at: 1 });
  }
  return a;
}

function exp(p: VariantAggregates, c: VariantAggregates): ExperimentAggregates {
  return {
    schemaVersion: 1,
    variants: { production: p, candidate: c },
    since: 0,
    until: 1,
    weights: { production: p.requests, candidate: c.requests },
  };
}

const guard = (e: ReturnType<typeof evaluate>, name: string) => e.guardrails.find((g) => g.name === name)!;

describe('guardrail defaults (pinned)', () => {
  it('has the documented defaults', () => {
    const o = createEvaluator().options;
    expect(o.composite).toBe('auto');
    expect(o.srm).toEqual({ alpha: 0.001, minExpected: 8, concentration: 1000, tests: 'sequential' });
    expect(o.guardrails).toEqual({
      errorRate: { enabled: true, relativeTolerance: 0, alpha: 0.01 },
      latencyP99: { enabled: true, relativeTolerance: 0.2, minIncreaseMs: 100, alpha: 0.01, minProductionSamples: 200 },
      slowRequests: { enabled: true, thresholdMs: 1000, relativeTolerance: 0, alpha: 0.01 },
    });
  });

  it('the error-rate test breaches at 4 candidate errors against none (20 % split), 5 against one, not 3', () => {
    // Beta(2, 1) mixture against π0 = 0.2: LR(4 of 4) = 208, LR(5 of 6) = 139, LR(3 of 3) = 50.
    expect(Math.exp(betaBinomialLogLR(4, 4, 0.2, 2, 1))).toBeCloseTo(208.33, 1);
    expect(Math.exp(betaBinomialLogLR(5, 6, 0.2, 2, 1))).toBeCloseTo(139.5, 0);
    const mk = (cErr: number, pErr: number) => {
      const p = arm('production', 800, () => 100);
      const c = arm('candidate', 200, () => 100);
      p.errors = pErr;
      c.errors = cErr;
      return guard(evaluate(exp(p, c)), 'errorRate');
    };
    expect(mk(4, 0).breached).toBe(true);
    expect(mk(3, 0).breached).toBe(false);
    expect(mk(5, 1).breached).toBe(true);
    expect(mk(4, 1).breached).toBe(false);
    expect(mk(4, 0).message).toMatch(
      /candidate error rate 2\.00 % \(4 of 200\) exceeds production's 0\.00 % \(0 of 800\)/,
    );
  });
});

describe('latency guardrails', () => {
  it('does not roll back a 6 µs → 70 µs p99 (below the 100 ms floor), and prints the real figures', () => {
    const p = arm(
      'production',
      2000,
      (i) => 0.003 + (i % 100) * 0.00003,
      () => ({ rating: 4 }),
    );
    const c = arm(
      'candidate',
      500,
      (i) => 0.04 + (i % 100) * 0.0003,
      () => ({ rating: 5 }),
    );
    const e = evaluate(exp(p, c));
    const g = guard(e, 'latencyP99');
    expect(g.checked).toBe(true);
    expect(g.breached).toBe(false);
    expect(g.message).toMatch(
      /^p99 latency within bounds \(candidate \d\d\.\d\d µs, production \d\.\d\d\d µs, limit 100\.0 ms\)$/,
    );
    expect(g.limit!).toBeGreaterThan(100);
    expect(formatMs(0.0061)).toBe('6.100 µs');
    expect(formatMs(1234.5)).toBe('1235 ms');
    const d = createRollbackPolicy({ minDurationMs: 0 }).decide(e, { startedAt: 0, now: 1 });
    expect(d.action).toBe('promote');
  });

  it('breaches only when the candidate is worse by both the ratio (× 1.2) and the floor (+ 100 ms)', () => {
    const p = arm('production', 1000, (i) => 200 + (i % 100));
    // + 120 ms but only × 1.4: both → breach.
    expect(
      guard(
        evaluate(
          exp(
            p,
            arm('candidate', 300, () => 420),
          ),
        ),
        'latencyP99',
      ).breached,
    ).toBe(true);
    // × 1.3 but only + 90 ms: the floor holds → no breach.
    const q = arm('production', 1000, () => 300);
    expect(
      guard(
        evaluate(
          exp(
            q,
            arm('candidate', 300, () => 390),
          ),
        ),
        'latencyP99',
      ).breached,
    ).toBe(false);
    // + 120 ms but × 1.12 of a 1 s p99: the ratio holds → no breach.
    const r = arm('production', 1000, () => 999);
    expect(
      guard(
        evaluate(
          exp(
            r,
            arm('candidate', 300, () => 1120),
          ),
        ),
        'slowRequests',
      ).breached,
    ).toBe(true);
    expect(
      guard(
        evaluate(
          exp(
            r,
            arm('candidate', 300, () => 1120),
          ),
        ),
        'latencyP99',
      ).breached,
    ).toBe(false);
    const msg = guard(
      evaluate(
        exp(
          p,
          arm('candidate', 300, () => 600),
        ),
      ),
      'latencyP99',
    ).message;
    expect(msg).toMatch(
      /candidate p99 latency 600\.\d ms exceeds production's 29\d\.\d ms .* × 1\.2 and \+ 100 ms: 300 of 300/,
    );
  });

  it('the slow-request guardrail catches 0.5 % of requests at 5–10 s, and never a tail production has too', () => {
    const p = arm('production', 8000, (i) => 200 + (i % 50));
    const c = arm('candidate', 2000, (i) => (i % 200 === 0 ? 5000 + i : 200 + (i % 50)));
    const g = guard(evaluate(exp(p, c)), 'slowRequests');
    expect(g.breached).toBe(true);
    expect(g.message).toMatch(
      /slower than 1000 ms: 0\.500 % \(10 of 2000\) against production's 0\.00 % \(0 of 8000\)/,
    );
    expect(guard(evaluate(exp(p, c)), 'latencyP99').breached).toBe(false);
    const tailP = arm('production', 8000, (i) => (i % 50 === 0 ? 3000 : 200));
    const tailC = arm('candidate', 2000, (i) => (i % 50 === 0 ? 3000 : 200));
    expect(guard(evaluate(exp(tailP, tailC)), 'slowRequests').breached).toBe(false);
  });
});

describe('the automatic composite', () => {
  it('scores actual values only: error score 1 − MAE / (2 × production MAE), promoted with default settings', () => {
    const p = arm(
      'production',
      800,
      () => 100,
      (i) => ({ actual: 10, predicted: 10 + (i % 2 ? 1 : -1) }),
    );
    const c = arm(
      'candidate',
      200,
      () => 100,
      (i) => ({ actual: 10, predicted: 10 + (i % 2 ? 0.5 : -0.5) }),
    );
    const e = evaluate(exp(p, c));
    expect(e.issues).toEqual([]);
    expect(e.compositeComponents).toEqual([
      { metric: 'mae', weight: 0.7, from: 2, to: 0 },
      { metric: 'latencyMean', weight: 0.3, from: 5000, to: 0 },
    ]);
    expect(e.variants.production!.composite).toBeCloseTo(0.7 * 0.5 + 0.3 * 0.98, 12);
    expect(e.variants.candidate!.composite).toBeCloseTo(0.7 * 0.75 + 0.3 * 0.98, 12);
    const d = createRollbackPolicy().decide(e, { startedAt: 0, now: 3_600_000 });
    expect(d.action).toBe('promote');
    // With the training error as reference (artifact.metrics.mae): scores relative to it.
    const ref = evaluate(exp(p, c), { errorReference: 2 });
    expect(ref.compositeComponents[0]).toEqual({ metric: 'mae', weight: 0.7, from: 4, to: 0 });
  });

  it('uses the Bangalore formula when ratings are present, accuracy for correct flags, and mixes without ratings', () => {
    const p = arm(
      'production',
      100,
      () => 100,
      (i) => ({ rating: 4, correct: i % 2 === 0, actual: 1, predicted: 2 }),
    );
    const c = arm(
      'candidate',
      100,
      () => 100,
      (i) => ({ rating: 5, correct: i % 4 !== 0, actual: 1, predicted: 1.5 }),
    );
    expect(evaluate(exp(p, c)).compositeComponents.map((x) => [x.metric, x.weight])).toEqual([
      ['rating', 0.7],
      ['latencyMean', 0.3],
    ]);
    const p2 = arm(
      'production',
      100,
      () => 100,
      (i) => ({ correct: i % 2 === 0, actual: 1, predicted: 2 }),
    );
    const c2 = arm(
      'candidate',
      100,
      () => 100,
      (i) => ({ correct: i % 4 !== 0, actual: 1, predicted: 1.5 }),
    );
    const e = evaluate(exp(p2, c2));
    expect(e.compositeComponents.map((x) => [x.metric, x.weight])).toEqual([
      ['mae', 0.35],
      ['accuracy', 0.35],
      ['latencyMean', 0.3],
    ]);
    expect(e.variants.candidate!.composite).toBeCloseTo(0.35 * 0.75 + 0.35 * 0.75 + 0.3 * 0.98, 12);
    const none = evaluate(
      exp(
        arm('production', 100, () => 100),
        arm('candidate', 100, () => 100),
      ),
    );
    expect(none.issues.map((i) => i.code)).toEqual(['NO_COMPOSITE']);
    expect(none.compositeComponents).toEqual([]);
  });
});
