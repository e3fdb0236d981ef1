/**
 * Options of the evaluator, validated with zod, and the default composite preset (the Bangalore
 * formula).
 */
import { z } from 'zod';
import { EvaluationError } from '../errors.js';
import { METRIC_NAMES, type MetricName } from './estimates.js';
import { parseOrThrow } from '../data/zod-parse.js';

/**
 * One component of the composite score: `weight · clamp((metric − from) / (to − from), 0, 1)`.
 * `from` maps to score 0 and `to` to score 1, so a lower-is-better metric has `from > to`.
 */
export interface CompositeComponent {
  /** The metric scored. */
  metric: MetricName;
  /** Its weight in the composite. */
  weight: number;
  /** Metric value scored 0. */
  from: number;
  /** Metric value scored 1. */
  to: number;
}

/**
 * The default composite (the Bangalore formula): `accuracy_score = rating / 5`, `latency_score = max(0, (5000 − latency) / 5000)`,
 * `composite = 0.7 · accuracy_score + 0.3 · latency_score`. The latency statistic is the **mean**
 * latency (exact, from the histogram's running sum): it is what an hourly average of request
 * latencies gives, it is linear (so the composite of the aggregates equals the mean per-request
 * composite while latency < 5 s) and it has a plain standard error, so the composite delta gets an
 * honest confidence interval. (The p50 is reported beside it but has no such variance.)
 */
export const DEFAULT_COMPOSITE: readonly CompositeComponent[] = Object.freeze([
  { metric: 'rating', weight: 0.7, from: 0, to: 5 },
  { metric: 'latencyMean', weight: 0.3, from: 5000, to: 0 },
]);

const metricSchema = z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]);

const componentSchema = z
  .object({ metric: metricSchema, weight: z.number().positive(), from: z.number(), to: z.number() })
  .refine((c) => c.from !== c.to, { message: 'from and to must differ' });

