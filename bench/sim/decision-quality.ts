/**
 * The decision-quality scenarios behind `npm run bench -- decisions`: A/A experiments (80/20,
 * 50/50, 95/5 splits, heavy-tailed latency, drifting ratings), a clearly worse candidate, a failing
 * candidate, a slightly better candidate, a skewed split, a slow candidate, a thin slow tail, a
 * regression service that sends only actual values, and a microsecond-fast baseline; each
 * simulated many times with the default evaluator and policy looked at after every 100 requests.
 */
import { mulberry32 } from '@modelship/core';
import {
  policyRule,
  seedRule,
  simulateExperiment,
  simulatorError,
  type LookRule,
  type SimulationScenario,
} from './simulate.js';
import { createEvaluator, type Evaluation, type EvaluatorOptions } from '@modelship/core';
import { fixedZ } from '@modelship/core/evaluate';
import type { RollbackPolicyOptions } from '@modelship/core';

/** Options of {@link runDecisionScenarios}. */
export interface DecisionScenarioOptions {
  /** Simulated experiments per scenario; default 1,000. */
  experiments?: number;
  /** Seed of the random source; default 42. */
  seed?: number;
  /** Evaluator options under test; default the defaults. */
  evaluator?: EvaluatorOptions;
  /** Policy options under test; default the defaults. */
  policy?: RollbackPolicyOptions;
  /** Which scenarios to run; default all of {@link DECISION_CASES}. */
  cases?: DecisionCase[];
}

/** Every scenario, in report order. */
export const DECISION_CASES = [
  'aa',
  'aa-50-50',
  'aa-95-5',
  'aa-heavy-tail',
  'aa-drifting-ratings',
  'worse',
  'errors-5pct',
  'better',
  'srm-78-22',
  'latency-only',
  'slow-tail',
  'regression-actuals',
  'fast-baseline',
] as const;

/** A scenario name. */
export type DecisionCase = (typeof DECISION_CASES)[number];

/** Candidate requests within which `slow-tail` must be rolled back to count. */
export const SLOW_TAIL_WITHIN = 10_000;

/**
 * One scenario's figures (one bench record). `srm-78-22.detectRate` is the share of experiments in
 * which the evaluator's SRM check flagged the split at some look by 10,000 requests;
 * `policyRollbackForSrmRate` the share the policy rolled back citing SRM (lower, because an
 * experiment can end earlier on another reason).
 */
export interface DecisionScenarioRecord {
  /** Scenario name. */
  case: string;
  /** Simulated experiments. */
  experiments: number;
  [figure: string]: unknown;
}

const PROD = { ratingMean: 4.0, latencyMeanMs: 250, errorRate: 0.001 };
/** The mean of a log-normal latency (log sd 0.3, the simulator's default) whose median is `p50`. */
const meanForP50 = (p50: number) => p50 * Math.exp(0.045);
/** The mean of a log-normal latency (log sd 0.3) whose p99 is `p99` (z₀.₉₉ = 2.326). */
const meanForP99 = (p99: number) => p99 * Math.exp(0.045 - 0.3 * 2.3263);
const ACTUALS = { ...PROD, feedback: 'actual' as const };

/** The scenario definitions (truths and splits). */
export const DECISION_SCENARIOS: Record<DecisionCase, SimulationScenario> = {
  aa: { production: PROD, candidate: PROD },
  'aa-50-50': { production: PROD, candidate: PROD, configuredCandidateShare: 0.5 },
  'aa-95-5': { production: PROD, candidate: PROD, configuredCandidateShare: 0.05 },
  // Log sd 1.0: p99 ≈ 10× the median, 3 % of requests above 1 s in both arms.
  'aa-heavy-tail': {
    production: { ...PROD, latencyLogSd: 1 },
    candidate: { ...PROD, latencyLogSd: 1 },
  },
  'aa-drifting-ratings': {
    production: { ...PROD, ratingDrift: -0.8 },
    candidate: { ...PROD, ratingDrift: -0.8 },
  },
  worse: { production: PROD, candidate: { ...PROD, ratingMean: 2.5 } },
  'errors-5pct': { production: PROD, candidate: { ...PROD, errorRate: 0.05 } },
  better: { production: PROD, candidate: { ...PROD, ratingMean: 4.4, latencyMeanMs: 200 } },
  'srm-78-22': {
    production: PROD,
    candidate: PROD,
    configuredCandidateShare: 0.2,
    servedCandidateShare: 0.22,
    maxRequests: 20_000,
  },
  'latency-only': {
    production: { ...PROD, latencyMeanMs: meanForP50(250) },
    candidate: { ...PROD, latencyMeanMs: meanForP50(600) },
  },
  // 0.5 % of candidate requests at 5–10 s; 50,000 requests give the candidate 10,000.
  'slow-tail': {
    production: PROD,
    candidate: { ...PROD, slowShare: 0.005, slowRangeMs: [5000, 10_000] },
    maxRequests: 50_000,
  },
  'regression-actuals': { production: { ...ACTUALS, mae: 1 }, candidate: { ...ACTUALS, mae: 0.5 } },
  'fast-baseline': {
    production: { ...PROD, latencyMeanMs: meanForP99(0.006) },
    candidate: { ...PROD, ratingMean: 4.4, latencyMeanMs: meanForP99(0.07) },
  },
};

