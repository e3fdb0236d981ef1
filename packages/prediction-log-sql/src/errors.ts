import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link PredictionLogSqlError}. */
export type PredictionLogSqlErrorCode =
  /** Options given to a factory are invalid (the message names the field). */
  | 'INVALID_OPTIONS'
  /** The database cannot be opened, or cannot be written (e.g. a read-only SQLite file). */
  | 'OPEN_FAILED'
  /** The prediction table or its indexes could not be created. */
  | 'SCHEMA_FAILED'
  /** A query of the query API failed. */
  | 'QUERY_FAILED'
  /** `flush()` gave up before every buffered row was written (the database is slow or down). */
  | 'FLUSH_TIMEOUT'
  /** The sink or query object was closed. */
  | 'CLOSED';

/**
 * The one error class of `@modelship/prediction-log-sql`. Check it by `name` and `code`
 * (`isModelshipError(err, 'PredictionLogSqlError', 'OPEN_FAILED')`), not `instanceof`.
 */
export class PredictionLogSqlError extends ModelshipError<PredictionLogSqlErrorCode> {
  constructor(code: PredictionLogSqlErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'PredictionLogSqlError';
  }
}
