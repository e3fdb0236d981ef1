/**
 * Per-variant outcome aggregates: the contract between the router (which records into them, per
 * request and per feedback) and the evaluator (which reads them). The in-memory form is the JSON
 * form (schema version 1): plain objects of numbers, safe to `JSON.stringify`, store, ship
 * between replicas and {@link mergeAggregates | merge}. Every field is a sum or count, so merging
 * two aggregates gives exactly what one process seeing all events would have recorded
 * (min/max for times and latencies), in any order and grouping.
 *
 * Recording ({@link recordPrediction}, {@link recordFeedback}) mutates in place in O(1) and does
 * not allocate once the latency bucket exists. Times are milliseconds since the Unix epoch.
 * Schemas and validation live in `aggregates-schema.ts`.
 */
import { ValidationError } from '../errors.js';
import {
  emptyHistogram,
  mergeHistograms,
  recordLatency,
  type HistogramOptions,
  type LatencyHistogramJson,
} from './latency-histogram.js';

/** The aggregates schema version written by this code. */
export const AGGREGATES_SCHEMA_VERSION = 1 as const;

/** Sums over the feedback received for one variant. */
export interface FeedbackSums {
  /** Number of feedback events (any kind). */
  count: number;
  /** Number of feedback events that carried a rating. */
  ratingCount: number;
  /** Sum of ratings (e.g. whole stars 1–5). */
  ratingSum: number;
  /** Sum of squared ratings, for the variance. */
  ratingSumSq: number;
  /** Number of feedback events whose `correct` flag was true. */
  correctCount: number;
  /** Number of feedback events that carried a `correct` flag. */
  correctTotal: number;
  /** Number of (actual, predicted) pairs received. */
  actualCount: number;
  /** Sum of signed errors `predicted − actual` (bias). */
  errorSum: number;
  /** Sum of absolute errors `|predicted − actual|` (MAE numerator). */
  absErrorSum: number;
  /** Sum of squared errors (RMSE numerator; also the sum of squared absolute errors). */
  sqErrorSum: number;
  /** Sum of errors to the fourth power, for the variance of the squared error. */
  sqErrorSumSq: number;
}

/** Outcome aggregates of one variant (schema version 1). */
export interface VariantAggregates {
  /** Schema version; always 1 for now. */
  schemaVersion: 1;
  /** Variant name as routed (e.g. `'production'`, `'candidate'`). */
  variant: string;
  /** Model version serving this variant, when known. */
  modelVersion?: string | undefined;
  /** Requests routed to this variant (served, failed or fell back). */
  requests: number;
  /** Requests that failed (counted in `requests` too). */
  errors: number;
  /** Requests answered by a fallback (counted in `requests` too). */
  fallbacks: number;
  /** Requests that timed out (counted in `requests` and usually `errors` too). */
  timeouts: number;
  /** Feedback sums. */
  feedback: FeedbackSums;
  /** Latency of every request that reported one, in ms, as a mergeable histogram. */
  latency: LatencyHistogramJson;
  /** Time of the first recorded event (epoch ms), `null` when none. */
  firstSeen: number | null;
  /** Time of the last recorded event (epoch ms), `null` when none. */
  lastSeen: number | null;
}

/** Aggregates of every variant of one experiment over a time range (schema version 1). */
export interface ExperimentAggregates {
  /** Schema version; always 1 for now. */
  schemaVersion: 1;
  /** Aggregates keyed by variant name (the key equals `variant`). */
  variants: Record<string, VariantAggregates>;
  /** Start of the covered range (epoch ms). */
  since: number;
  /** End of the covered range (epoch ms). */
  until: number;
  /** The configured traffic split (variant → weight, any scale), when the recorder knows it. */
  weights?: Record<string, number> | undefined;
}

/** Options of {@link emptyAggregates}. */
export interface EmptyAggregatesOptions extends HistogramOptions {
  /** Model version serving the variant; default none. */
  modelVersion?: string;
}

/**
 * Creates empty aggregates for one variant.
 *
 * @example
 * ```ts
 * const agg = emptyAggregates('candidate', { modelVersion: '3' });
 * recordPrediction(agg, { latencyMs: 41 });
 * recordFeedback(agg, { rating: 4 });
 * ```
 */
