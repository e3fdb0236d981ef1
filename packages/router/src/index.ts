/**
 * Traffic splitting, hot-swapping model router, prediction log, feedback and per-variant outcomes.
 *
 * @module
 */
export { RouterError } from './errors.js';
export type { RouterErrorCode } from './errors.js';
export { murmur3, murmur3Prefix, murmur3Continue } from './hash.js';
export type { Murmur3Prefix } from './hash.js';
export { BUCKETS, TrafficSplitter, createTrafficSplitter } from './traffic-splitter.js';
export type { VariantWeight, TrafficSplitterOptions } from './traffic-splitter.js';
export { createRampSchedule } from './ramp.js';
export type { RampSchedule, RampScheduleOptions } from './ramp.js';
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
export { createJsonLinesSink, createCallbackSink } from './sinks.js';
export type { JsonLinesSinkOptions } from './sinks.js';
export { RouterMetrics, LATENCY_BUCKETS } from './metrics.js';
export type { VariantMetrics } from './metrics.js';
export { MemoryOutcomeStore, createMemoryOutcomeStore, mergeOutcomeSnapshots } from './outcome-store.js';
export type { OutcomeStore, OutcomeKey, OutcomeRecorder, OutcomeSnapshot, AggregatesQuery } from './outcome-store.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { ModelRouter, createModelRouter } from './model-router.js';
export type { PredictOptions, PredictBatchOptions } from './model-router.js';
export type { ModelRouterOptions, ModelLoader } from './router-options.js';
export type { RouterRegistry, RouterRollout, RolloutWatcher, ServableModel } from './router-registry.js';
export type { PredictionResult } from './routed-prediction.js';
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
