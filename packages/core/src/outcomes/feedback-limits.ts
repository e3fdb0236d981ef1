/**
 * Plausible ranges of regression feedback, derived from what a model artifact carries about its
 * training target (its offline metrics), so that one absurd `actual` cannot make an aggregate
 * non-finite or swamp a variant's error.
 */
import { ValidationError } from '../errors.js';
import { DEFAULT_FEEDBACK_LIMITS, MAX_FEEDBACK_MAGNITUDE, type FeedbackLimits } from './aggregates.js';

/** Options of {@link feedbackLimits}; every field optional. */
export interface FeedbackLimitsOptions {
  /** The model artifact (only its `metrics` are read: `rmse`, `r2`, `mae`); default none. */
  readonly artifact?: { readonly metrics: { readonly [name: string]: number } } | undefined;
  /**
   * How many training-target standard deviations an `actual` may lie from its prediction; default
   * 100. A value of a real target is within a few standard deviations of the target mean and a
   * prediction is too, so 100 never rejects real feedback, yet it rejects unit mix-ups (×1,000)
   * and garbage such as `1e78`.
   */
  readonly spread?: number | undefined;
  /** Smallest accepted `actual`; default −1e15 ({@link MAX_FEEDBACK_MAGNITUDE}). */
  readonly actualMin?: number | undefined;
  /** Largest accepted `actual`; default 1e15. */
  readonly actualMax?: number | undefined;
  /** Largest accepted `|predicted − actual|`; default `spread` × the training target's standard deviation, else no limit. */
  readonly maxAbsError?: number | undefined;
}

function bad(field: string, expected: string, got: unknown): never {
  throw new ValidationError(
    'INVALID_INPUT',
    `feedbackLimits: ${field}: expected ${expected}, received ${String(got)}`,
    {
      operation: 'feedbackLimits',
      details: { field },
    },
  );
}

/**
 * The standard deviation of the training target implied by an artifact's offline metrics:
 * `rmse / sqrt(1 − r2)` (since `r2 = 1 − mse / var(y)`), else `rmse`, else `mae · sqrt(π / 2)` (the
 * ratio of a normal error's sd to its mean absolute value); `undefined` when none is usable.
 */
export function trainingTargetSd(metrics: { readonly [name: string]: number }): number | undefined {
  const rmse = metrics.rmse;
  const r2 = metrics.r2;
  const mae = metrics.mae;
  if (rmse !== undefined && rmse > 0 && Number.isFinite(rmse)) {
    if (r2 !== undefined && Number.isFinite(r2) && r2 < 1) return rmse / Math.sqrt(1 - r2);
    return rmse;
  }
  if (mae !== undefined && mae > 0 && Number.isFinite(mae)) return mae * Math.sqrt(Math.PI / 2);
  return undefined;
}

/**
 * Limits for {@link recordFeedback} and the router's `feedback()`: `actual` in
 * [`actualMin`, `actualMax`] (default ±1e15) and within `maxAbsError` of the prediction, by default
 * `spread` (100) standard deviations of the training target (from the artifact's `rmse` and `r2`,
 * see {@link trainingTargetSd}); without an artifact, only the range applies.
 *
 * @example
 * ```ts
 * const limits = feedbackLimits({ artifact: model.artifact }); // maxAbsError = 100 × target sd
 * recordFeedback(agg, { actual: 1e78, predicted: 2.1 }, limits); // throws, naming actual and the range
 * ```
 */
export function feedbackLimits(options: FeedbackLimitsOptions = {}): FeedbackLimits {
  if (typeof options !== 'object' || options === null) bad('options', 'an object', options);
  const spread = options.spread ?? 100;
  if (!(spread > 0 && spread < Infinity)) bad('spread', 'a positive number', spread);
  const lo = options.actualMin ?? DEFAULT_FEEDBACK_LIMITS.actualMin;
  const hi = options.actualMax ?? DEFAULT_FEEDBACK_LIMITS.actualMax;
  const M = MAX_FEEDBACK_MAGNITUDE;
  if (!(lo >= -M && lo <= M)) bad('actualMin', `a number in [-1e15, 1e15]`, lo);
  if (!(hi >= -M && hi <= M)) bad('actualMax', `a number in [-1e15, 1e15]`, hi);
  if (!(hi > lo)) bad('actualMax', `a number above actualMin (${lo})`, hi);
  let maxAbsError = options.maxAbsError;
  if (maxAbsError === undefined) {
    const metrics = options.artifact?.metrics;
    const sd = metrics ? trainingTargetSd(metrics) : undefined;
    maxAbsError = sd === undefined ? Number.POSITIVE_INFINITY : spread * sd;
  } else if (!(maxAbsError > 0)) bad('maxAbsError', 'a positive number', maxAbsError);
  return { actualMin: lo, actualMax: hi, maxAbsError };
}
