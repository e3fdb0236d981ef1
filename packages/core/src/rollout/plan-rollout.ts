/**
 * The plan check: how long a rollout needs to reach a decision, before it starts.
 */
import { normalQuantile } from '@modelship/stats';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { fixedZ, sequentialZ } from '../evaluate/sequential.js';
import { parseOrThrow } from '../data/zod-parse.js';

/** Input of {@link planRollout}. */
export interface RolloutPlanInput {
  /** Requests per hour across all variants. */
  expectedRequestsPerHour: number;
  /** The candidate's share of traffic (0…1), e.g. 0.2. */
  split: number;
  /** The baseline's per-request spread: the sd of the composite score, or of its parts (default Bangalore composite: rating sd 1, latency sd 100 ms). */
  baseline?: {
    /** Sd of the per-request composite score; when set, `ratingSd` and `latencySdMs` are not used. */
    compositeSd?: number;
    /** Sd of the ratings; default 1. */
    ratingSd?: number;
    /** Sd of the latency, in ms; default 100. */
    latencySdMs?: number;
  };
  /** Smallest composite delta (absolute) the rollout should detect, e.g. 0.05. */
  minimumDetectableEffect: number;
  /** Maximum rollout duration in ms (as the policy's `maxDurationMs`); default 7 days. */
  maxDurationMs?: number;
  /** Share of requests that receive feedback; default 1. */
  feedbackRate?: number;
  /** Power at the minimum detectable effect; default 0.8. */
  power?: number;
  /** Two-sided α of the intervals; default 0.05. */
  alpha?: number;
  /** Tuning sample size N* of the confidence sequence; default 5,000. */
  nStar?: number;
}

/** Result of {@link planRollout}. */
export interface RolloutPlan {
  /** Total requests until the always-valid interval resolves the MDE with the requested power. */
  requestsToDecision: number;
  /** Hours until then at the expected traffic. */
  hoursToDecision: number;
  /** Requests a single fixed-horizon test would need (for comparison; not safe to peek). */
  fixedHorizonRequests: number;
  /** Whether a decision is expected within the maximum duration. */
  reachable: boolean;
  /** Human-readable warnings (empty when the plan is fine). */
  warnings: string[];
}

const schema = z.strictObject({
  expectedRequestsPerHour: z.number().positive(),
  split: z.number().gt(0).lt(1),
  baseline: z
    .strictObject({
      compositeSd: z.number().positive().optional(),
      ratingSd: z.number().positive().optional(),
      latencySdMs: z.number().nonnegative().optional(),
    })
    .optional(),
  minimumDetectableEffect: z.number().positive(),
  maxDurationMs: z
    .number()
    .positive()
    .default(7 * 24 * 3_600_000),
  feedbackRate: z.number().gt(0).max(1).default(1),
  power: z.number().gt(0.5).lt(1).default(0.8),
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  nStar: z.number().positive().default(5000),
});

/**
 * Plans a rollout: with `n` feedback samples split `w : 1 − w`, the composite delta has standard
 * error `σ / sqrt(n w (1 − w))`; the decision needs `(zSeq(n) + z_power) · se ≤ MDE`, solved for
 * `n` by bisection (`zSeq` as in the evaluator). Warns when that takes longer than the maximum
 * duration. Throws ValidationError for bad input.
 *
 * @example
 * ```ts
 * const plan = planRollout({ expectedRequestsPerHour: 200, split: 0.2, minimumDetectableEffect: 0.05 });
 * plan.hoursToDecision; // ≈ 4.5 (894 requests)
 * ```
 */
export function planRollout(input: RolloutPlanInput): RolloutPlan {
  const o = parseOrThrow(
    schema,
    input,
    'planRollout',
    'rollout plan',
    (m, opts) => new ValidationError('INVALID_INPUT', m, opts),
  );
  const ratingSd = o.baseline?.ratingSd ?? 1;
  const latencySd = o.baseline?.latencySdMs ?? 100;
  const sigma =
    o.baseline?.compositeSd ?? Math.sqrt((0.7 / 5) ** 2 * ratingSd ** 2 + (0.3 / 5000) ** 2 * latencySd ** 2);
  const w = o.split;
  const zPow = normalQuantile(o.power);
  const se = (n: number) => sigma / Math.sqrt(n * w * (1 - w));
  const ok = (n: number) => (sequentialZ(n, o.alpha, o.nStar) + zPow) * se(n) <= o.minimumDetectableEffect;
  let hi = 16;
  while (!ok(hi) && hi < 1e13) hi *= 2;
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  const feedbackNeeded = hi;
  const requestsToDecision = Math.ceil(feedbackNeeded / o.feedbackRate);
  const fixedHorizonRequests = Math.ceil(
    ((fixedZ(o.alpha) + zPow) ** 2 * sigma ** 2) / (w * (1 - w) * o.minimumDetectableEffect ** 2) / o.feedbackRate,
  );
  const hoursToDecision = requestsToDecision / o.expectedRequestsPerHour;
  const maxHours = o.maxDurationMs / 3_600_000;
  const reachable = hoursToDecision <= maxHours;
  const warnings: string[] = [];
  if (!reachable) {
    warnings.push(
      `a decision needs about ${requestsToDecision} requests (${hoursToDecision.toFixed(1)} h at ${o.expectedRequestsPerHour}/h), beyond the maximum duration of ${+maxHours.toFixed(1)} h: raise the candidate share, the traffic or the minimum detectable effect`,
    );
  }
  const candidatePerHour = o.expectedRequestsPerHour * w * o.feedbackRate;
  if (candidatePerHour < 1)
    warnings.push(`the candidate gets fewer than one rated request per hour (${candidatePerHour.toFixed(2)})`);
  return { requestsToDecision, hoursToDecision, fixedHorizonRequests, reachable, warnings };
}
