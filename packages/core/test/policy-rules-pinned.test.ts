/**
 * Pins the headline decision rules (issue 11, "Why" item 8): each test fails when one rule is
 * changed — promote without the confidence-bound check, a promote threshold of 0, the −20 %
 * rollback rule removed. The evaluation's composite is set by hand so each rule is probed on its own.
 */
import { describe, expect, it } from 'vitest';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { evaluate, type Evaluation, type MetricComparison } from '../src/evaluate/evaluator.js';
import { createRollbackPolicy } from '../src/policy/rollback-policy.js';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const ctx = { startedAt: T0, now: T0 + 2 * DAY };

function variant(name: string, n: number): VariantAggregates {
  const agg = emptyAggregates(name);
  for (let i = 0; i < n; i++) {
    recordPrediction(agg, { latencyMs: 100 + (i % 7), at: T0 + i });
    recordFeedback(agg, { rating: 1 + (i % 5), at: T0 + i });
  }
  return agg;
}

/** A healthy evaluation (no guardrail, no SRM, enough samples) whose composite is replaced. */
function withComposite(delta: number, ci: [number, number], relativeCi?: [number, number]): Evaluation {
  const e = evaluate({
    schemaVersion: 1,
    variants: { production: variant('production', 800), candidate: variant('candidate', 200) },
    since: T0,
    until: T0 + DAY,
    weights: { production: 0.8, candidate: 0.2 },
  });
  expect(e.issues).toEqual([]);
  expect(e.guardrails.some((g) => g.breached)).toBe(false);
  expect(e.srm?.mismatch ?? false).toBe(false);
  const production = 1;
  const composite: MetricComparison = {
    ...e.composite,
    production,
    candidate: production + delta,
    delta,
    relativeDelta: delta / production,
    ci,
    relativeCi: relativeCi ?? [ci[0] / production, ci[1] / production],
    n: { production: 800, candidate: 200 },
  };
  return { ...e, composite };
}

const policy = createRollbackPolicy();
const bound = createRollbackPolicy({ promoteRule: 'bound' });

describe('RollbackPolicy: the promote rule needs the confidence bound', () => {
  it('does not promote a large delta whose lower bound is below 0 (estimate rule)', () => {
    const d = policy.decide(withComposite(0.1, [-0.01, 0.21]), ctx);
    expect(d.action).toBe('continue');
    expect(d.reasons.map((r) => r.code)).toEqual(['INCONCLUSIVE']);
  });

  it('promotes the same delta once the lower bound is above 0 (estimate rule)', () => {
    const d = policy.decide(withComposite(0.1, [0.001, 0.2]), ctx);
    expect(d.action).toBe('promote');
    expect(d.reasons.map((r) => r.code)).toEqual(['COMPOSITE_BETTER']);
  });

  it('bound rule: promotes only when the lower bound itself clears the threshold', () => {
    expect(bound.decide(withComposite(0.1, [0.04, 0.16]), ctx).action).toBe('continue');
    expect(bound.decide(withComposite(0.1, [-0.01, 0.21]), ctx).action).toBe('continue');
    expect(bound.decide(withComposite(0.1, [0.05, 0.15]), ctx).action).toBe('promote');
  });
});

describe('RollbackPolicy: the default promote threshold is +0.05, not 0', () => {
  it('does not promote a delta of +0.03 with its lower bound above 0', () => {
    expect(policy.options.promoteThreshold).toBe(0.05);
    const d = policy.decide(withComposite(0.03, [0.01, 0.05]), ctx);
    expect(d.action).toBe('continue');
    expect(d.reasons.map((r) => r.code)).toEqual(['INCONCLUSIVE']);
  });

  it('promotes a delta of exactly +0.05 with its lower bound above 0', () => {
    expect(policy.decide(withComposite(0.05, [0.01, 0.09]), ctx).action).toBe('promote');
  });

  it('a promote threshold of 0 set explicitly promotes the +0.03 delta', () => {
    const zero = createRollbackPolicy({ promoteThreshold: 0 });
    expect(zero.decide(withComposite(0.03, [0.01, 0.05]), ctx).action).toBe('promote');
  });
});

describe('RollbackPolicy: the −20 % rollback rule', () => {
  it('rolls back a candidate 25 % worse with the upper bound below 0 (estimate rule)', () => {
    expect(policy.options.rollbackThreshold).toBe(0.2);
    const d = policy.decide(withComposite(-0.25, [-0.35, -0.15]), ctx);
    expect(d.action).toBe('rollback');
    expect(d.reasons.map((r) => r.code)).toEqual(['COMPOSITE_WORSE']);
    expect(d.reasons[0]!.message).toMatch(/worse by more than 20\.0 %/);
  });

  it('rolls back at exactly −20 % and not at −15 % (estimate rule)', () => {
    expect(policy.decide(withComposite(-0.2, [-0.3, -0.1]), ctx).action).toBe('rollback');
    const d = policy.decide(withComposite(-0.15, [-0.25, -0.05]), ctx);
    expect(d.action).toBe('continue');
    expect(d.reasons.map((r) => r.code)).toEqual(['INCONCLUSIVE']);
  });

  it('does not roll back a −25 % estimate whose upper bound is above 0 (estimate rule)', () => {
    expect(policy.decide(withComposite(-0.25, [-0.51, 0.01]), ctx).action).toBe('continue');
  });

  it('bound rule: rolls back only when the relative upper bound is below −20 %', () => {
    expect(bound.decide(withComposite(-0.25, [-0.3, -0.2], [-0.375, -0.21]), ctx).action).toBe('rollback');
    expect(bound.decide(withComposite(-0.25, [-0.3, -0.1], [-0.375, -0.19]), ctx).action).toBe('continue');
  });

  it('rolls back a worse candidate even while a ramp is configured', () => {
    const ramp = createRollbackPolicy({ rampSteps: [0.05, 0.2, 0.5] });
    expect(ramp.decide(withComposite(-0.25, [-0.35, -0.15]), ctx).action).toBe('rollback');
  });
});
