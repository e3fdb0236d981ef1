/**
 * `@modelship/core`: shared types and errors, data (tables, CSV, schemas, splits,
 * fingerprints), feature pipelines, learners and the trainer, metrics, the model artifact
 * format, the registry, the evaluator and the rollback policy.
 *
 * @module
 */

// ---- shared types and errors -------------------------------------------------------------
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
export { silentLogger, childLogger, safeEmit } from './logger.js';
export type { Logger, ListenerSource } from './logger.js';
export type { Matrix } from './types/matrix.js';
export type { Serial, SerialTypedArray } from './types/serial.js';
export type { Learner, LearnerState, LearnerTask, FitOptions } from './learners/learner.js';

// ---- data (owner: data) --------------------------------------------------------------------
export { Table, numericColumn, categoricalColumn, cellValue } from './data/table.js';
export type { Column, NumericColumn, CategoricalColumn, RowValue } from './data/table.js';
export {
  defineSchema,
  schemaToJSON,
  schemaFromJSON,
  schemaZ,
  validateRow,
  columnsWithRole,
} from './data/schema.js';
export type { Schema, ColumnSpec, ValidateRowOptions } from './data/schema.js';
export { parseCsv, readCsv, parseNumber } from './data/csv.js';
export type { CsvOptions } from './data/csv.js';
export { createRandom, mulberry32 } from './data/random.js';
export type { Random } from './data/random.js';
export { holdoutSplit, stratifiedSplit, kFold, readSplitFile, parseSplit } from './data/split.js';
export type { Split, HoldoutOptions, KFoldOptions } from './data/split.js';
export { fingerprint } from './data/fingerprint.js';
export { resolveDataFile, defaultCacheDir, sha256File } from './datasets/resolve.js';
export type { DataSourceOptions, DatasetFile, ResolvedFile } from './datasets/resolve.js';
export { loadCalifornia, californiaSchema, californiaFeatureSpec, CALIFORNIA_FILE } from './datasets/california.js';
export {
  loadBangalore,
  cleanBangalore,
  bangaloreRawSchema,
  bangaloreFeatureSpec,
  parseSqft,
  BANGALORE_FILE,
} from './datasets/bangalore.js';
export { loadIris, irisSchema, irisFeatureSpec, IRIS_SPECIES } from './datasets/iris.js';
export { loadSplit, rowsById } from './datasets/splits.js';
export type { SplitName } from './datasets/splits.js';

// ---- features (owner: data) ----------------------------------------------------------------
export { FeaturePipeline, createFeaturePipeline } from './features/pipeline.js';
export type { FeaturePipelineState } from './features/pipeline.js';
export { featurePipelineSpecZ } from './features/spec.js';
export type {
  FeaturePipelineSpec,
  FeatureStepSpec,
  NumericStepSpec,
  OneHotStepSpec,
  HashStepSpec,
  CrossStepSpec,
  DerivedColumnSpec,
  RatioColumnSpec,
  ProductColumnSpec,
  Log1pColumnSpec,
  ImputeSpec,
  TargetSpec,
  NumericTargetSpec,
  ClassTargetSpec,
  QuantileTargetSpec,
} from './features/spec.js';
export type { StepState } from './features/encoders.js';
export type { TargetState } from './features/target.js';
export { QuantileBinner, quantileClasses } from './features/quantile-classes.js';
export type { QuantileBinnerState } from './features/quantile-classes.js';
export { fnv1a32 } from './features/hashing.js';

