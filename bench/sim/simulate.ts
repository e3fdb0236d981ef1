/**
 * Decision-quality simulator: synthetic traffic with known truth (ratings, latency, errors) fed
 * into real {@link ExperimentAggregates}, with the evaluator and the rollback policy run after
 * every batch exactly as in production. Aggregate-level: requests are drawn as numbers into the
 * running aggregates (no per-request objects), so thousands of experiments run in seconds.
 */
import { ValidationError } from '@modelship/core';
import { normalCdf } from '@modelship/stats';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from '@modelship/core';
import { createEvaluator, type EvaluatorOptions } from '@modelship/core';
import { createRollbackPolicy, type DecisionAction, type RollbackPolicy } from '@modelship/core';
import type { DecisionReasonCode } from '@modelship/core/policy';
import type { RollbackPolicyOptions } from '@modelship/core';

/** Throws ValidationError `INVALID_INPUT` naming a bad simulator input. */
export function simulatorError(operation: string, field: string, expected: string, got: unknown): never {
  throw new ValidationError('INVALID_INPUT', `${operation}: ${field}: expected ${expected}, got ${String(got)}`, {
    operation,
    details: { field },
  });
}

/** The true behaviour of one simulated variant. */
export interface ArmTruth {
  /** Mean of the whole-star 1–5 ratings (each successful request is rated). */
  ratingMean: number;
  /** Mean latency in ms (log-normal). */
  latencyMeanMs: number;
  /** Log-scale standard deviation of latency; default 0.3. */
  latencyLogSd?: number;
  /** Probability that a request fails (failed requests get no feedback); default 0. */
  errorRate?: number;
  /** Share of requests that take a uniform time in `slowRangeMs` instead (a slow tail); default 0. */
  slowShare?: number;
  /** Latency range of the slow requests in ms; default [5000, 10000]. */
  slowRangeMs?: [number, number];
  /** Change of the rating mean from the first to the last request (drift, e.g. −0.8); default 0. */
  ratingDrift?: number;
  /** What each successful request's feedback carries: a whole-star `'rating'` (default) or an `'actual'` value. */
  feedback?: 'rating' | 'actual';
  /** Mean absolute error of the predictions when `feedback` is `'actual'` (normal errors); default 1. */
  mae?: number;
}

/** One simulated scenario. */
export interface SimulationScenario {
  /** Production truth. */
  production: ArmTruth;
  /** Candidate truth. */
  candidate: ArmTruth;
  /** Candidate share the evaluator is told was configured; default 0.2. */
  configuredCandidateShare?: number;
  /** Candidate share actually served; default `configuredCandidateShare`. */
  servedCandidateShare?: number;
  /** Requests per experiment; default 20,000. */
  maxRequests?: number;
  /** Requests between two looks; default 100. */
  batchSize?: number;
  /** Simulated time per batch in ms; default 60,000 (6,000 requests an hour). */
  msPerBatch?: number;
}

/** A decision rule applied at every look: returns the action, or a non-final action to go on. */
export type LookRule = (
  aggregates: ExperimentAggregates,
  context: { startedAt: number; now: number },
) => { action: DecisionAction; codes: DecisionReasonCode[] | string[] };

/** How one rule ended in one experiment. */
export interface RuleOutcome {
  /** Final action (`'continue'` when none was reached). */
  action: DecisionAction;
  /** Reason codes of the final decision. */
  codes: string[];
  /** Total requests when it ended (or `maxRequests`). */
  requests: number;
  /** Candidate requests when it ended. */
  candidateRequests: number;
}

/**
 * Cumulative probabilities of whole stars 1–5 from a normal(μ, `spread`) rounded and clamped,
 * with μ solved so that the mean is exactly `mean`. With the default spread 1.3 the star sd is
 * about 1.0 at a mean of 4.0, 1.2 at 2.5 and 0.85 at 4.4 (ratings bunch up against 5 stars).
 */
export function starDistribution(mean: number, spread = 1.3): Float64Array {
  if (!(mean >= 1 && mean <= 5)) simulatorError('starDistribution', 'mean', 'a number in [1, 5]', mean);
  if (!(spread > 0 && spread < Infinity)) simulatorError('starDistribution', 'spread', 'a positive number', spread);
  const phi = normalCdf;
  const probs = (mu: number) => {
    const p = new Float64Array(5);
    for (let s = 1; s <= 5; s++) {
      const lo = s === 1 ? 0 : phi((s - 0.5 - mu) / spread);
      const hi = s === 5 ? 1 : phi((s + 0.5 - mu) / spread);
      p[s - 1] = hi - lo;
    }
    return p;
  };
  const meanOf = (p: Float64Array) => p.reduce((acc, x, i) => acc + x * (i + 1), 0);
  let lo = -5;
  let hi = 11;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (meanOf(probs(mid)) < mean) lo = mid;
    else hi = mid;
  }
  const p = probs((lo + hi) / 2);
  const cdf = new Float64Array(5);
  let acc = 0;
  for (let i = 0; i < 5; i++) cdf[i] = acc += p[i]!;
  cdf[4] = 1;
  return cdf;
}

interface ArmSampler {
  /** Star CDFs at DRIFT_LEVELS + 1 evenly spaced points of the experiment (one without drift). */
  cdfs: Float64Array[];
  logMu: number;
  logSd: number;
  errorRate: number;
  slowShare: number;
  slowLo: number;
  slowHi: number;
  actual: boolean;
  errorSd: number;
}

const DRIFT_LEVELS = 20;

