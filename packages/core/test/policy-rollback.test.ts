import { describe, expect, it } from 'vitest';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { evaluate } from '../src/evaluate/evaluator.js';
import { createRollbackPolicy, recomputeDecision } from '../src/policy/rollback-policy.js';
import { isModelshipError } from '../src/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);

/** One request per rating (`stars[i]` ratings of i+1 stars), latencies cycling, then `errors` failed requests. */
function variant(name: string, stars: number[], latencies: number[], errors = 0, extra = 0): VariantAggregates {
  const agg = emptyAggregates(name);
  let i = 0;
  stars.forEach((n, s) => {
    for (let k = 0; k < n; k++) {
      recordPrediction(agg, { latencyMs: latencies[i++ % latencies.length]!, at: T0 + i });
      recordFeedback(agg, { rating: s + 1, at: T0 + i });
    }
  });
  for (let k = 0; k < errors; k++) recordPrediction(agg, { latencyMs: latencies[0]!, error: true, at: T0 });
  for (let k = 0; k < extra; k++) recordPrediction(agg, { latencyMs: latencies[0]!, at: T0 });
  return agg;
}

function experiment(
  p: VariantAggregates,
  c: VariantAggregates,
  weights = { production: 0.8, candidate: 0.2 },
): ExperimentAggregates {
  return { schemaVersion: 1, variants: { production: p, candidate: c }, since: T0, until: T0 + 7 * DAY, weights };
}

/** The Bangalore week: production 800 requests rated 4.0 at 250 ms, candidate 200 rated 4.2 at 200 ms. */
function bangaloreWeek(): ExperimentAggregates {
  const prod = variant('production', [16, 60, 160, 236, 328], [200, 300]); // mean 4.0, sd ≈ 1.0
  const cand = variant('candidate', [2, 10, 33, 56, 99], [150, 250]); // mean 4.2, sd ≈ 0.9
  return experiment(prod, cand);
}

const policy = createRollbackPolicy();

