/**
 * Options of the rollback policy, validated with zod, with documented defaults.
 */
import { z } from 'zod';
import { EvaluationError } from '../errors.js';
import { parseOrThrow } from '../data/zod-parse.js';

const rollbackPolicyOptionsZ = z.strictObject({
  promoteThreshold: z.number().nonnegative().default(0.05),
  rollbackThreshold: z.number().gt(0).lt(1).default(0.2),
  promoteRule: z.enum(['estimate', 'bound']).default('estimate'),
  minSamples: z.number().int().nonnegative().default(100),
  minGuardrailSamples: z.number().int().nonnegative().default(20),
  minDurationMs: z
    .number()
    .nonnegative()
    .default(10 * 60_000),
  maxDurationMs: z
    .number()
    .positive()
    .default(7 * 24 * 3_600_000),
  cooldownMs: z.number().nonnegative().default(3_600_000),
  rampSteps: z.array(z.number().gt(0).lt(1)).default([]),
  rollbackOnSrm: z.boolean().default(true),
});

/** Rollback policy options as given (every field optional). */
export interface RollbackPolicyOptions {
  /** Composite delta (candidate − production, absolute) the candidate must clear to be promoted; default 0.05. */
  promoteThreshold?: number;
  /** Relative composite degradation beyond which the candidate is rolled back; default 0.2 (20 %). */
  rollbackThreshold?: number;
  /**
   * How the promote threshold meets the confidence bound; default `'estimate'`: promote when the
   * point estimate of the delta clears `promoteThreshold` AND the lower confidence bound of the
   * delta is above zero (the candidate is better with confidence, and by about the threshold).
   * `'bound'`: promote only when the lower bound of the delta itself clears the threshold
   * (stricter: needs far more data when the true delta is near the threshold). Rollback mirrors
   * it: `'estimate'` rolls back when the relative delta is at or below −`rollbackThreshold` and
   * the upper bound of the delta is below zero; `'bound'` when the upper bound of the relative
   * delta is below −`rollbackThreshold`.
   */
  promoteRule?: 'estimate' | 'bound';
  /** Minimum composite samples (ratings, etc.) per variant before a promote, ramp or composite rollback; default 100. */
  minSamples?: number;
  /** Minimum requests per variant before a guardrail or SRM rollback; default 20. */
  minGuardrailSamples?: number;
  /** Minimum experiment duration (ms) before a promote, ramp or composite rollback; default 10 minutes. Guardrail and SRM rollbacks do not wait for it. */
  minDurationMs?: number;
  /** Duration (ms) after which an inconclusive experiment is held; default 7 days. */
  maxDurationMs?: number;
  /** Time (ms) after the last decision during which no promote or ramp is issued (rollbacks still are); default 1 hour. */
  cooldownMs?: number;
  /** Candidate traffic shares to ramp through (increasing, e.g. `[0.05, 0.2, 0.5]`); default `[]` (no ramping). */
  rampSteps?: number[];
  /** Roll back when the served split mismatches the configured one (SRM); default true. */
  rollbackOnSrm?: boolean;
}

/** Policy options with every default filled in. */
export type ResolvedRollbackPolicyOptions = Required<RollbackPolicyOptions>;

/** Zod schema of {@link RollbackPolicyOptions}: parses options given by a caller into {@link ResolvedRollbackPolicyOptions}. */
export const rollbackPolicyOptionsSchema: z.ZodType<ResolvedRollbackPolicyOptions> = rollbackPolicyOptionsZ;

/** Validates policy options; throws EvaluationError INVALID_POLICY naming the field. */
export function resolvePolicyOptions(options: RollbackPolicyOptions = {}): ResolvedRollbackPolicyOptions {
  const o = parseOrThrow(
    rollbackPolicyOptionsSchema,
    options,
    'createRollbackPolicy',
    'rollback policy options',
    (m, opts) => new EvaluationError('INVALID_POLICY', m, opts),
  );
  const steps = o.rampSteps;
  for (let i = 1; i < steps.length; i++) {
    if (!(steps[i]! > steps[i - 1]!)) {
      throw new EvaluationError(
        'INVALID_POLICY',
        `createRollbackPolicy: invalid rollback policy options: rampSteps must increase, received [${steps.join(', ')}]`,
        {
          operation: 'createRollbackPolicy',
          details: { field: 'rampSteps' },
        },
      );
    }
  }
  if (o.maxDurationMs < o.minDurationMs) {
    throw new EvaluationError(
      'INVALID_POLICY',
      'createRollbackPolicy: invalid rollback policy options: maxDurationMs is below minDurationMs',
      {
        operation: 'createRollbackPolicy',
        details: { field: 'maxDurationMs' },
      },
    );
  }
  return o;
}

/** Zod schema of {@link DecisionContext}. */
export const decisionContextSchema = z
  .strictObject({
    startedAt: z.number().nonnegative(),
    now: z.number().nonnegative(),
    lastDecisionAt: z.number().nonnegative().optional(),
    rampStep: z.number().int().nonnegative().optional(),
  })
  .refine((c) => c.now >= c.startedAt, { message: 'now is before startedAt', path: ['now'] });

/** When the decision is taken; times are epoch milliseconds (the policy never reads a clock). */
export interface DecisionContext {
  /** When the experiment started. */
  startedAt: number;
  /** The time of this decision. */
  now: number;
  /** When the last decision that changed the rollout (ramp, promote, rollback) was applied. */
  lastDecisionAt?: number;
  /** Index into `rampSteps` of the candidate's current share; default 0 when ramping is configured. */
  rampStep?: number;
}
