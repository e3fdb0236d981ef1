/**
 * `@modelship/datasets`: loaders of the three pipelines' data sets — California Housing and
 * Bangalore home prices (from `$MODELSHIP_DATA_DIR`, a path or the cache, checked by sha256) and
 * Iris (from its npm package) — with their schemas, feature specs and fixed splits.
 *
 * @module
 */
export { resolveDataFile, defaultCacheDir, sha256File, findDataDir } from './resolve.js';
export type { DataSourceOptions, DatasetFile, ResolvedFile, FindDataDirOptions } from './resolve.js';
export { loadCalifornia, californiaSchema, californiaFeatureSpec, CALIFORNIA_FILE } from './california.js';
export {
  loadBangalore,
  cleanBangalore,
  bangaloreRawSchema,
  bangaloreFeatureSpec,
  parseSqft,
  BANGALORE_FILE,
} from './bangalore.js';
export { loadIris, irisSchema, irisFeatureSpec, IRIS_SPECIES } from './iris.js';
export { loadSplit, rowsById } from './splits.js';
export type { SplitName } from './splits.js';