export function emptyAggregates(variant: string, options: EmptyAggregatesOptions = {}): VariantAggregates {
  if (typeof variant !== 'string' || variant === '') {
    throw new ValidationError(
      'INVALID_INPUT',
      `emptyAggregates: variant: expected a non-empty string, received ${variant === '' ? "''" : String(variant)}`,
      {
        operation: 'emptyAggregates',
        details: { field: 'variant' },
      },
    );
  }
  const out: VariantAggregates = {
    schemaVersion: 1,
    variant,
    requests: 0,
    errors: 0,
    fallbacks: 0,
    timeouts: 0,
    feedback: {
      count: 0,
      ratingCount: 0,
      ratingSum: 0,
      ratingSumSq: 0,
      correctCount: 0,
      correctTotal: 0,
      actualCount: 0,
      errorSum: 0,
      absErrorSum: 0,
      sqErrorSum: 0,
      sqErrorSumSq: 0,
    },
    latency: emptyHistogram(options),
    firstSeen: null,
    lastSeen: null,
  };
  if (options.modelVersion !== undefined) out.modelVersion = options.modelVersion;
  return out;
}

/** One served (or failed) request. */
export interface PredictionOutcome {
  /** Wall time of the request in ms; omitted when unknown (then no latency is recorded). */
  latencyMs?: number;
  /** True when the request failed; default false. */
  error?: boolean;
  /** True when a fallback answered; default false. */
  fallback?: boolean;
  /** True when the request timed out; default false (also set `error` if it failed). */
  timeout?: boolean;
  /** Event time (epoch ms); default `Date.now()`. */
  at?: number;
}

function invalid(operation: string, field: string, expected: string, received: unknown): never {
  throw new ValidationError(
    'INVALID_INPUT',
    `${operation}: ${field}: expected ${expected}, received ${String(received)}`,
    { operation, details: { field } },
  );
}

/** Checks the aggregate, the event object and its time before anything is mutated. */
function checkEvent(
  operation: string,
  agg: VariantAggregates,
  event: { at?: number } | null,
  eventField: string,
): void {
  if (typeof agg !== 'object' || agg === null || typeof agg.feedback !== 'object' || typeof agg.latency !== 'object') {
    invalid(operation, 'agg', 'variant aggregates (from emptyAggregates)', agg);
  }
  if (typeof event !== 'object' || event === null) invalid(operation, eventField, 'an object', event);
  const at = event.at;
  if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at)))
    invalid(operation, 'at', 'a finite epoch time in ms', at);
}

function touch(agg: VariantAggregates, at: number): void {
  if (agg.firstSeen === null || at < agg.firstSeen) agg.firstSeen = at;
  if (agg.lastSeen === null || at > agg.lastSeen) agg.lastSeen = at;
}

/** Records one request in place in O(1) and returns `agg`; throws ValidationError on a bad latency. */
export function recordPrediction(agg: VariantAggregates, outcome: PredictionOutcome): VariantAggregates {
  checkEvent('recordPrediction', agg, outcome, 'outcome');
  if (outcome.latencyMs !== undefined) recordLatency(agg.latency, outcome.latencyMs);
  agg.requests++;
  if (outcome.error === true) agg.errors++;
  if (outcome.fallback === true) agg.fallbacks++;
  if (outcome.timeout === true) agg.timeouts++;
  touch(agg, outcome.at ?? Date.now());
  return agg;
}

/** One feedback event; any combination of the fields. */
export interface FeedbackOutcome {
  /** A user rating (e.g. whole stars 1–5). */
  rating?: number;
  /** Whether the prediction was correct (classification). */
  correct?: boolean;
  /** The actual value (regression); requires `predicted`. */
  actual?: number;
  /** The predicted value the actual is compared with. */
  predicted?: number;
  /** Event time (epoch ms); default `Date.now()`. */
  at?: number;
}

function badFeedback(field: string, expected: string, received: unknown): never {
  return invalid('recordFeedback', field, expected, received);
}

/**
 * The values {@link recordFeedback} accepts for `actual` and `predicted`, so that no single record
 * can make a sum non-finite (the aggregates keep the sum of errors to the fourth power).
 */
