/**
 * Fast histogram gradient boosting and random forests in TypeScript, with compiled inference and LightGBM/XGBoost import.
 *
 * @module
 */
export { TreesError, isTreesError } from './errors.js';
export type { TreesErrorCode, TreesErrorOptions } from './errors.js';
export { matrixFromRows } from './matrix.js';
export type { TreesMatrix } from './matrix.js';
export { trainGbdt } from './gbdt.js';
export type { GbdtOptions, TrainResult } from './gbdt.js';
export type { GbdtObjective } from './gbdt-loss.js';
export { trainForest } from './forest.js';
export type { ForestOptions } from './forest.js';
export { trainForestParallel } from './forest-parallel.js';
export type { ParallelForestOptions } from './forest-parallel.js';
export type { TrainingProgress, CheckpointOptions } from './training-common.js';
export { TreeEnsemble, FLAG_DEFAULT_LEFT, FLAG_ZERO_MISSING, FLAG_FLOAT32_LESS } from './ensemble.js';
export type { EnsembleParts, EnsembleTransform } from './ensemble.js';
export type { EnsembleSerial } from './ensemble-serial.js';
export { importLightGbm } from './import-lightgbm.js';
export { importXgboost } from './import-xgboost.js';
export { encodeSerial, decodeSerial } from './serial-codec.js';
export type { CodecTypedArray } from './serial-codec.js';
