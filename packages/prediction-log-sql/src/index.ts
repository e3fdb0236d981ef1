/**
 * Prediction-log sinks for the modelship router in a database, and one query API over them:
 * `@modelship/prediction-log-sql/postgres` (`pg`) and `@modelship/prediction-log-sql/sqlite`
 * (`better-sqlite3` 12). The root holds what both share (the error class and the types) and
 * loads no driver.
 *
 * @module
 */
export { PredictionLogSqlError } from './errors.js';
export type { PredictionLogSqlErrorCode } from './errors.js';
export type {
  LoggedPredictionInput,
  PredictionQuery,
  PredictionRow,
  RangePage,
  RangeQuery,
  RecentQuery,
  SqlFallbackReason,
  SqlSinkStats,
} from './types.js';
