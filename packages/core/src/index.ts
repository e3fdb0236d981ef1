/**
 * `@modelship/core`: what a serving replica needs — contracts (errors, logger, events, the store
 * interface), tables and schemas, the fitted feature pipeline, the model artifact and runtime,
 * the registry, outcome aggregates, the evaluator and the rollback policy.
 *
 * The root exports what applications use; the full surface of each area is a subpath:
 * `@modelship/core/registry`, `/store`, `/rollout`, `/outcomes`, `/evaluate`, `/policy`,
 * `/artifact`, `/data`, `/features`, `/learners`, `/events`, and `/kit` for packages built on
 * core. The training stack is `@modelship/train`.
 *
 * @module @modelship/core
 */

// ---- contracts ---------------------------------------------------------------------------
export {
  ModelshipError,
  ValidationError,
  DataError,
  TrainingError,
  ArtifactError,
  RegistryError,
  EvaluationError,
  isModelshipError,
} from './errors.js';
export type {
  ModelshipErrorOptions,
  ValidationErrorCode,
  DataErrorCode,
  TrainingErrorCode,
  ArtifactErrorCode,
  RegistryErrorCode,
  EvaluationErrorCode,
} from './errors.js';
export { silentLogger, childLogger } from './logger.js';
export type { Logger } from './logger.js';
export { SafeEmitter } from './events/safe-emitter.js';
export type { Matrix } from './types/matrix.js';
export type { Serial, SerialTypedArray } from './types/serial.js';

// ---- data and features ---------------------------------------------------------------------
export { Table, numericColumn, categoricalColumn } from './data/table.js';
export type { Column, RowValue } from './data/table.js';
export { defineSchema, validateRow } from './data/schema.js';
export type { Schema, ColumnSpec } from './data/schema.js';
export { createRandom, mulberry32 } from './data/random.js';
export type { Random } from './data/random.js';
export { FeaturePipeline, createFeaturePipeline } from './features/pipeline.js';
export type { FeaturePipelineSpec, FeatureStepSpec, DerivedColumnSpec, TargetSpec } from './features/spec.js';

// ---- learners, artifact and model runtime -------------------------------------------------
export type {
  Learner,
  LearnerState,
  LearnerTask,
  LearnerExplanation,
  ExplanationSpace,
} from './learners/learner.js';
export { createArtifact } from './artifact/model-artifact.js';
export type { ModelArtifact, ArtifactInput, InputSchema } from './artifact/model-artifact.js';
export { encodeArtifact, decodeArtifact, artifactSha256 } from './artifact/codec.js';
export { loadModel, Model } from './model/model.js';
export type { Prediction, LoadModelOptions } from './model/model.js';
export type { Explanation, ExplanationOutput } from './model/explanation.js';

// ---- registry, store and rollout ----------------------------------------------------------
export { createRegistry, ModelRegistry } from './registry/registry.js';
export type {
  RegistryOptions,
  RegisterMeta,
  AliasMoveOptions,
  SetRolloutOptions,
  StartRolloutInput,
  RolloutFence,
} from './registry/registry-options.js';
export type { ModelVersion, ModelRecord, AliasRecord, AliasHistoryEntry, DatasetVersion } from './registry/records.js';
export type { RegistryEvents } from './registry/events.js';
export { RegistryWatcher } from './registry/watch.js';
export type { Store } from './store/store.js';
export { MemoryStore } from './store/memory-store.js';
export type { Rollout, RolloutRecord, DeploymentEntry } from './rollout/rollout.js';
export { createRampSchedule } from './rollout/ramp-schedule.js';
export type { RampSchedule } from './rollout/ramp-schedule.js';

// ---- outcomes, evaluator, policy ------------------------------------------------------------
export { emptyAggregates, recordPrediction, recordFeedback, mergeExperimentAggregates } from './outcomes/aggregates.js';
export type {
  VariantAggregates,
  ExperimentAggregates,
  PredictionOutcome,
  FeedbackOutcome,
} from './outcomes/aggregates.js';
export type { OutcomeStore } from './outcomes/outcome-store.js';
export { createMemoryOutcomeStore } from './outcomes/memory-outcome-store.js';
export { evaluate, createEvaluator } from './evaluate/evaluator.js';
export type { Evaluation, Evaluator, MetricComparison } from './evaluate/evaluator.js';
export type { EvaluatorOptions, CompositeComponent } from './evaluate/evaluator-options.js';
export { createRollbackPolicy, recomputeDecision } from './policy/rollback-policy.js';
export type {
  RollbackPolicy,
  Decision,
  DecisionAction,
  DecisionReason,
  DecisionRecord,
} from './policy/rollback-policy.js';
export type { RollbackPolicyOptions, DecisionContext } from './policy/policy-options.js';
export { compareOffline } from './policy/offline-gate.js';
export type { OfflineComparison } from './policy/offline-gate.js';
export { metricDirection } from './policy/metric-direction.js';
export { planRollout } from './rollout/plan-rollout.js';