/**
 * Two look rules that only ask "is the composite delta significant?" at every look (no
 * thresholds, no gates), with the always-valid interval and with the fixed-horizon one; used to
 * show the peeking problem directly.
 */
function significanceRules(evaluator: EvaluatorOptions): { sequential: LookRule; fixed: LookRule } {
  const ev = createEvaluator(evaluator);
  const z = fixedZ(ev.options.alpha);
  let cacheKey: unknown;
  let cacheUntil = -1;
  let cached: Evaluation | undefined;
  const get = (agg: Parameters<LookRule>[0]) => {
    if (cacheKey !== agg || cacheUntil !== agg.until || cached === undefined) {
      cached = ev.evaluate(agg);
      cacheKey = agg;
      cacheUntil = agg.until;
    }
    return cached;
  };
  return {
    sequential: (agg) => {
      const c = get(agg).composite;
      return c.verdict === 'better' || c.verdict === 'worse'
        ? { action: 'rollback', codes: ['SIGNIFICANT'] }
        : { action: 'continue', codes: [] };
    },
    fixed: (agg) => {
      const c = get(agg).composite;
      return c.delta !== null && c.standardError !== null && Math.abs(c.delta) > z * c.standardError
        ? { action: 'rollback', codes: ['SIGNIFICANT'] }
        : { action: 'continue', codes: [] };
    },
  };
}

function rate(xs: boolean[]): number {
  return xs.filter(Boolean).length / xs.length;
}