// ---- learners, metrics, trainer, artifact (owner: learn) -----------------------------------
export {
  registerLearner,
  createLearner,
  restoreLearner,
  learnerKinds,
  getLearnerDefinition,
} from './learners/registry.js';
export type { LearnerDefinition, LearnerParams } from './learners/registry.js';
export { parseLearnerParams } from './learners/params.js';
export { checkFitInput } from './learners/check.js';
export { LinearLearner, linearLearner } from './learners/linear.js';
export type { LinearParams } from './learners/linear.js';
export { LogisticLearner, logisticLearner } from './learners/logistic.js';
export type { LogisticParams } from './learners/logistic.js';
export { ForestMljsLearner, forestMljsLearner } from './learners/forest-mljs.js';
export type { ForestMljsParams } from './learners/forest-mljs.js';
export { LinearMljsLearner, linearMljsLearner } from './learners/linear-mljs.js';
export type { LinearMljsParams } from './learners/linear-mljs.js';
export { rmse, mse, mae, r2, mape, regressionMetrics } from './metrics/regression.js';
export type { NumericArray, RegressionMetrics } from './metrics/regression.js';
export {
  accuracy,
  confusionMatrix,
  perClassScores,
  precision,
  recall,
  f1,
  logLoss,
  rocAuc,
  rocAucBinary,
  classificationMetrics,
} from './metrics/classification.js';
export type { Averaging, PerClassScores, ClassificationMetrics } from './metrics/classification.js';
export { metricDirection } from './metrics/metric-direction.js';
export type { MetricDirection } from './metrics/metric-direction.js';
export { createTrainer, Trainer } from './train/trainer.js';
export type { TrainResult, VariantResult, TrainerEvents } from './train/trainer.js';
export type { TrainerOptions, VariantSpec, EvaluationSpec, TrainerLogger } from './train/options.js';
export {
  ARTIFACT_FORMAT_VERSION,
  SUPPORTED_ARTIFACT_VERSIONS,
  createArtifact,
  modelArtifactSchema,
} from './artifact/model-artifact.js';
export type { ModelArtifact, ArtifactInput, InputSchema, TargetInfo, DatasetInfo } from './artifact/model-artifact.js';
export { encodeArtifact, decodeArtifact, artifactSha256, ARTIFACT_MAGIC } from './artifact/codec.js';
export type { DecodeArtifactOptions } from './artifact/codec.js';
export { loadModel, Model } from './model/model.js';
export type { Prediction, LoadModelOptions } from './model/model.js';
// (owner: trees) the @modelship/trees adapters, kinds 'gbdt' and 'forest'
export { GbdtLearner, gbdtLearner } from './learners/gbdt.js';
export type { GbdtParams } from './learners/gbdt.js';
export { ForestLearner, forestLearner } from './learners/forest.js';
export type { ForestParams } from './learners/forest.js';

// ---- registry (owner: registry) ------------------------------------------------------------
export { createRegistry, ModelRegistry } from './registry/registry.js';
export type { VersionRef, LoadedVersion, ResolveResult, ResolveOptions } from './registry/registry.js';
export type {
  RegistryOptions,
  RegisterMeta,
  AliasMoveOptions,
  SetRolloutOptions,
  Authorizer,
  AuthorizationRequest,
  ArtifactCodec,
  ArtifactDescription,
  RegistryTestHooks,
} from './registry/registry-options.js';
export { registerMetaSchema } from './registry/registry-options.js';
export type { Store, StoreEntry, StoreStreamEntry, StorePutOptions, StoreDeleteOptions } from './registry/store.js';
export { MemoryStore, checkPreconditions, conflict as storeConflict, concatBytes } from './registry/memory-store.js';
export {
  assertSafeKey,
  assertSafePrefix,
  registryKeys,
  padVersion,
  versionFromKey,
  MAX_KEY_LENGTH,
} from './registry/keys.js';
export { registryNameSchema, validateName, validateVersion, MAX_NAME_LENGTH } from './registry/names.js';
export { rolloutSchema } from './registry/rollout.js';
export type { Rollout, RolloutRecord } from './registry/rollout.js';
export type {
  ModelVersion,
  ModelRecord,
  AliasRecord,
  AliasHistoryEntry,
  DatasetRef,
  DatasetVersion,
  DatasetVersionInput,
  JsonValue,
} from './registry/records.js';
export type {
  RegistryEvents,
  RegistryLogger,
  VersionRegisteredEvent,
  AliasMovedEvent,
  RolloutChangedEvent,
  DatasetRegisteredEvent,
} from './registry/events.js';
export { RegistryWatcher } from './registry/watch.js';
export { modelArtifactCodec } from './registry/artifact-codec.js';
export type { WatchOptions, WatcherEvents } from './registry/watch.js';
export type { VersionQuery, ModelQuery, MetricFilter } from './registry/search.js';
export { targetAt as aliasTargetAt, rollbackTarget } from './registry/alias-history.js';

