/**
 * `@modelship/train`: the training stack — CSV parsing, splits and dataset fingerprints, offline
 * metrics, the ml-* learner adapters and the trainer. A serving replica does not install it: it
 * needs only `@modelship/core`.
 *
 * @module
 */
export { parseCsv, readCsv, parseNumber } from './data/csv.js';
export type { CsvOptions } from './data/csv.js';
export { holdoutSplit, stratifiedSplit, kFold, readSplitFile, parseSplit } from './data/split.js';
export type { Split, HoldoutOptions, KFoldOptions } from './data/split.js';
export { fingerprint } from './data/fingerprint.js';
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
export { ForestMljsLearner, forestMljsLearner } from './learners/forest-mljs.js';
export type { ForestMljsParams } from './learners/forest-mljs.js';
export { LinearMljsLearner, linearMljsLearner } from './learners/linear-mljs.js';
export type { LinearMljsParams } from './learners/linear-mljs.js';
export { registerMljsLearners } from './learners/mljs.js';
export { createTrainer, Trainer } from './train/trainer.js';
export { artifactFromLightGbm } from './import/lightgbm.js';
export type { LightGbmImportOptions } from './import/lightgbm.js';
export type { TrainResult, VariantResult, TrainerEvents } from './train/trainer.js';
export type { TrainerOptions, TrainerProfileOptions, VariantSpec, EvaluationSpec } from './train/options.js';
export type { SmoteOptions } from './train/smote.js';
