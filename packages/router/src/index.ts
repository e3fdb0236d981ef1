/**
 * Traffic splitting, the hot-swapping model router, the prediction log, feedback and Prometheus
 * metrics. The outcome store (`createMemoryOutcomeStore`) and the ramp schedule
 * (`createRampSchedule`) live in `@modelship/core`.
 *
 * @module
 */
export { RouterError } from './errors.js';
export type { RouterErrorCode } from './errors.js';
export { murmur3, murmur3Prefix, murmur3Continue } from './hash.js';
export type { Murmur3Prefix } from './hash.js';
export { BUCKETS, TrafficSplitter, createTrafficSplitter } from './traffic-splitter.js';
export type { VariantWeight, TrafficSplitterOptions } from './traffic-splitter.js';
export { createRampSplitter } from './ramp-splitter.js';
export { RequestIdCodec, createRequestIdCodec } from './request-id.js';
export type { RequestIdClaims, RequestIdCodecOptions, RequestIdInput } from './request-id.js';
export { PredictionLog, createPredictionLog } from './prediction-log.js';
export type {
  PredictionRecord,
  LoggedPrediction,
  PredictionSink,
  PredictionLogOptions,
  InputRedaction,
  FallbackReason,
} from './prediction-log.js';
export type { PredictionJournalOptions } from './prediction-journal.js';
export { createJsonLinesSink, createCallbackSink } from './sinks.js';
export type { JsonLinesSinkOptions } from './sinks.js';
export { PrometheusMetrics, PROMETHEUS_LATENCY_BUCKETS } from './prometheus-metrics.js';
export type { PrometheusVariantMetrics } from './prometheus-metrics.js';
export { ModelRouter, createModelRouter } from './model-router.js';
export type { PredictOptions, PredictBatchOptions, WaitForRevisionOptions } from './model-router.js';
export type { ServedObserver, ServedModelInfo } from './observers.js';
export type { ModelRouterOptions } from './router-options.js';
export type { RolloutSource, RouterRollout, RolloutWatcher } from './rollout-source.js';
export type { ServableModel, ModelLoader } from './servable-model.js';
export type { PredictionResult, PredictionExplanation } from './routed-prediction.js';
export { scoreValue } from './routed-prediction.js';
export type {
  ModelRouterEvents,
  ModelSwappedEvent,
  FallbackUsedEvent,
  FeedbackRecordedEvent,
} from './router-events.js';
export { feedbackSchema } from './feedback.js';
export type { FeedbackInput } from './feedback.js';
export { VARIANT_HEADER, variantOverride } from './override-header.js';
