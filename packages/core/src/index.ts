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
export type { Matrix } from './types/matrix.js';
export type { Serial, SerialTypedArray } from './types/serial.js';
export type { Learner, LearnerState, LearnerTask, FitOptions } from './learners/learner.js';

// ---- data (owner: data) --------------------------------------------------------------------

// ---- features (owner: data) ----------------------------------------------------------------

// ---- learners, metrics, trainer, artifact (owner: learn) -----------------------------------

// ---- registry (owner: registry) ------------------------------------------------------------

// ---- outcomes, evaluator, policy (owner: evaluate) -----------------------------------------

// ---- drift profile types (owner: drift) ----------------------------------------------------
