/**
 * Point estimates and their sampling variances, per variant, from {@link VariantAggregates}.
 */
import type { VariantAggregates } from '../outcomes/aggregates.js';
import { histogramMean, histogramQuantiles, histogramVariance } from '../outcomes/latency-histogram.js';

/** Metrics the evaluator can estimate and compare. */
export type MetricName =
  | 'rating'
  | 'accuracy'
  | 'mae'
  | 'rmse'
  | 'errorRate'
  | 'latencyMean'
  | 'latencyP50'
  | 'latencyP95'
  | 'latencyP99';

/** Every metric name, in report order. */
export const METRIC_NAMES: readonly MetricName[] = [
  'rating',
  'accuracy',
  'mae',
  'rmse',
  'errorRate',
  'latencyMean',
  'latencyP50',
  'latencyP95',
  'latencyP99',
];

/** Whether a larger value of the metric is better. */
export const HIGHER_IS_BETTER: Readonly<Record<MetricName, boolean>> = {
  rating: true,
  accuracy: true,
  mae: false,
  rmse: false,
  errorRate: false,
  latencyMean: false,
  latencyP50: false,
  latencyP95: false,
  latencyP99: false,
};

/** A point estimate with the variance of the estimator and the sample count behind it. */
export interface Estimate {
  /** The estimate; `NaN` when there is no data. */
  value: number;
  /** Variance of the estimator; `Infinity` when unknown (fewer than two samples). */
  variance: number;
  /** Number of samples behind it. */
  n: number;
}

const NONE: Estimate = { value: Number.NaN, variance: Infinity, n: 0 };

function meanEstimate(n: number, sum: number, sumSq: number): Estimate {
  if (n <= 0) return NONE;
  const mean = sum / n;
  if (n < 2) return { value: mean, variance: Infinity, n };
  const s2 = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  return { value: mean, variance: s2 / n, n };
}

function proportionEstimate(x: number, n: number): Estimate {
  if (n <= 0) return NONE;
  // The variance uses the Agresti–Coull-style smoothed rate so 0/n and n/n keep a positive variance.
  const smooth = (x + 1) / (n + 2);
  return { value: x / n, variance: (smooth * (1 - smooth)) / n, n };
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

function quantileEstimates(agg: VariantAggregates): [Estimate, Estimate, Estimate] {
  const h = agg.latency;
  const n = h.count;
  if (n <= 0) return [NONE, NONE, NONE];
  // Order-statistic approximation: the rank of the q-quantile has sd sqrt(n q (1 − q)), so the
  // quantile's sd is about half the spread between the quantiles one rank-sd either side.
  const qs: number[] = [];
  for (const q of QUANTILES) {
    const d = Math.sqrt((q * (1 - q)) / n);
    qs.push(q, Math.max(0, q - d), Math.min(1, q + d));
  }
  const v = histogramQuantiles(h, qs);
  const one = (i: number): Estimate => {
    if (n < 2) return { value: v[3 * i]!, variance: Infinity, n };
    const sd = (v[3 * i + 2]! - v[3 * i + 1]!) / 2;
    return { value: v[3 * i]!, variance: sd * sd, n };
  };
  return [one(0), one(1), one(2)];
}

/** Estimates of every metric of one variant. */
export type VariantEstimates = Record<MetricName, Estimate>;

/** Estimates every metric of one variant (one pass over the latency histogram). */
export function estimateAll(agg: VariantAggregates): VariantEstimates {
  const [p50, p95, p99] = quantileEstimates(agg);
  return {
    rating: estimateMetric(agg, 'rating'),
    accuracy: estimateMetric(agg, 'accuracy'),
    mae: estimateMetric(agg, 'mae'),
    rmse: estimateMetric(agg, 'rmse'),
    errorRate: estimateMetric(agg, 'errorRate'),
    latencyMean: estimateMetric(agg, 'latencyMean'),
    latencyP50: p50,
    latencyP95: p95,
    latencyP99: p99,
  };
}

/** Estimates one metric of one variant. */
export function estimateMetric(agg: VariantAggregates, metric: MetricName): Estimate {
  const f = agg.feedback;
  switch (metric) {
    case 'rating':
      return meanEstimate(f.ratingCount, f.ratingSum, f.ratingSumSq);
    case 'accuracy':
      return proportionEstimate(f.correctCount, f.correctTotal);
    case 'mae':
      return meanEstimate(f.actualCount, f.absErrorSum, f.sqErrorSum);
    case 'rmse': {
      const mse = meanEstimate(f.actualCount, f.sqErrorSum, f.sqErrorSumSq);
      if (mse.n === 0) return NONE;
      const value = Math.sqrt(mse.value);
      // Delta method: Var(sqrt(m)) ≈ Var(m) / (4 m).
      return { value, variance: value > 0 ? mse.variance / (4 * mse.value) : mse.variance, n: mse.n };
    }
    case 'errorRate':
      return proportionEstimate(agg.errors, agg.requests);
    case 'latencyMean': {
      const h = agg.latency;
      const v = histogramVariance(h);
      return h.count === 0
        ? NONE
        : { value: histogramMean(h), variance: h.count < 2 ? Infinity : v / h.count, n: h.count };
    }
    case 'latencyP50':
      return quantileEstimates(agg)[0];
    case 'latencyP95':
      return quantileEstimates(agg)[1];
    case 'latencyP99':
      return quantileEstimates(agg)[2];
  }
}

/** Summary metrics of one variant, as reported in an evaluation (`null` when unavailable). */
export interface VariantSummary {
  /** Variant name. */
  variant: string;
  /** Model version serving it, when recorded. */
  modelVersion: string | null;
  /** Requests routed to it. */
  requests: number;
  /** Failed requests. */
  errors: number;
  /** Failed / routed requests. */
  errorRate: number | null;
  /** Feedback events received. */
  feedbackCount: number;
  /** Ratings received. */
  ratingCount: number;
  /** Mean rating. */
  ratingMean: number | null;
  /** Sample standard deviation of ratings. */
  ratingSd: number | null;
  /** Share of correct predictions among feedback carrying `correct`. */
  accuracy: number | null;
  /** Mean absolute error against actual values. */
  mae: number | null;
  /** Root mean squared error against actual values. */
  rmse: number | null;
  /** Mean latency (ms, exact from the histogram's sum). */
  latencyMean: number | null;
  /** Latency quantiles (ms, within the histogram's relative accuracy). */
  latencyP50: number | null;
  /** 95th percentile latency (ms). */
  latencyP95: number | null;
  /** 99th percentile latency (ms). */
  latencyP99: number | null;
  /** The composite score, when every component is available. */
  composite: number | null;
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Summarises one variant from its estimates (composite filled in by the evaluator). */
export function summariseVariant(agg: VariantAggregates, est: VariantEstimates = estimateAll(agg)): VariantSummary {
  const rating = est.rating;
  return {
    variant: agg.variant,
    modelVersion: agg.modelVersion ?? null,
    requests: agg.requests,
    errors: agg.errors,
    errorRate: orNull(est.errorRate.value),
    feedbackCount: agg.feedback.count,
    ratingCount: agg.feedback.ratingCount,
    ratingMean: orNull(rating.value),
    ratingSd: orNull(Math.sqrt(rating.variance * rating.n)),
    accuracy: orNull(est.accuracy.value),
    mae: orNull(est.mae.value),
    rmse: orNull(est.rmse.value),
    latencyMean: orNull(est.latencyMean.value),
    latencyP50: orNull(est.latencyP50.value),
    latencyP95: orNull(est.latencyP95.value),
    latencyP99: orNull(est.latencyP99.value),
    composite: null,
  };
}