/** Median of candidate requests at the given action, counting experiments that never reached it as infinite. */
/** The median of finite-or-infinite values (the mean of the middle two for an even count). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function medianTo(outcomes: Array<{ action: string; candidateRequests: number }>, action: string): number {
  return median(outcomes.map((o) => (o.action === action ? o.candidateRequests : Infinity)));
}

/** Runs the scenarios and returns one record per scenario. */
export function runDecisionScenarios(options: DecisionScenarioOptions = {}): DecisionScenarioRecord[] {
  const n = options.experiments ?? 1000;
  if (!Number.isInteger(n) || n < 1) simulatorError('runDecisionScenarios', 'experiments', 'a positive integer', n);
  const seed = options.seed ?? 42;
  const cases = options.cases ?? [...DECISION_CASES];
  const policy = policyRule(options.evaluator ?? {}, options.policy ?? {});
  const records: DecisionScenarioRecord[] = [];
  cases.forEach((name) => {
    const scenario = DECISION_SCENARIOS[name];
    if (!scenario) simulatorError('runDecisionScenarios', 'cases', `one of ${DECISION_CASES.join(', ')}`, name);
    // Each scenario has its own stream, so a scenario's figures do not depend on which others run.
    const ci = DECISION_CASES.indexOf(name);
    const rules: Record<string, LookRule> = { policy };
    if (name === 'aa') {
      rules.seed = seedRule();
      rules.fixed = policyRule(
        {
          ...(options.evaluator ?? {}),
          method: 'fixed',
          srm: { ...(options.evaluator?.srm ?? {}), tests: 'chi-squared' },
        },
        options.policy ?? {},
      );
      const sig = significanceRules(options.evaluator ?? {});
      rules.sequentialSignificance = sig.sequential;
      rules.fixedSignificance = sig.fixed;
    }
    if (name === 'better')
      rules.boundRule = policyRule(options.evaluator ?? {}, { ...(options.policy ?? {}), promoteRule: 'bound' });
    if (name === 'srm-78-22') {
      const ev = createEvaluator(options.evaluator ?? {});
      rules.srmCheck = (agg) =>
        ev.evaluate(agg).srm?.mismatch ? { action: 'rollback', codes: ['SRM'] } : { action: 'continue', codes: [] };
    }
    const rng = mulberry32(seed * 1_000_003 + ci);
    const runs = Array.from({ length: n }, () => simulateExperiment(scenario, rules, rng));
    const pol = runs.map((r) => r.policy!);
    const codes = (action: string) => {
      const counts: Record<string, number> = {};
      for (const o of pol) if (o.action === action) for (const c of o.codes) counts[c] = (counts[c] ?? 0) + 1;
      return counts;
    };
    const base = { case: name, experiments: n };
    const promoteRate = rate(pol.map((o) => o.action === 'promote'));
    const rollbackRate = rate(pol.map((o) => o.action === 'rollback'));
    switch (name) {
      case 'aa':
        records.push({
          ...base,
          falseDecisionRate: rate(pol.map((o) => o.action === 'promote' || o.action === 'rollback')),
          seedRuleFalseDecisionRate: rate(
            runs.map((r) => r.seed!.action === 'promote' || r.seed!.action === 'rollback'),
          ),
          // A fixed-sample test of the composite delta (two-sided, alpha 0.05) run at every look,
          // deciding as soon as it is significant: what "check the p-value every hour" does.
          repeatedFixedTestFalseDecisionRate: rate(runs.map((r) => r.fixedSignificance!.action === 'rollback')),
          // The same repeated look with the always-valid confidence sequence instead.
          repeatedSequentialTestFalseDecisionRate: rate(
            runs.map((r) => r.sequentialSignificance!.action === 'rollback'),
          ),
          // Our policy (thresholds, minimums, guardrails, SRM) with fixed-horizon intervals and the χ² SRM test.
          policyWithFixedIntervalsFalseDecisionRate: rate(
            runs.map((r) => r.fixed!.action === 'promote' || r.fixed!.action === 'rollback'),
          ),
          falsePromoteRate: promoteRate,
          falseRollbackRate: rollbackRate,
          falseRollbackReasons: codes('rollback'),
        });
        break;
      case 'aa-50-50':
      case 'aa-95-5':
      case 'aa-heavy-tail':
      case 'aa-drifting-ratings':
        records.push({
          ...base,
          falseDecisionRate: rate(pol.map((o) => o.action === 'promote' || o.action === 'rollback')),
          falsePromoteRate: promoteRate,
          falseRollbackRate: rollbackRate,
          falseRollbackReasons: codes('rollback'),
        });
        break;
      case 'worse':
      case 'errors-5pct':
        records.push({
          ...base,
          medianCandidateRequestsToRollback: medianTo(pol, 'rollback'),
          rollbackRate,
          promoteRate,
          rollbackReasons: codes('rollback'),
        });
        break;
      case 'better':
        records.push({
          ...base,
          promoteRate,
          rollbackRate,
          medianRequestsToPromote: median(pol.map((o) => (o.action === 'promote' ? o.requests : Infinity))),
          promoteRateIfBoundMustClearThreshold: rate(runs.map((r) => r.boundRule!.action === 'promote')),
          rollbackReasons: codes('rollback'),
        });
        break;
      case 'regression-actuals':
      case 'fast-baseline':
        records.push({
          ...base,
          promoteRate,
          rollbackRate,
          medianRequestsToPromote: median(pol.map((o) => (o.action === 'promote' ? o.requests : Infinity))),
          rollbackReasons: codes('rollback'),
        });
        break;
      case 'srm-78-22':
        records.push({
          ...base,
          detectRate: rate(runs.map((r) => r.srmCheck!.action === 'rollback')),
          medianRequestsToDetect: median(
            runs.map((r) => (r.srmCheck!.action === 'rollback' ? r.srmCheck!.requests : Infinity)),
          ),
          policyRollbackForSrmRate: rate(pol.map((o) => o.action === 'rollback' && o.codes.includes('SRM'))),
          policyRollbackReasons: codes('rollback'),
        });
        break;
      case 'latency-only':
        records.push({
          ...base,
          rollbackRate,
          promoteRate,
          medianCandidateRequestsToRollback: medianTo(pol, 'rollback'),
          rollbackReasons: codes('rollback'),
        });
        break;
      case 'slow-tail':
        records.push({
          ...base,
          // Rolled back within SLOW_TAIL_WITHIN candidate requests.
          rollbackRate: rate(pol.map((o) => o.action === 'rollback' && o.candidateRequests <= SLOW_TAIL_WITHIN)),
          rollbackRateAtAnyTime: rollbackRate,
          promoteRate,
          medianCandidateRequestsToRollback: medianTo(pol, 'rollback'),
          rollbackReasons: codes('rollback'),
        });
        break;
    }
  });
  return records;
}