export interface FeedbackLimits {
  /** Smallest accepted `actual` (and `predicted`). */
  readonly actualMin: number;
  /** Largest accepted `actual` (and `predicted`). */
  readonly actualMax: number;
  /** Largest accepted `|predicted − actual|`; `Infinity` for no limit beyond the range. */
  readonly maxAbsError: number;
}

/**
 * The largest magnitude a feedback value may have, whatever the limits say: 1e15. With `|actual|`,
 * `|predicted|` ≤ 1e15 an error is at most 2e15 and its fourth power 1.6e61, so even 2^53 records
 * keep every sum finite (below 1.5e77), and integers stay exact (below 2^53 ≈ 9.0e15). Ratings are
 * held to the same magnitude.
 */
export const MAX_FEEDBACK_MAGNITUDE = 1e15;

/**
 * The default {@link FeedbackLimits}: `actual` and `predicted` in ±{@link MAX_FEEDBACK_MAGNITUDE}, no
 * error limit beyond that. A router derives tighter limits from the artifact's training metrics
 * (`feedbackLimits({ artifact })`).
 */
export const DEFAULT_FEEDBACK_LIMITS: FeedbackLimits = Object.freeze({
  actualMin: -MAX_FEEDBACK_MAGNITUDE,
  actualMax: MAX_FEEDBACK_MAGNITUDE,
  maxAbsError: Number.POSITIVE_INFINITY,
});

/** `x` with enough digits to tell it from the limit it is compared with. */
function g(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e6 ? String(x) : x.toPrecision(6).replace(/\.?0+(e|$)/, '$1');
}

/**
 * Checks a feedback's `actual` and `predicted` against `limits`; throws ValidationError
 * `INVALID_INPUT` naming the field and the range. Shared by {@link recordFeedback} and the router.
 */
export function checkFeedbackValues(
  operation: string,
  actual: number,
  predicted: number,
  limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS,
): void {
  const lo = Math.max(limits.actualMin, -MAX_FEEDBACK_MAGNITUDE);
  const hi = Math.min(limits.actualMax, MAX_FEEDBACK_MAGNITUDE);
  if (!(actual >= lo && actual <= hi))
    invalid(operation, 'actual', `a number in the plausible range [${g(lo)}, ${g(hi)}]`, actual);
  if (!(predicted >= -MAX_FEEDBACK_MAGNITUDE && predicted <= MAX_FEEDBACK_MAGNITUDE))
    invalid(
      operation,
      'predicted',
      `a number in [${g(-MAX_FEEDBACK_MAGNITUDE)}, ${g(MAX_FEEDBACK_MAGNITUDE)}] beside actual`,
      predicted,
    );
  const m = limits.maxAbsError;
  if (!(Math.abs(predicted - actual) <= m))
    invalid(
      operation,
      'actual',
      `a number within ${g(m)} of the prediction ${g(predicted)}, i.e. in the plausible range [${g(Math.max(lo, predicted - m))}, ${g(Math.min(hi, predicted + m))}]`,
      actual,
    );
}

/**
 * Records one feedback event in place in O(1) (no allocation) and returns `agg`. Throws
 * ValidationError `INVALID_INPUT` naming the field on a non-finite value, a rating beyond
 * ±{@link MAX_FEEDBACK_MAGNITUDE}, or an `actual` outside `limits` (default
 * {@link DEFAULT_FEEDBACK_LIMITS}; the message gives the range). Nothing is recorded when it throws.
 */