// ---- outcomes, evaluator, policy (owner: evaluate) -----------------------------------------
export {
  feedbackSumsSchema,
  variantAggregatesSchema,
  experimentAggregatesSchema,
  parseExperimentAggregates,
} from './outcomes/aggregates-schema.js';
export {
  AGGREGATES_SCHEMA_VERSION,
  emptyAggregates,
  recordPrediction,
  recordFeedback,
  mergeAggregates,
  mergeExperimentAggregates,
} from './outcomes/aggregates.js';
export type {
  FeedbackSums,
  VariantAggregates,
  ExperimentAggregates,
  EmptyAggregatesOptions,
  PredictionOutcome,
  FeedbackOutcome,
} from './outcomes/aggregates.js';
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
  bucketIndex,
  bucketValue,
} from './outcomes/latency-histogram.js';
export type { LatencyHistogramJson, HistogramOptions } from './outcomes/latency-histogram.js';
export { evaluate, createEvaluator } from './evaluate/evaluator.js';
export type { Evaluation, Evaluator, MetricComparison, EvaluationIssue } from './evaluate/evaluator.js';
export { BANGALORE_COMPOSITE, evaluatorOptionsSchema, resolveEvaluatorOptions } from './evaluate/evaluator-options.js';
export type { EvaluatorOptions, ResolvedEvaluatorOptions, CompositeComponent } from './evaluate/evaluator-options.js';
export { METRIC_NAMES, HIGHER_IS_BETTER, estimateMetric } from './evaluate/metrics.js';
export type { MetricName, Estimate, VariantSummary } from './evaluate/metrics.js';
export { sequentialZ, fixedZ, mixtureRho2, betaBinomialLogLR, sampleRatioMismatch } from './evaluate/sequential.js';
export type { SrmResult, SrmOptions } from './evaluate/sequential.js';
export type { GuardrailResult } from './evaluate/guardrails.js';
export { simulateExperiment, policyRule, seedRule, starDistribution } from './evaluate/simulate.js';
export type { ArmTruth, SimulationScenario, LookRule, RuleOutcome } from './evaluate/simulate.js';
export { runDecisionScenarios, DECISION_SCENARIOS } from './evaluate/decision-quality.js';
export type { DecisionScenarioOptions, DecisionScenarioRecord } from './evaluate/decision-quality.js';
export { createRollbackPolicy, recomputeDecision } from './policy/rollback-policy.js';
export type {
  RollbackPolicy,
  Decision,
  DecisionAction,
  DecisionReason,
  DecisionReasonCode,
  DecisionRecord,
} from './policy/rollback-policy.js';
export { rollbackPolicyOptionsSchema, decisionContextSchema, resolvePolicyOptions } from './policy/policy-options.js';
export type { RollbackPolicyOptions, ResolvedRollbackPolicyOptions, DecisionContext } from './policy/policy-options.js';
export { compareOffline } from './policy/offline-gate.js';
export type { OfflineComparison, OfflineMetrics } from './policy/offline-gate.js';
export { planRollout } from './policy/plan-rollout.js';
export type { RolloutPlanInput, RolloutPlan } from './policy/plan-rollout.js';

// ---- drift profile types (owner: drift) ----------------------------------------------------