const evaluatorOptionsZ = z.strictObject({
  production: z.string().min(1).default('production'),
  candidate: z.string().min(1).default('candidate'),
  method: z.enum(['sequential', 'fixed']).default('sequential'),
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  nStar: z.number().positive().default(5000),
  composite: z.union([z.literal('auto'), z.array(componentSchema).min(1)]).default('auto'),
  errorReference: z.number().positive().optional(),
  weights: z.record(z.string(), z.number().nonnegative()).optional(),
  srm: z
    .strictObject({
      alpha: z.number().gt(0).lt(0.5).default(0.001),
      minExpected: z.number().nonnegative().default(8),
      concentration: z.number().positive().default(1000),
      tests: z.enum(['chi-squared', 'sequential', 'both']).default('sequential'),
    })
    .prefault({}),
  guardrails: z
    .strictObject({
      errorRate: z
        .strictObject({
          enabled: z.boolean().default(true),
          relativeTolerance: z.number().nonnegative().default(0),
          alpha: z.number().gt(0).lt(0.5).default(0.01),
        })
        .prefault({}),
      latencyP99: z
        .strictObject({
          enabled: z.boolean().default(true),
          relativeTolerance: z.number().nonnegative().default(0.2),
          minIncreaseMs: z.number().nonnegative().default(100),
          alpha: z.number().gt(0).lt(0.5).default(0.01),
          minProductionSamples: z.number().int().positive().default(200),
        })
        .prefault({}),
      slowRequests: z
        .strictObject({
          enabled: z.boolean().default(true),
          thresholdMs: z.number().positive().default(1000),
          relativeTolerance: z.number().nonnegative().default(0),
          alpha: z.number().gt(0).lt(0.5).default(0.01),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** Evaluator options as given (every field optional). */
export interface EvaluatorOptions {
  /** Name of the production (baseline) variant; default `'production'`. */
  production?: string;
  /** Name of the candidate variant; default `'candidate'`. */
  candidate?: string;
  /** `'sequential'` (always-valid confidence sequences, safe to peek) or `'fixed'` (valid at one planned look); default `'sequential'`. */
  method?: 'sequential' | 'fixed';
  /** Two-sided miscoverage of every confidence interval; default 0.05. */
  alpha?: number;
  /** Sample size at which the confidence sequence is tightest (N*); default 5,000. */
  nStar?: number;
  /**
   * Composite components, or `'auto'` (the default): the composite is built from the feedback
   * both variants have, with a quality share of 0.7 and a latency share of 0.3 (the Bangalore
   * weights; the latency score is `(5000 − mean latency) / 5000`, and without latencies the
   * quality share is 1):
   * - **ratings** present: the Bangalore formula {@link DEFAULT_COMPOSITE} exactly (rating / 5 takes
   *   the whole quality share: a rating is the user's own verdict, and the formula stays the one
   *   the README documents);
   * - otherwise the quality share is split equally between the feedback present:
   *   **`actual`** values give the error score `max(0, 1 − MAE / (2 · reference))` (1 for no error,
   *   0.5 at the reference error, 0 at twice it; the reference is `errorReference`, else
   *   production's live MAE, so production scores 0.5 and a candidate with half its error 0.75), and
   *   **`correct`** flags give the accuracy;
   * - no feedback at all: no composite (the `NO_COMPOSITE` issue; guardrails and SRM still run).
   *
   * The components used are reported in `Evaluation.compositeComponents`.
   */
  composite?: CompositeComponent[] | 'auto';
  /**
   * The MAE the automatic error score is relative to (target units), e.g. the training error the
   * production artifact carries (`artifact.metrics.mae`); default production's live MAE.
   */
  errorReference?: number;
  /** Configured split (variant → weight) for the SRM check; default the aggregates' `weights`, else no SRM check. */
  weights?: Record<string, number>;
  /**
   * Sample-ratio-mismatch check: significance `alpha` (default 0.001), minimum expected units per
   * arm (default 8), Dirichlet concentration (default 1,000) and which tests flag (default
   * `'sequential'`, the only one valid under continuous looks: its false-alarm rate is at most
   * `alpha` however often it is looked at; `'chi-squared'` and `'both'` are single-look tests, for
   * `method: 'fixed'`).
   */
  srm?: { alpha?: number; minExpected?: number; concentration?: number; tests?: 'chi-squared' | 'sequential' | 'both' };
  /**
   * One-sided guardrails, each a sequential test whose false-alarm rate is at most its `alpha`
   * however often it is looked at (Ville's inequality; see `guardrails.ts`), so with the defaults
   * an identical candidate is rolled back by some guardrail or the SRM check in at most
   * 0.01 + 0.01 + 0.01 + 0.001 = 3.1 % of experiments (union bound; 0.2–0.6 % measured in the
   * decisions bench's five A/A scenarios, 1,000 experiments of 200 looks each).
   * - `errorRate`: breached when the candidate's error rate exceeds production's × (1 +
   *   `relativeTolerance`, default 0), `alpha` default 0.01 (four candidate errors against none
   *   in production breach at a 20 % split).
   * - `latencyP99`: breached when more than 1 % of candidate requests are slower than BOTH
   *   production's p99 × (1 + `relativeTolerance`, default 0.2) AND production's p99 +
   *   `minIncreaseMs` (default 100 ms, the limit below which a delay is perceived as instantaneous,
   *   Nielsen 1993: a 6 µs → 70 µs p99 is not a regression anyone sees), `alpha` default 0.01, once
   *   production has `minProductionSamples` latencies (default 200). Production's p99 is taken at
   *   its upper confidence bound (see `guardrails.ts`).
   * - `slowRequests`: breached when the candidate's share of requests slower than `thresholdMs`
   *   (default 1,000 ms: the limit of an uninterrupted flow of thought, Nielsen 1993) exceeds
   *   production's share × (1 + `relativeTolerance`, default 0), `alpha` default 0.01. It catches a
   *   slow tail too thin for the p99 (e.g. 0.5 % of requests at 5–10 s).
   */
  guardrails?: {
    errorRate?: { enabled?: boolean; relativeTolerance?: number; alpha?: number };
    latencyP99?: {
      enabled?: boolean;
      relativeTolerance?: number;
      minIncreaseMs?: number;
      alpha?: number;
      minProductionSamples?: number;
    };
    slowRequests?: { enabled?: boolean; thresholdMs?: number; relativeTolerance?: number; alpha?: number };
  };
}

type Guardrails = NonNullable<EvaluatorOptions['guardrails']>;

/** Evaluator options with every default filled in (what an evaluation records); fields as in {@link EvaluatorOptions}. */
export interface ResolvedEvaluatorOptions
  extends Required<Omit<EvaluatorOptions, 'weights' | 'srm' | 'guardrails' | 'errorReference'>> {
  /** The reference MAE of the automatic error score, when given. */
  errorReference?: number | undefined;
  /** Configured split for the SRM check, when given. */
  weights?: Record<string, number> | undefined;
  /** Sample-ratio-mismatch settings with their defaults filled in. */
  srm: Required<NonNullable<EvaluatorOptions['srm']>>;
  /** Guardrail settings with their defaults filled in. */
  guardrails: {
    /** The error-rate guardrail. */
    errorRate: Required<NonNullable<Guardrails['errorRate']>>;
    /** The p99-latency guardrail. */
    latencyP99: Required<NonNullable<Guardrails['latencyP99']>>;
    /** The slow-request guardrail. */
    slowRequests: Required<NonNullable<Guardrails['slowRequests']>>;
  };
}

/** Zod schema of {@link EvaluatorOptions}: parses options given by a caller into {@link ResolvedEvaluatorOptions}. */
export const evaluatorOptionsSchema: z.ZodType<ResolvedEvaluatorOptions> = evaluatorOptionsZ;

/** Validates evaluator options; throws EvaluationError INVALID_POLICY naming the field. */
export function resolveEvaluatorOptions(
  options: EvaluatorOptions | ResolvedEvaluatorOptions = {},
): ResolvedEvaluatorOptions {
  const o = parseOrThrow(
    evaluatorOptionsSchema,
    options,
    'createEvaluator',
    'evaluator options',
    (m, opts) => new EvaluationError('INVALID_POLICY', m, opts),
  );
  if (o.production === o.candidate) {
    throw new EvaluationError(
      'INVALID_POLICY',
      `createEvaluator: invalid evaluator options: production and candidate are both "${o.production}"`,
      {
        operation: 'createEvaluator',
        details: { field: 'candidate' },
      },
    );
  }
  return o;
}
