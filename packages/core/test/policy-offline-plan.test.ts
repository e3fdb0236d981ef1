import { describe, expect, it } from 'vitest';
import { compareOffline } from '../src/policy/offline-gate.js';
import { planRollout } from '../src/rollout/plan-rollout.js';
import { isModelshipError } from '../src/errors.js';

const v1 = { accuracy: 0.96, precision: 0.961, recall: 0.96, f1: 0.96 };

describe('compareOffline (the Iris flow)', () => {
  it('rolls back when any metric drops beyond its tolerance, naming it', () => {
    const d = compareOffline({
      current: v1,
      candidate: { accuracy: 0.955, precision: 0.958, recall: 0.93, f1: 0.944 },
    });
    expect(d.action).toBe('rollback');
    expect(d.reasons.map((r) => r.code)).toEqual(['OFFLINE_WORSE', 'OFFLINE_WORSE']);
    expect(d.reasons[0]!.message).toMatch(/^recall got worse from 0\.9600 to 0\.9300 \(-0\.0300/);
    expect(d.reasons[1]!.message).toMatch(/^f1 got worse/);
  });

  it('promotes an improvement and a candidate within tolerance; holds the latter when improvement is required', () => {
    expect(
      compareOffline({ current: v1, candidate: { accuracy: 0.98, precision: 0.98, recall: 0.98, f1: 0.98 } })
        .reasons[0]!.code,
    ).toBe('OFFLINE_BETTER');
    const same = { current: v1, candidate: { accuracy: 0.955, precision: 0.961, recall: 0.965, f1: 0.96 } };
    expect(compareOffline(same).action).toBe('promote');
    expect(compareOffline(same).reasons[0]!.code).toBe('OFFLINE_WITHIN_TOLERANCE');
    expect(compareOffline({ ...same, requireImprovement: true }).action).toBe('hold');
    expect(compareOffline({ ...same, tolerances: { accuracy: 0 } }).action).toBe('rollback');
  });

  it('gates regression versions on error metrics, where lower is better', () => {
    const current = { r2: 0.83, rmse: 0.47, mae: 0.31 };
    const worse = compareOffline({
      current,
      candidate: { r2: 0.8, rmse: 0.52, mae: 0.33 },
      metrics: ['r2', 'rmse', 'mae'],
    });
    expect(worse.action).toBe('rollback');
    expect(worse.reasons.map((r) => r.message.split(' ')[0])).toEqual(['r2', 'rmse', 'mae']);
    const better = compareOffline({
      current,
      candidate: { r2: 0.85, rmse: 0.44, mae: 0.29 },
      metrics: ['r2', 'rmse', 'mae'],
    });
    expect(better.action).toBe('promote');
    expect(better.reasons.map((r) => r.code)).toEqual(['OFFLINE_BETTER', 'OFFLINE_BETTER', 'OFFLINE_BETTER']);
    // A negative R² is a legal value, and a direction can be given explicitly.
    const custom = compareOffline({
      current: { r2: -0.2, cost: 10 },
      candidate: { r2: -0.1, cost: 12 },
      metrics: ['r2', 'cost'],
      directions: { cost: 'minimize' },
    });
    expect(custom.action).toBe('rollback');
    expect(custom.reasons[0]!.message).toMatch(/^cost got worse from 10\.0000 to 12\.0000/);
  });

  it('rejects missing or non-finite metrics with a clear error', () => {
    expect(() => compareOffline({ current: v1, candidate: { accuracy: 0.9, precision: 0.9, recall: 0.9 } })).toThrow(
      /metric "f1" is missing from candidate/,
    );
    let err: unknown;
    try {
      compareOffline({ current: v1, candidate: { ...v1, f1: Number.NaN } });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/candidate\.f1/);
  });
});

describe('planRollout', () => {
  it('estimates the time to a decision and compares with a fixed horizon', () => {
    const plan = planRollout({ expectedRequestsPerHour: 200, split: 0.2, minimumDetectableEffect: 0.05 });
    expect(plan.reachable).toBe(true);
    expect(plan.warnings).toEqual([]);
    expect(plan.hoursToDecision).toBeCloseTo(plan.requestsToDecision / 200, 10);
    expect(plan.requestsToDecision).toBeGreaterThan(plan.fixedHorizonRequests);
    // Half the effect needs roughly four times the data (a bit more for the sequential boundary).
    const half = planRollout({ expectedRequestsPerHour: 200, split: 0.2, minimumDetectableEffect: 0.025 });
    expect(half.requestsToDecision / plan.requestsToDecision).toBeGreaterThan(3);
    expect(half.requestsToDecision / plan.requestsToDecision).toBeLessThan(5);
    // More traffic to the candidate decides sooner.
    expect(
      planRollout({ expectedRequestsPerHour: 200, split: 0.5, minimumDetectableEffect: 0.05 }).requestsToDecision,
    ).toBeLessThan(plan.requestsToDecision);
  });

  it('warns when the decision cannot be reached within the maximum duration', () => {
    const plan = planRollout({
      expectedRequestsPerHour: 5,
      split: 0.05,
      minimumDetectableEffect: 0.01,
      maxDurationMs: 24 * 3_600_000,
    });
    expect(plan.reachable).toBe(false);
    expect(plan.warnings[0]).toMatch(/beyond the maximum duration of 24 h/);
  });

  it('rejects bad input naming the field', () => {
    expect(() => planRollout({ expectedRequestsPerHour: -1, split: 0.2, minimumDetectableEffect: 0.05 })).toThrow(
      /expectedRequestsPerHour/,
    );
    expect(() => planRollout({ expectedRequestsPerHour: 10, split: 1.2, minimumDetectableEffect: 0.05 })).toThrow(
      /split/,
    );
  });
});
