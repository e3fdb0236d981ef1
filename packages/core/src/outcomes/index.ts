/**
 * `@modelship/core/outcomes`: per-variant outcome aggregates (mergeable sums and a latency
 * histogram), their schemas, and the outcome-store contract with its in-memory store.
 *
 * @module @modelship/core/outcomes
 */
export {
  AGGREGATES_SCHEMA_VERSION,
  emptyAggregates,
  recordPrediction,
  recordFeedback,
  mergeAggregates,
  mergeExperimentAggregates,
  subtractExperimentAggregates,
  checkFeedbackValues,
  DEFAULT_FEEDBACK_LIMITS,
  MAX_FEEDBACK_MAGNITUDE,
} from './aggregates.js';
export { feedbackLimits, trainingTargetSd } from './feedback-limits.js';
export type { FeedbackLimitsOptions } from './feedback-limits.js';
export type {
  FeedbackSums,
  VariantAggregates,
  ExperimentAggregates,
  EmptyAggregatesOptions,
  PredictionOutcome,
  FeedbackOutcome,
  FeedbackLimits,
} from './aggregates.js';
export {
  feedbackSumsSchema,
  variantAggregatesSchema,
  experimentAggregatesSchema,
  parseExperimentAggregates,
  parseUsableAggregates,
} from './aggregates-schema.js';
export type { UnusableFeedback } from './aggregates-schema.js';
export {
  DEFAULT_RELATIVE_ACCURACY,
  DEFAULT_MIN_LATENCY_MS,
  latencyHistogramSchema,
  emptyHistogram,
  recordLatency,
  recordLatencyN,
  mergeHistograms,
  histogramQuantile,
  histogramQuantiles,
  histogramMean,
  histogramVariance,
  histogramCountAbove,
  bucketValue,
} from './latency-histogram.js';
export type { LatencyHistogramJson, HistogramOptions } from './latency-histogram.js';
export { outcomeSnapshotSchema } from './outcome-store.js';
export type { OutcomeStore, OutcomeKey, OutcomeRecorder, OutcomeSnapshot, AggregatesQuery } from './outcome-store.js';
export { MemoryOutcomeStore, createMemoryOutcomeStore, mergeOutcomeSnapshots } from './memory-outcome-store.js';
export { createOutcomePublisher, StoreOutcomeSource, OUTCOME_SNAPSHOTS_PREFIX } from './shared-outcomes.js';
export type { OutcomePublisher, OutcomePublisherOptions } from './shared-outcomes.js';