describe('RollbackPolicy: the Bangalore week', () => {
  it('does not promote a +0.031 composite (below the +0.05 threshold); holds once the week is over', () => {
    const agg = bangaloreWeek();
    const e = evaluate(agg);
    expect(e.variants.production!.ratingMean).toBe(4);
    expect(e.variants.candidate!.ratingMean).toBeCloseTo(4.2, 12);
    expect(e.variants.production!.latencyMean).toBe(250);
    expect(e.variants.candidate!.latencyMean).toBe(200);
    expect(e.composite.production).toBeCloseTo(0.845, 12);
    expect(e.composite.candidate).toBeCloseTo(0.876, 12);
    expect(e.composite.delta).toBeCloseTo(0.031, 12);
    expect(e.srm!.mismatch).toBe(false);

    const midWeek = policy.decide(e, { startedAt: T0, now: T0 + 6 * DAY });
    expect(midWeek.action).toBe('continue');
    expect(midWeek.reasons.map((r) => r.code)).toEqual(['INCONCLUSIVE']);
    expect(midWeek.reasons[0]!.message).toMatch(/composite 0\.8450 → 0\.8760 \(delta \+0\.0310, 3\.7 %/);
    expect(midWeek.reasons[0]!.message).toMatch(/promote needs delta ≥ \+0\.05/);

    const endOfWeek = policy.decide(e, { startedAt: T0, now: T0 + 7 * DAY });
    expect(endOfWeek.action).toBe('hold');
    expect(endOfWeek.reasons.map((r) => r.code)).toEqual(['INCONCLUSIVE', 'MAX_DURATION']);
  });

  it('promotes the same week when the candidate is clearly better, with the reasons', () => {
    const agg = experiment(
      variant('production', [16, 60, 160, 236, 328], [200, 300]),
      variant('candidate', [0, 2, 12, 50, 136], [150, 250]),
    );
    const d = policy.decide(evaluate(agg), { startedAt: T0, now: T0 + 6 * DAY });
    expect(d.action).toBe('promote');
    expect(d.reasons.map((r) => r.code)).toEqual(['COMPOSITE_BETTER']);
    expect((d.evidence.composite as { delta: number }).delta).toBeGreaterThan(0.05);
  });
});

describe('RollbackPolicy: verdicts', () => {
  const prod = () => variant('production', [16, 60, 160, 236, 328], [250]);

  it('rolls back a candidate more than 20 % worse with confidence', () => {
    const worse = variant('candidate', [40, 60, 60, 30, 10], [250]);
    const d = policy.decide(evaluate(experiment(prod(), worse)), { startedAt: T0, now: T0 + HOUR });
    expect(d.action).toBe('rollback');
    expect(d.reasons[0]!.code).toBe('COMPOSITE_WORSE');
  });

  it('rolls back on an error-rate guardrail breach before the minimum duration and sample size', () => {
    const failing = variant('candidate', [0, 0, 0, 8, 8], [250], 6);
    const d = policy.decide(
      evaluate(experiment(variant('production', [0, 0, 0, 40, 40], [250]), failing, { production: 80, candidate: 22 })),
      { startedAt: T0, now: T0 + 60_000 },
    );
    expect(d.action).toBe('rollback');
    expect(d.reasons.map((r) => r.code)).toEqual(['GUARDRAIL_ERROR_RATE']);
  });

  it('rolls back on a sample-ratio mismatch', () => {
    const d = policy.decide(evaluate(experiment(prod(), variant('candidate', [2, 10, 33, 56, 99], [250], 0, 200))), {
      startedAt: T0,
      now: T0 + DAY,
    });
    expect(d.action).toBe('rollback');
    expect(d.reasons[0]!.code).toBe('SRM');
    expect(d.reasons[0]!.message).toMatch(/served candidate 400 \/ production 800/);
  });

  it('waits for the minimum samples and duration before a composite verdict', () => {
    const small = experiment(
      variant('production', [0, 0, 0, 40, 40], [250]),
      variant('candidate', [10, 10, 0, 0, 0], [250]),
    );
    const d = policy.decide(evaluate(small), { startedAt: T0, now: T0 + 60_000 });
    expect(d.action).toBe('continue');
    expect(d.reasons.map((r) => r.code)).toEqual(['MIN_SAMPLES', 'MIN_DURATION']);
  });

  it('ramps when configured and safe, respecting the cool-down', () => {
    const ramping = createRollbackPolicy({ rampSteps: [0.2, 0.5, 0.8] });
    const agg = bangaloreWeek();
    const d = ramping.decide(evaluate(agg), { startedAt: T0, now: T0 + DAY, rampStep: 0 });
    expect(d.action).toBe('ramp');
    expect(d.evidence.nextWeight).toBe(0.5);
    const cooling = ramping.decide(evaluate(agg), {
      startedAt: T0,
      now: T0 + DAY,
      rampStep: 0,
      lastDecisionAt: T0 + DAY - 60_000,
    });
    expect(cooling.action).toBe('continue');
    expect(cooling.reasons.map((r) => r.code)).toContain('COOLDOWN');
    expect(ramping.decide(evaluate(agg), { startedAt: T0, now: T0 + DAY, rampStep: 2 }).action).toBe('continue');
  });

  it('validates options and context, naming the field', () => {
    expect(() => createRollbackPolicy({ promoteThreshold: -1 })).toThrow(/promoteThreshold/);
    expect(() => createRollbackPolicy({ rampSteps: [0.5, 0.2] })).toThrow(/rampSteps must increase/);
    expect(() => createRollbackPolicy({ bogus: 1 } as never)).toThrow(/bogus/);
    let err: unknown;
    try {
      policy.decide(evaluate(bangaloreWeek()), { startedAt: T0, now: T0 - 1 });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'EvaluationError', 'INVALID_POLICY')).toBe(true);
    expect((err as Error).message).toMatch(/now is before startedAt/);
  });
});

