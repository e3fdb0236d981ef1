/**
 * `@modelship/core/features`: the feature pipeline (derived columns, numeric, one-hot, hashed and
 * crossed steps, the target) as data, fitted on training rows and applied at serving time.
 *
 * @module @modelship/core/features
 */
export { FeaturePipeline, createFeaturePipeline } from './pipeline.js';
export type { FeaturePipelineState } from './pipeline.js';
export { featurePipelineSpecZ } from './spec.js';
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
} from './spec.js';
export type { StepState } from './encoder.js';
export type { TargetState } from './target.js';
export { QuantileBinner, quantileClasses } from './quantile-classes.js';
export type { QuantileBinnerState } from './quantile-classes.js';
export { fnv1a32 } from './hashing.js';
