import { describe, expect, it } from 'vitest';
import { runDecisionScenarios } from './decision-quality.js';
import { mulberry32 } from '@modelship/core';
import { policyRule, simulateExperiment, starDistribution } from './simulate.js';

describe('decision-quality simulator (test size)', () => {
  it('draws whole-star ratings with the requested mean and sd ≈ 1', () => {
    for (const mean of [2.5, 4.0, 4.4]) {
      const cdf = starDistribution(mean);
      const p = [cdf[0]!, ...[1, 2, 3, 4].map((i) => cdf[i]! - cdf[i - 1]!)];
      const m = p.reduce((a, x, i) => a + x * (i + 1), 0);
      const sd = Math.sqrt(p.reduce((a, x, i) => a + x * (i + 1 - m) ** 2, 0));
      expect(m).toBeCloseTo(mean, 6);
      expect(sd).toBeGreaterThan(0.8);
      expect(sd).toBeLessThan(1.2);
    }
  });

  it('is seeded: the same seed gives the same outcomes', () => {
    const scenario = {
      production: { ratingMean: 4, latencyMeanMs: 250 },
      candidate: { ratingMean: 3, latencyMeanMs: 250 },
      maxRequests: 3000,
    };
    const rule = { policy: policyRule() };
    expect(simulateExperiment(scenario, rule, mulberry32(5))).toEqual(
      simulateExperiment(scenario, rule, mulberry32(5)),
    );
  });

  it('the always-valid interval and the policy beat peeking and the seed rule in A/A', () => {
    const [aa] = runDecisionScenarios({ experiments: 30, seed: 7, cases: ['aa'] });
    expect(aa!.falsePromoteRate).toBe(0);
    // Peeking at a fixed-horizon interval is far worse than the always-valid one.
    expect(aa!.repeatedFixedTestFalseDecisionRate as number).toBeGreaterThan(
      aa!.repeatedSequentialTestFalseDecisionRate as number,
    );
    expect(aa!.seedRuleFalseDecisionRate as number).toBeGreaterThanOrEqual(aa!.falseDecisionRate as number);
  });

  // The decisions bench's targets (1,000 experiments each, `npm run bench -- decisions`), checked
  // here on fewer seeded experiments with a margin of about one experiment (or 20 requests).
  it('meets the decision targets with default settings (test size)', () => {
    const n = 40;
    const records = Object.fromEntries(runDecisionScenarios({ experiments: n, seed: 3 }).map((r) => [r.case, r]));
    for (const c of ['aa', 'aa-50-50', 'aa-95-5', 'aa-heavy-tail', 'aa-drifting-ratings'])
      expect(records[c]!.falseDecisionRate as number, c).toBeLessThanOrEqual(0.015 + 1 / n);
    expect(records.better!.promoteRate as number).toBeGreaterThanOrEqual(0.95 - 1 / n);
    expect(records.better!.rollbackRate as number).toBeLessThanOrEqual(0.005 + 1 / n);
    expect(records.worse!.medianCandidateRequestsToRollback as number).toBeLessThanOrEqual(300);
    expect(records['errors-5pct']!.medianCandidateRequestsToRollback as number).toBeLessThanOrEqual(100 + 20);
    expect(records['srm-78-22']!.detectRate as number).toBeGreaterThanOrEqual(0.95 - 1 / n);
    expect(records['slow-tail']!.rollbackRate as number).toBeGreaterThanOrEqual(0.9 - 1 / n);
    expect(records['latency-only']!.rollbackRate as number).toBeGreaterThanOrEqual(0.95 - 1 / n);
    for (const c of ['regression-actuals', 'fast-baseline']) {
      expect(records[c]!.promoteRate as number, c).toBeGreaterThanOrEqual(0.95 - 1 / n);
      expect(records[c]!.rollbackRate as number, c).toBeLessThanOrEqual(1 / n);
    }
  });
});