export function recordFeedback(
  agg: VariantAggregates,
  fb: FeedbackOutcome,
  limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS,
): VariantAggregates {
  checkEvent('recordFeedback', agg, fb, 'feedback');
  const f = agg.feedback;
  const { rating, correct, actual, predicted } = fb;
  if (rating !== undefined && !(Number.isFinite(rating) && Math.abs(rating) <= MAX_FEEDBACK_MAGNITUDE))
    badFeedback('rating', `a finite number in [-${g(MAX_FEEDBACK_MAGNITUDE)}, ${g(MAX_FEEDBACK_MAGNITUDE)}]`, rating);
  if (correct !== undefined && typeof correct !== 'boolean') badFeedback('correct', 'a boolean', correct);
  if (actual !== undefined) {
    if (!Number.isFinite(actual)) badFeedback('actual', 'a finite number', actual);
    if (predicted === undefined || !Number.isFinite(predicted))
      badFeedback('predicted', 'a finite number beside actual', predicted);
    checkFeedbackValues('recordFeedback', actual, predicted, limits);
  }
  f.count++;
  if (rating !== undefined) {
    f.ratingCount++;
    f.ratingSum += rating;
    f.ratingSumSq += rating * rating;
  }
  if (correct !== undefined) {
    f.correctTotal++;
    if (correct) f.correctCount++;
  }
  if (actual !== undefined) {
    const e = predicted! - actual;
    const e2 = e * e;
    f.actualCount++;
    f.errorSum += e;
    f.absErrorSum += Math.abs(e);
    f.sqErrorSum += e2;
    f.sqErrorSumSq += e2 * e2;
  }
  touch(agg, fb.at ?? Date.now());
  return agg;
}

