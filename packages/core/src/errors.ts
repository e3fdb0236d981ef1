/**
 * One error class per domain, each with a string-literal `code`, the `operation` that failed
 * and an ES2022 `cause`. Check errors with {@link isModelshipError} (by `name` and `code`), not
 * `instanceof`, so that two copies of a package still agree.
 */

/** Options shared by every modelship error. */
export interface ModelshipErrorOptions {
  /** The public operation that failed, e.g. `'registry.register'` or `'readCsv'`. */
  operation?: string | undefined;
  /** Structured facts about the failure (field, row, expected, received…). */
  details?: Record<string, unknown> | undefined;
  /** The underlying error, if any. */
  cause?: unknown | undefined;
}

/** Base class of every error modelship throws on purpose. */
export class ModelshipError<C extends string = string> extends Error {
  /** A stable machine-readable code. */
  readonly code: C;
  /** The public operation that failed. */
  readonly operation: string | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: C, message: string, options: ModelshipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelshipError';
    this.code = code;
    this.operation = options.operation;
    this.details = options.details;
  }
}

/** Codes of {@link ValidationError}. */
export type ValidationErrorCode = 'INVALID_INPUT' | 'INVALID_OPTIONS' | 'SCHEMA_MISMATCH' | 'NOT_EXPLAINABLE';
/** Bad input at a public boundary: the message names the field and what was expected. */
export class ValidationError extends ModelshipError<ValidationErrorCode> {
  constructor(code: ValidationErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'ValidationError';
  }
}

/** Codes of {@link DataError}. */
export type DataErrorCode = 'EMPTY' | 'PARSE' | 'MISSING_COLUMN' | 'BAD_VALUE' | 'NOT_FOUND' | 'CHECKSUM';
/** A data file or table that cannot be read as described. */
export class DataError extends ModelshipError<DataErrorCode> {
  constructor(code: DataErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'DataError';
  }
}

/** Codes of {@link TrainingError}. */
export type TrainingErrorCode = 'INVALID_DATA' | 'UNKNOWN_LEARNER' | 'NOT_FITTED' | 'FAILED';
/** A learner or trainer that cannot fit or predict. */
export class TrainingError extends ModelshipError<TrainingErrorCode> {
  constructor(code: TrainingErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'TrainingError';
  }
}

/** Codes of {@link ArtifactError}. */
export type ArtifactErrorCode = 'INTEGRITY' | 'UNSUPPORTED_VERSION' | 'INVALID_ARTIFACT';
/** A model artifact that is corrupt, tampered with, or of an unknown format. */
export class ArtifactError extends ModelshipError<ArtifactErrorCode> {
  constructor(code: ArtifactErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'ArtifactError';
  }
}

/** Codes of {@link RegistryError}. */
export type RegistryErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INTEGRITY'
  | 'INVALID_NAME'
  | 'FORBIDDEN'
  | 'STORE_FAILURE'
  | 'CLOSED'
  | 'FENCED'
  | 'INVALID_STATE';
/** A registry operation that failed; stored state is left as it was. */
export class RegistryError extends ModelshipError<RegistryErrorCode> {
  constructor(code: RegistryErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}

/** Codes of {@link EvaluationError}. */
export type EvaluationErrorCode = 'INVALID_AGGREGATES' | 'INVALID_POLICY';
/** Aggregates or policy options the evaluator cannot use. */
export class EvaluationError extends ModelshipError<EvaluationErrorCode> {
  constructor(code: EvaluationErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'EvaluationError';
  }
}

/**
 * True when `err` is a modelship error, optionally of the given class `name` and `code`.
 * Works across package copies because it compares `name` and `code`, not prototypes.
 *
 * @example
 * ```ts
 * if (isModelshipError(err, 'RegistryError', 'CONFLICT')) retry();
 * ```
 */
export function isModelshipError(err: unknown, name?: string, code?: string): err is ModelshipError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  if (typeof e.code !== 'string' || typeof e.name !== 'string' || !(err instanceof Error)) return false;
  if (name !== undefined && e.name !== name) return false;
  if (code !== undefined && e.code !== code) return false;
  return true;
}