describe('RollbackPolicy: bad input never promotes or rolls back', () => {
  it('a missing variant, zero traffic or one-sided data gives "insufficient data"', () => {
    const ctx = { startedAt: T0, now: T0 + DAY };
    const missing: ExperimentAggregates = {
      schemaVersion: 1,
      variants: { production: variant('production', [0, 0, 0, 100, 100], [250]) },
      since: T0,
      until: T0,
    };
    const zero: ExperimentAggregates = {
      schemaVersion: 1,
      variants: { production: emptyAggregates('production'), candidate: emptyAggregates('candidate') },
      since: T0,
      until: T0,
    };
    const noRatings = experiment(
      variant('production', [0, 0, 0, 100, 100], [250]),
      variant('candidate', [], [250], 0, 50),
      { production: 0.8, candidate: 0.2 },
    );
    for (const agg of [missing, zero, noRatings]) {
      const d = policy.decide(evaluate(agg), ctx);
      expect(d.action).toBe('continue');
      expect(['INSUFFICIENT_DATA', 'MIN_SAMPLES']).toContain(d.reasons[0]!.code);
    }
    expect(policy.decide(evaluate(zero), { startedAt: T0, now: T0 + 8 * DAY }).action).toBe('hold');
  });

  it('unusable feedback sums never promote: the metric is named and the decision waits', () => {
    const agg = bangaloreWeek();
    agg.variants.candidate!.feedback.ratingCount = -5;
    const e = evaluate(agg);
    expect(e.unusable.map((u) => u.field)).toEqual(['feedback.ratingCount']);
    const d = policy.decide(e, { startedAt: T0, now: T0 + DAY });
    expect(d.action).toBe('continue');
    expect(d.reasons[0]!.message).toMatch(/variant "candidate": feedback\.ratingCount = -5 is unusable/);
    const nan = bangaloreWeek();
    nan.variants.production!.feedback.ratingSumSq = Number.NaN;
    expect(evaluate(nan).unusable.map((u) => `${u.variant}.${u.field}`)).toEqual(['production.feedback.ratingSumSq']);
    const negRequests = bangaloreWeek();
    negRequests.variants.candidate!.requests = -1;
    expect(() => evaluate(negRequests)).toThrow(/variants\.candidate\.requests/);
  });
});

describe('RollbackPolicy: replay', () => {
  it('the decision record recomputes the same decision, also after a JSON round trip', () => {
    const ramping = createRollbackPolicy({ rampSteps: [0.2, 0.5], minSamples: 50 });
    for (const agg of [
      bangaloreWeek(),
      experiment(
        variant('production', [16, 60, 160, 236, 328], [250]),
        variant('candidate', [40, 60, 60, 30, 10], [250]),
      ),
    ]) {
      const d = ramping.decide(evaluate(agg, { alpha: 0.1 }), { startedAt: T0, now: T0 + DAY, rampStep: 0 });
      const again = recomputeDecision(JSON.parse(JSON.stringify(d.record)));
      expect(again.action).toBe(d.action);
      expect(again.reasons).toEqual(d.reasons);
      expect(JSON.stringify(again.evidence)).toBe(JSON.stringify(d.evidence));
      expect(d.record!.evaluatorOptions.alpha).toBe(0.1);
      expect(d.record!.policyOptions.minSamples).toBe(50);
    }
  });
});

describe('RollbackPolicy: replay rejects incomplete records', () => {
  const record = () => {
    const d = policy.decide(evaluate(bangaloreWeek()), { startedAt: T0, now: T0 + DAY });
    return JSON.parse(JSON.stringify(d.record)) as Record<string, unknown>;
  };
  const errorOf = (r: unknown) => {
    try {
      recomputeDecision(r as never);
    } catch (err) {
      expect(isModelshipError(err, 'EvaluationError', 'INVALID_POLICY')).toBe(true);
      return (err as Error).message;
    }
    return 'no error';
  };

  it('rejects an unknown schema version, a missing part and missing options, never filling in defaults', () => {
    expect(errorOf({ ...record(), schemaVersion: 99 })).toBe(
      'recomputeDecision: schemaVersion: unsupported decision record schema version 99 (this build reads 1)',
    );
    const { policyOptions: _p, ...noPolicy } = record();
    expect(errorOf(noPolicy)).toMatch(
      /^recomputeDecision: policyOptions: missing: a decision record carries every input/,
    );
    const partial = record();
    delete (partial.policyOptions as Record<string, unknown>).minSamples;
    expect(errorOf(partial)).toMatch(/^recomputeDecision: policyOptions\.minSamples: missing from the record/);
    const nested = record();
    delete (nested.evaluatorOptions as { guardrails: { errorRate: Record<string, unknown> } }).guardrails.errorRate
      .alpha;
    expect(errorOf(nested)).toMatch(/evaluatorOptions\.guardrails\.errorRate\.alpha: missing from the record/);
    expect(errorOf({ ...record(), context: 'x' })).toMatch(/context: expected an object, got string/);
    expect(errorOf(null)).toMatch(/record: expected a decision record, got null/);
    expect(recomputeDecision(record() as never).action).toBe('continue');
  });
});