function sampler(t: ArmTruth): ArmSampler {
  const logSd = t.latencyLogSd ?? 0.3;
  const drift = t.ratingDrift ?? 0;
  const levels = drift === 0 ? 0 : DRIFT_LEVELS;
  const cdfs: Float64Array[] = [];
  for (let i = 0; i <= levels; i++) cdfs.push(starDistribution(t.ratingMean + (levels ? (drift * i) / levels : 0)));
  const [slowLo, slowHi] = t.slowRangeMs ?? [5000, 10000];
  return {
    cdfs,
    logMu: Math.log(t.latencyMeanMs) - (logSd * logSd) / 2,
    logSd,
    errorRate: t.errorRate ?? 0,
    slowShare: t.slowShare ?? 0,
    slowLo,
    slowHi,
    actual: t.feedback === 'actual',
    // A normal error with sd σ has mean absolute value σ·sqrt(2/π).
    errorSd: (t.mae ?? 1) * Math.sqrt(Math.PI / 2),
  };
}

function normal(rng: () => number): number {
  const u1 = rng() || 1e-12;
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Serves one request; `progress` in [0, 1] is how far the experiment is (for drift). */
function serve(agg: VariantAggregates, s: ArmSampler, rng: () => number, at: number, progress: number): void {
  const z = normal(rng);
  const error = rng() < s.errorRate;
  const slow = s.slowShare > 0 && rng() < s.slowShare;
  const latencyMs = slow ? s.slowLo + (s.slowHi - s.slowLo) * rng() : Math.exp(s.logMu + s.logSd * z);
  recordPrediction(agg, { latencyMs, error, at });
  if (error) return;
  if (s.actual) {
    const actual = 10 + normal(rng);
    recordFeedback(agg, { actual, predicted: actual + s.errorSd * normal(rng), at });
    return;
  }
  const cdf = s.cdfs[Math.round(progress * (s.cdfs.length - 1))]!;
  const u = rng();
  let star = 1;
  while (star < 5 && u >= cdf[star - 1]!) star++;
  recordFeedback(agg, { rating: star, at });
}

/**
 * Runs one simulated experiment: after every batch, each still-running rule is applied to the
 * aggregates so far; a rule stops at its first `promote` or `rollback` (or `hold`).
 */
export function simulateExperiment(
  scenario: SimulationScenario,
  rules: Record<string, LookRule>,
  rng: () => number,
): Record<string, RuleOutcome> {
  const share = scenario.servedCandidateShare ?? scenario.configuredCandidateShare ?? 0.2;
  const configured = scenario.configuredCandidateShare ?? 0.2;
  const maxRequests = scenario.maxRequests ?? 20_000;
  const batch = scenario.batchSize ?? 100;
  const msPerBatch = scenario.msPerBatch ?? 60_000;
  const startedAt = 1_700_000_000_000;
  const prod = emptyAggregates('production');
  const cand = emptyAggregates('candidate');
  const ps = sampler(scenario.production);
  const cs = sampler(scenario.candidate);
  const agg: ExperimentAggregates = {
    schemaVersion: 1,
    variants: { production: prod, candidate: cand },
    since: startedAt,
    until: startedAt,
    weights: { production: 1 - configured, candidate: configured },
  };
  const out: Record<string, RuleOutcome> = {};
  const running = new Set(Object.keys(rules));
  let served = 0;
  let look = 0;
  while (served < maxRequests && running.size > 0) {
    look++;
    const now = startedAt + look * msPerBatch;
    const progress = served / maxRequests;
    for (let i = 0; i < batch; i++) {
      if (rng() < share) serve(cand, cs, rng, now, progress);
      else serve(prod, ps, rng, now, progress);
    }
    served += batch;
    agg.until = now;
    for (const name of [...running]) {
      const r = rules[name]!(agg, { startedAt, now });
      if (r.action === 'promote' || r.action === 'rollback' || r.action === 'hold') {
        out[name] = { action: r.action, codes: [...r.codes], requests: served, candidateRequests: cand.requests };
        running.delete(name);
      }
    }
  }
  for (const name of running)
    out[name] = { action: 'continue', codes: [], requests: served, candidateRequests: cand.requests };
  return out;
}

/** The policy under test as a look rule: evaluator + rollback policy, as in production. */
export function policyRule(
  evaluatorOptions: EvaluatorOptions = {},
  policyOptions: RollbackPolicyOptions | RollbackPolicy = {},
): LookRule {
  const evaluator = createEvaluator(evaluatorOptions);
  const policy =
    'decide' in policyOptions
      ? (policyOptions as RollbackPolicy)
      : createRollbackPolicy(policyOptions as RollbackPolicyOptions);
  return (aggregates, context) => {
    const d = policy.decide(evaluator.evaluate(aggregates), context);
    return { action: d.action, codes: d.reasons.map((r) => r.code) };
  };
}

/**
 * The plain Bangalore rule, checked at every look without statistics: promote when the candidate's
 * composite exceeds production's by more than 0.05, roll back when it is more than 20 % lower.
 */
export function seedRule(): LookRule {
  const composite = (a: VariantAggregates) => {
    const rating = a.feedback.ratingSum / a.feedback.ratingCount;
    const latency = a.latency.sum / a.latency.count;
    return 0.7 * (rating / 5) + 0.3 * Math.max(0, (5000 - latency) / 5000);
  };
  return (aggregates) => {
    const p = aggregates.variants.production!;
    const c = aggregates.variants.candidate!;
    if (p.feedback.ratingCount === 0 || c.feedback.ratingCount === 0) return { action: 'continue', codes: [] };
    const cp = composite(p);
    const cc = composite(c);
    if (cc - cp > 0.05) return { action: 'promote', codes: ['SEED_BETTER'] };
    if (cc < 0.8 * cp) return { action: 'rollback', codes: ['SEED_WORSE'] };
    return { action: 'continue', codes: [] };
  };
}
