/**
 * `@modelship/core/outcomes`: per-variant outcome aggregates (mergeable sums and a latency
 * histogram), their schemas, and the outcome-store contract with its in-memory store.
 *
 * @module
 */
export {
  AGGREGATES_SCHEMA_VERSION,
  emptyAggregates,
  recordPrediction,
  recordFeedback,
  mergeAggregates,
  mergeExperimentAggregates,
} from './aggregates.js';
export type {
  FeedbackSums,
  VariantAggregates,
  ExperimentAggregates,
  EmptyAggregatesOptions,
  PredictionOutcome,
  FeedbackOutcome,
} from './aggregates.js';
export {
  feedbackSumsSchema,
  variantAggregatesSchema,
  experimentAggregatesSchema,
  parseExperimentAggregates,
} from './aggregates-schema.js';
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
