import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEEDBACK_LIMITS,
  emptyAggregates,
  MAX_FEEDBACK_MAGNITUDE,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { feedbackLimits, trainingTargetSd } from '../src/outcomes/feedback-limits.js';
import { evaluate } from '../src/evaluate/evaluator.js';
import { createRollbackPolicy } from '../src/policy/rollback-policy.js';
import { isModelshipError } from '../src/errors.js';
import { mulberry32 } from '../src/data/random.js';

function thrown(fn: () => unknown): Error & { code?: string; details?: { field?: string } } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

function finiteEverywhere(a: VariantAggregates): boolean {
  const nums = [...Object.values(a.feedback), a.latency.sum, a.latency.sumSq];
  return nums.every((x) => Number.isFinite(x));
}

describe('bounded feedback', () => {
  it('rejects { actual: 1e78 } and { actual: 1e308 } naming the field and the range, recording nothing', () => {
    const agg = emptyAggregates('candidate');
    for (const actual of [1e78, 1e308, -1e200]) {
      const before = structuredClone(agg);
      const err = thrown(() => recordFeedback(agg, { actual, predicted: 2.5 }));
      expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect(err.message).toBe(
        `recordFeedback: actual: expected a number in the plausible range [-1e+15, 1e+15], received ${actual}`,
      );
      expect(err.details?.field).toBe('actual');
      expect(agg).toEqual(before);
    }
    expect(() => recordFeedback(agg, { rating: 1e200 })).toThrow(
      /rating: expected a finite number in \[-1e\+15, 1e\+15\]/,
    );
    expect(() => recordFeedback(agg, { actual: 1, predicted: 1e200 })).toThrow(/predicted: expected a number in/);
    // The documented bound: 2^53 records of the largest error keep the fourth-power sum finite.
    expect((2 * MAX_FEEDBACK_MAGNITUDE) ** 4 * 2 ** 53).toBeLessThan(Number.MAX_VALUE);
  });

  it('derives a plausible range from the artifact metrics (100 target standard deviations of the prediction)', () => {
    // r2 = 1 − mse / var(y): rmse 0.5 at r2 0.75 means a target sd of 1.
    expect(trainingTargetSd({ rmse: 0.5, r2: 0.75 })).toBeCloseTo(1, 12);
    expect(trainingTargetSd({ rmse: 2 })).toBe(2);
    expect(trainingTargetSd({ mae: 1 })).toBeCloseTo(Math.sqrt(Math.PI / 2), 12);
    expect(trainingTargetSd({ accuracy: 0.9 })).toBeUndefined();
    const limits = feedbackLimits({ artifact: { metrics: { rmse: 0.5, r2: 0.75 } } });
    expect(limits.maxAbsError).toBeCloseTo(100, 10);
    expect(feedbackLimits()).toEqual(DEFAULT_FEEDBACK_LIMITS);
    expect(feedbackLimits({ spread: 10, artifact: { metrics: { rmse: 0.5, r2: 0.75 } } }).maxAbsError).toBeCloseTo(
      10,
      10,
    );
    const agg = emptyAggregates('candidate');
    recordFeedback(agg, { actual: 90, predicted: 2 }, limits);
    const err = thrown(() => recordFeedback(agg, { actual: 1e78, predicted: 2 }, limits));
    expect(err.message).toMatch(
      /actual: expected a number in the plausible range \[-1e\+15, 1e\+15\], received 1e\+78/,
    );
    expect(() => recordFeedback(agg, { actual: 150, predicted: 2 }, limits)).toThrow(
      /actual: expected a number within 100 of the prediction 2, i\.e\. in the plausible range \[-98, 102\], received 150/,
    );
    expect(agg.feedback.actualCount).toBe(1);
    expect(() => feedbackLimits({ actualMin: 5, actualMax: 1 })).toThrow(
      /actualMax: expected a number above actualMin/,
    );
    expect(() => feedbackLimits({ spread: 0 })).toThrow(/spread: expected a positive number/);
  });

  it('fuzz: 10,000 random finite feedback values leave every aggregate finite and evaluate decides', () => {
    const rng = mulberry32(11);
    const prod = emptyAggregates('production');
    const cand = emptyAggregates('candidate');
    // Finite doubles of every magnitude: a random sign, mantissa and decimal exponent in [-300, 308].
    const anyFinite = () => (rng() < 0.5 ? -1 : 1) * rng() * 10 ** Math.floor(rng() * 608 - 300);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const agg = i % 2 ? cand : prod;
      recordPrediction(agg, { latencyMs: 100 + (i % 50), at: 1 + i });
      const kind = i % 4;
      const fb =
        kind === 0
          ? { rating: anyFinite() }
          : kind === 1
            ? { actual: anyFinite(), predicted: anyFinite() }
            : kind === 2
              ? { actual: anyFinite(), predicted: rng() * 10 }
              : { rating: 1 + Math.floor(rng() * 5), actual: 5 + rng(), predicted: 5 };
      try {
        recordFeedback(agg, { ...fb, at: 1 + i });
        accepted++;
      } catch (err) {
        expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
        expect((err as Error).message).toMatch(/(rating|actual|predicted): expected a/);
      }
      expect(finiteEverywhere(agg)).toBe(true);
    }
    expect(accepted).toBeGreaterThan(2500);
    const aggregates: ExperimentAggregates = {
      schemaVersion: 1,
      variants: { production: prod, candidate: cand },
      since: 0,
      until: 20_000,
      weights: { production: 0.5, candidate: 0.5 },
    };
    const e = evaluate(aggregates);
    expect(e.unusable).toEqual([]);
    for (const v of Object.values(e.variants))
      for (const x of Object.values(v)) if (typeof x === 'number') expect(Number.isFinite(x)).toBe(true);
    const d = createRollbackPolicy().decide(e, { startedAt: 0, now: 3_600_000 });
    expect(['promote', 'rollback', 'ramp', 'continue', 'hold']).toContain(d.action);
  });

  it('an aggregate made non-finite anyway (e.g. by hand or an old replica) still gets guardrails and SRM, naming the metric', () => {
    const prod = emptyAggregates('production');
    const cand = emptyAggregates('candidate');
    for (let i = 0; i < 800; i++) {
      recordPrediction(prod, { latencyMs: 100, at: 1 });
      recordFeedback(prod, { actual: 1, predicted: 1.5, at: 1 });
    }
    for (let i = 0; i < 200; i++) {
      recordPrediction(cand, { latencyMs: 100, error: i < 20, at: 1 });
      recordFeedback(cand, { actual: 1, predicted: 1.2, at: 1 });
    }
    cand.feedback.sqErrorSumSq = Number.POSITIVE_INFINITY;
    const agg: ExperimentAggregates = {
      schemaVersion: 1,
      variants: { production: prod, candidate: cand },
      since: 0,
      until: 1,
      weights: { production: 0.8, candidate: 0.2 },
    };
    const e = evaluate(agg);
    expect(e.unusable).toEqual([
      {
        variant: 'candidate',
        group: 'error',
        field: 'feedback.sqErrorSumSq',
        message: 'variant "candidate": feedback.sqErrorSumSq = Infinity is unusable, so its MAE and RMSE are left out',
      },
    ]);
    expect(e.issues.map((i) => i.code)).toEqual(['UNUSABLE_METRIC']);
    expect(e.srm!.checked).toBe(true);
    expect(agg.variants.candidate!.feedback.sqErrorSumSq).toBe(Number.POSITIVE_INFINITY); // input untouched
    const d = createRollbackPolicy().decide(e, { startedAt: 0, now: 60_000 });
    expect(d.action).toBe('rollback');
    expect(d.reasons.map((r) => r.code)).toEqual(['GUARDRAIL_ERROR_RATE']);
  });
});
