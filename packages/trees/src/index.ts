/**
 * Fast histogram gradient boosting and random forests in TypeScript, with compiled inference and LightGBM/XGBoost import.
 *
 * @module
 */

// input data
export { matrixFromRows } from './matrix.js';
export type { TreesMatrix } from './matrix.js';

// training
export { trainGbdt } from './gbdt.js';
export type { GbdtOptions, TrainResult } from './gbdt.js';
export type { GbdtObjective } from './gbdt-loss.js';
export { trainForest } from './forest.js';
export type { ForestOptions } from './forest.js';
export { trainForestParallel } from './forest-parallel.js';
export type { ParallelForestOptions } from './forest-parallel.js';
export type { TrainingProgress, CheckpointOptions } from './training-common.js';

// the compiled model, its serial form and the byte codec
export { TreeEnsemble } from './ensemble.js';
export type { EnsembleParts, EnsembleTransform } from './ensemble-parts.js';
export type { EnsembleSerial } from './ensemble-serial.js';
export type { TreeExplanation, TreeExplanationBatch } from './shap.js';
export { encodeSerial, decodeSerial } from './serial-codec.js';

// import of models trained elsewhere
export { importLightGbm } from './import-lightgbm.js';
export { importXgboost } from './import-xgboost.js';

// errors
export { TreesError, isTreesError } from './errors.js';
export type { TreesErrorCode, TreesErrorOptions } from './errors.js';