function minTime(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
function maxTime(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/**
 * Merges two aggregates of the same variant into a new object (inputs untouched). Associative
 * and commutative; the result equals what one recorder seeing both event streams would hold.
 * Throws ValidationError when the variant names or latency schemes differ; `modelVersion` is kept
 * when both agree (or one is missing) and dropped when they disagree.
 */
export function mergeAggregates(a: VariantAggregates, b: VariantAggregates): VariantAggregates {
  if (a.variant !== b.variant) {
    throw new ValidationError(
      'INVALID_INPUT',
      `cannot merge aggregates of variant "${a.variant}" with "${b.variant}"`,
      { operation: 'mergeAggregates' },
    );
  }
  const fa = a.feedback;
  const fb = b.feedback;
  const out: VariantAggregates = {
    schemaVersion: 1,
    variant: a.variant,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    fallbacks: a.fallbacks + b.fallbacks,
    timeouts: a.timeouts + b.timeouts,
    feedback: {
      count: fa.count + fb.count,
      ratingCount: fa.ratingCount + fb.ratingCount,
      ratingSum: fa.ratingSum + fb.ratingSum,
      ratingSumSq: fa.ratingSumSq + fb.ratingSumSq,
      correctCount: fa.correctCount + fb.correctCount,
      correctTotal: fa.correctTotal + fb.correctTotal,
      actualCount: fa.actualCount + fb.actualCount,
      errorSum: fa.errorSum + fb.errorSum,
      absErrorSum: fa.absErrorSum + fb.absErrorSum,
      sqErrorSum: fa.sqErrorSum + fb.sqErrorSum,
      sqErrorSumSq: fa.sqErrorSumSq + fb.sqErrorSumSq,
    },
    latency: mergeHistograms(a.latency, b.latency),
    firstSeen: minTime(a.firstSeen, b.firstSeen),
    lastSeen: maxTime(a.lastSeen, b.lastSeen),
  };
  const mv =
    a.modelVersion === undefined
      ? b.modelVersion
      : b.modelVersion === undefined || b.modelVersion === a.modelVersion
        ? a.modelVersion
        : undefined;
  if (mv !== undefined) out.modelVersion = mv;
  return out;
}

/**
 * Merges two experiment aggregates (e.g. from two router replicas or two time windows): variants
 * are merged by name, the range is the union; `weights` are kept when equal (or one is missing).
 */
export function mergeExperimentAggregates(a: ExperimentAggregates, b: ExperimentAggregates): ExperimentAggregates {
  const variants: Record<string, VariantAggregates> = {};
  const names = [...new Set([...Object.keys(a.variants), ...Object.keys(b.variants)])].sort();
  for (const name of names) {
    const x = a.variants[name];
    const y = b.variants[name];
    variants[name] = x && y ? mergeAggregates(x, y) : structuredClone((x ?? y)!);
  }
  const out: ExperimentAggregates = {
    schemaVersion: 1,
    variants,
    since: Math.min(a.since, b.since),
    until: Math.max(a.until, b.until),
  };
  const w = a.weights ?? b.weights;
  if (
    w !== undefined &&
    (a.weights === undefined || b.weights === undefined || JSON.stringify(a.weights) === JSON.stringify(b.weights))
  )
    out.weights = { ...w };
  return out;
}

/**
 * The outcomes recorded between two snapshots of the same cumulative aggregates: `later − earlier`
 * (counts, sums and histogram bins subtracted; the range starts where `earlier` ended). How a
 * controller evaluates one ramp step, or one experiment, on a store that keeps counting a
 * production version across experiments. `earlier` must be an earlier snapshot of `later` (else
 * `INVALID_INPUT`: a count would go negative). Min and max latency are `later`'s (a bound, not exact).
 */
export function subtractExperimentAggregates(
  later: ExperimentAggregates,
  earlier: ExperimentAggregates,
): ExperimentAggregates {
  const variants: Record<string, VariantAggregates> = {};
  for (const [name, x] of Object.entries(later.variants)) {
    const y = earlier.variants[name];
    variants[name] = y ? subtractAggregates(x, y) : structuredClone(x);
  }
  const out: ExperimentAggregates = {
    schemaVersion: 1,
    variants,
    since: Math.max(later.since, earlier.until),
    until: later.until,
  };
  if (later.weights) out.weights = { ...later.weights };
  return out;
}

function subtractAggregates(a: VariantAggregates, b: VariantAggregates): VariantAggregates {
  const op = 'subtractExperimentAggregates';
  const sub = (x: number, y: number, field: string, count: boolean): number => {
    const d = x - y;
    if (count && d < 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        `${op}: variant "${a.variant}": ${field} would be negative (${x} − ${y}): the earlier aggregates are not a snapshot of the later ones`,
        { operation: op, details: { field, variant: a.variant } },
      );
    }
    return count ? d : Math.max(field.endsWith('Sq') || field === 'absErrorSum' ? 0 : -Infinity, d);
  };
  const fa = a.feedback;
  const fb = b.feedback;
  const f = (k: keyof FeedbackSums, count = false) => sub(fa[k], fb[k], `feedback.${k}`, count);
  const bins: Record<string, number> = {};
  for (const k of Object.keys(a.latency.bins)) {
    const d = sub(a.latency.bins[k]!, b.latency.bins[k] ?? 0, `latency.bins.${k}`, true);
    if (d > 0) bins[k] = d;
  }
  const count = sub(a.latency.count, b.latency.count, 'latency.count', true);
  const out: VariantAggregates = {
    schemaVersion: 1,
    variant: a.variant,
    requests: sub(a.requests, b.requests, 'requests', true),
    errors: sub(a.errors, b.errors, 'errors', true),
    fallbacks: sub(a.fallbacks, b.fallbacks, 'fallbacks', true),
    timeouts: sub(a.timeouts, b.timeouts, 'timeouts', true),
    feedback: {
      count: f('count', true),
      ratingCount: f('ratingCount', true),
      ratingSum: f('ratingSum'),
      ratingSumSq: f('ratingSumSq'),
      correctCount: f('correctCount', true),
      correctTotal: f('correctTotal', true),
      actualCount: f('actualCount', true),
      errorSum: f('errorSum'),
      absErrorSum: f('absErrorSum'),
      sqErrorSum: f('sqErrorSum'),
      sqErrorSumSq: f('sqErrorSumSq'),
    },
    latency: {
      ...a.latency,
      count,
      sum: count === 0 ? 0 : Math.max(0, a.latency.sum - b.latency.sum),
      sumSq: count === 0 ? 0 : Math.max(0, a.latency.sumSq - b.latency.sumSq),
      min: count === 0 ? null : a.latency.min,
      max: count === 0 ? null : a.latency.max,
      zeroCount: sub(a.latency.zeroCount, b.latency.zeroCount, 'latency.zeroCount', true),
      bins,
    },
    firstSeen: a.requests - b.requests > 0 ? Math.max(a.firstSeen ?? 0, b.lastSeen ?? 0) : null,
    lastSeen: a.requests - b.requests > 0 ? a.lastSeen : null,
  };
  if (a.modelVersion !== undefined) out.modelVersion = a.modelVersion;
  return out;
}
