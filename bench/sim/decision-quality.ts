/**
 * The decision-quality scenarios behind `npm run bench -- decisions`: A/A, a clearly worse
 * candidate, a failing candidate, a slightly better candidate and a skewed split, each simulated
 * many times with the default evaluator and policy looked at after every 100 requests.
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
  /** Which scenarios to run; default all five. */
  cases?: Array<'aa' | 'worse' | 'errors-5pct' | 'better' | 'srm-78-22'>;
}

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

/** The scenario definitions (truths and splits). */
export const DECISION_SCENARIOS: Record<string, SimulationScenario> = {
  aa: { production: PROD, candidate: PROD },
  worse: { production: PROD, candidate: { ...PROD, ratingMean: 2.5 } },
  'errors-5pct': { production: PROD, candidate: { ...PROD, errorRate: 0.05 } },
  better: { production: PROD, candidate: { ...PROD, ratingMean: 4.4, latencyMeanMs: 200 } },
  'srm-78-22': {
    production: PROD,
    candidate: PROD,
    configuredCandidateShare: 0.2,
    servedCandidateShare: 0.22,
    maxRequests: 10_000,
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
  const cases = options.cases ?? ['aa', 'worse', 'errors-5pct', 'better', 'srm-78-22'];
  const policy = policyRule(options.evaluator ?? {}, options.policy ?? {});
  const records: DecisionScenarioRecord[] = [];
  cases.forEach((name, ci) => {
    const scenario = DECISION_SCENARIOS[name]!;
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
          // Our policy (thresholds, minimums, guardrails, SRM) with fixed-horizon intervals.
          policyWithFixedIntervalsFalseDecisionRate: rate(
            runs.map((r) => r.fixed!.action === 'promote' || r.fixed!.action === 'rollback'),
          ),
          falsePromoteRate: rate(pol.map((o) => o.action === 'promote')),
          falseRollbackRate: rate(pol.map((o) => o.action === 'rollback')),
          falseRollbackReasons: codes('rollback'),
        });
        break;
      case 'worse':
      case 'errors-5pct':
        records.push({
          ...base,
          medianCandidateRequestsToRollback: medianTo(pol, 'rollback'),
          rollbackRate: rate(pol.map((o) => o.action === 'rollback')),
          promoteRate: rate(pol.map((o) => o.action === 'promote')),
          rollbackReasons: codes('rollback'),
        });
        break;
      case 'better':
        records.push({
          ...base,
          promoteRate: rate(pol.map((o) => o.action === 'promote')),
          rollbackRate: rate(pol.map((o) => o.action === 'rollback')),
          medianRequestsToPromote: median(pol.map((o) => (o.action === 'promote' ? o.requests : Infinity))),
          promoteRateIfBoundMustClearThreshold: rate(runs.map((r) => r.boundRule!.action === 'promote')),
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
    }
  });
  return records;
}
