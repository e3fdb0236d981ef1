import { binMatrix, fitBinBounds } from './binning.js';
import { EnsembleBuilder } from './ensemble-builder.js';
import { TreesError } from './errors.js';
import { prepareExact, routeExact } from './forest-exact.js';
import { bootstrapCounts, ForestScratch, growForestTree, type ForestJob } from './forest-tree.js';
import type { TrainResult } from './gbdt.js';
import { checkClassTargets, checkTrainingData, type TreesMatrix } from './matrix.js';
import { routeBinned } from './route.js';
import {
  checkNumber,
  emitProgress,
  fingerprint,
  packTree,
  readCheckpoint,
  rowWeights,
  unpackTree,
  writeCheckpoint,
  type CheckpointOptions,
  type TrainingProgress,
} from './training-common.js';
import type { GrownTree } from './grow-types.js';

/** Options of {@link trainForest}; every field is optional (`undefined` takes the default). */
export interface ForestOptions {
  /** `'regression'` (default) or `'classification'` (targets are class indices). */
  task?: 'regression' | 'classification' | undefined;
  /** Classes for classification (default: largest label + 1). */
  numClasses?: number | undefined;
  /** Number of trees (default 100). */
  trees?: number | undefined;
  /** Split quality: `'mse'` (regression, default), `'gini'` (classification default) or `'entropy'`. */
  criterion?: 'mse' | 'gini' | 'entropy' | undefined;
  /** Features drawn per split: `'sqrt'`, `'log2'`, `'all'` or a fraction in (0, 1] (default: `'all'` for regression, `'sqrt'` for classification). */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number | undefined;
  /** Maximum depth (default 0 = unlimited). */
  maxDepth?: number | undefined;
  /** Maximum leaves per tree (default 0 = unlimited). */
  maxLeaves?: number | undefined;
  /**
   * Minimum rows per leaf (default 1, as scikit-learn). The regression default (with `maxBins`
   * `'exact'`) was chosen by 5-fold cross-validation on the TRAINING rows of the fixed California
   * and Bangalore splits (`npm run bench -- cv-defaults forest`, 50 trees, test rows never used):
   * mean out-of-fold R² 0.7749 at 1 row per leaf with exact thresholds, against 0.7607 (3 rows,
   * exact), 0.7695 (1 row, 255 bins) and 0.7612 (3 rows, 255 bins, the former default);
   * California 0.7981 / 0.7997 / 0.7997 / 0.8004 (within 0.003 of each other), Bangalore
   * 0.7518 / 0.7217 / 0.7393 / 0.7220.
   * Raise it for smaller, faster trees.
   */
  minSamplesLeaf?: number | undefined;
  /**
   * How split thresholds are searched: `'exact'` (every gap between two distinct training values,
   * as scikit-learn; regression only) or a number of histogram bins per feature, 2…255 (default
   * `'exact'` for regression — chosen with `minSamplesLeaf` by cross-validation on training rows,
   * see there — and 255 for classification).
   */
  maxBins?: number | 'exact' | undefined;
  /** Draw a bootstrap sample for each tree (default true). */
  bootstrap?: boolean | undefined;
  /** Compute the out-of-bag score (default false; needs `bootstrap`). */
  oobScore?: boolean | undefined;
  /** Seed of every random choice (default 0). */
  seed?: number | undefined;
  /** Per-row weights (default all 1). */
  sampleWeight?: ArrayLike<number> | undefined;
  /** Per-class weights or `'balanced'` (classification only; default none). */
  classWeights?: readonly number[] | 'balanced' | undefined;
  /** Called after each tree (default none). */
  onProgress?: ((p: TrainingProgress) => void) | undefined;
  /** Checkpoint every N trees; an existing checkpoint of the same job is resumed (default none). */
  checkpoint?: CheckpointOptions | undefined;
}

interface ForestCheckpoint {
  kind: 'forest';
  fingerprint: string;
  trees: Record<string, unknown>[];
}

const op = 'trainForest';

/** Validated forest settings plus the job to grow trees from. */
export interface PreparedForest {
  readonly job: ForestJob;
  readonly trees: number;
  readonly numClasses: number;
  readonly classification: boolean;
  readonly fingerprint: string;
}

/** Validates options and bins the data (shared by {@link trainForest} and the parallel trainer). */
export function prepareForest(
  x: TreesMatrix,
  y: ArrayLike<number>,
  options: ForestOptions,
  operation = op,
): PreparedForest {
  checkTrainingData(x, y, operation);
  const task = options.task ?? 'regression';
  if (task !== 'regression' && task !== 'classification') {
    throw new TreesError('INVALID_OPTIONS', `task: expected 'regression' or 'classification', got ${String(task)}`, {
      operation,
    });
  }
  const classification = task === 'classification';
  const criterion = options.criterion ?? (classification ? 'gini' : 'mse');
  if (classification ? criterion === 'mse' : criterion !== 'mse') {
    throw new TreesError(
      'INVALID_OPTIONS',
      `criterion: ${criterion} does not fit task ${task} (regression: mse; classification: gini or entropy)`,
      { operation },
    );
  }
  const trees = checkNumber(operation, 'trees', options.trees ?? 100, 1, 1e6, true);
  const cols = x.cols;
  const mf = options.maxFeatures ?? (classification ? 'sqrt' : 'all');
  let perSplit: number;
  if (mf === 'sqrt') perSplit = Math.max(1, Math.floor(Math.sqrt(cols)));
  else if (mf === 'log2') perSplit = Math.max(1, Math.floor(Math.log2(cols)));
  else if (mf === 'all') perSplit = cols;
  else perSplit = Math.max(1, Math.round(checkNumber(operation, 'maxFeatures', mf, 1e-9, 1) * cols));
  let numClasses = 0;
  let counts: Float64Array | undefined;
  if (classification) {
    numClasses = options.numClasses ?? Math.max(...Array.from(y)) + 1;
    counts = checkClassTargets(y, numClasses, operation);
  } else if (options.classWeights !== undefined) {
    throw new TreesError('INVALID_OPTIONS', 'classWeights: only for classification', { operation });
  }
  const w = rowWeights(y, operation, options.sampleWeight, options.classWeights, counts);
  const bootstrap = options.bootstrap ?? true;
  if (options.oobScore && !bootstrap)
    throw new TreesError('INVALID_OPTIONS', 'oobScore: needs bootstrap = true', { operation });
  const bins = options.maxBins ?? (classification ? 255 : 'exact');
  if (bins === 'exact' && classification) {
    throw new TreesError('INVALID_OPTIONS', "maxBins: 'exact' is for regression only; give 2…255 bins", {
      operation,
    });
  }
  const exact = bins === 'exact' && !classification;
  const data = exact
    ? null
    : binMatrix(x, fitBinBounds(x, checkNumber(operation, 'maxBins', bins as number, 2, 255, true)));
  const job: ForestJob = {
    rows: x.rows,
    data,
    exact: exact ? prepareExact(x) : null,
    y: Float64Array.from(y),
    w,
    K: classification ? numClasses : 1,
    bootstrap,
    seed: checkNumber(operation, 'seed', options.seed ?? 0, -(2 ** 31), 2 ** 32, true),
    numFeatures: cols,
    grow: {
      maxLeaves: checkNumber(operation, 'maxLeaves', options.maxLeaves ?? 0, 0, 1e9, true),
      maxDepth: checkNumber(operation, 'maxDepth', options.maxDepth ?? 0, 0, 1000, true),
      minSamplesLeaf: checkNumber(operation, 'minSamplesLeaf', options.minSamplesLeaf ?? 1, 1, 1e9, true),
      minHessianLeaf: 0,
      lambda: 0,
      minGain: 0,
      criterion: criterion === 'entropy' ? 'entropy' : 'squared',
      featuresPerSplit: perSplit,
      cover: 'hessian',
    },
  };
  const {
    onProgress: _p,
    checkpoint: _c,
    sampleWeight: _s,
    ...plain
  } = options as ForestOptions & { workers?: unknown };
  delete (plain as { workers?: unknown }).workers;
  const fp = options.checkpoint ? fingerprint(x, y, plain, [options.sampleWeight ?? []]) : '';
  return { job, trees, numClasses, classification, fingerprint: fp };
}

/** Compiles grown trees into a forest ensemble and computes the out-of-bag score if asked. */
export function finishForest(
  prep: PreparedForest,
  grown: GrownTree[],
  oob: boolean,
  resumedIterations: number,
): TrainResult {
  const { job, classification, numClasses } = prep;
  const K = job.K;
  const builder = new EnsembleBuilder(job.numFeatures, K);
  for (const t of grown) builder.addGrown(t, 0);
  const model = builder.build({
    task: classification ? 'classification' : 'regression',
    numClasses,
    numOutputs: K,
    transform: classification ? 'proba' : 'identity',
    outputScale: 1 / grown.length,
    baseScore: new Float64Array(K),
  });
  let oobScore: number | undefined;
  if (oob) oobScore = outOfBag(job, grown);
  return { model, iterations: grown.length, resumedIterations, ...(oobScore === undefined ? {} : { oobScore }) };
}

function outOfBag(job: ForestJob, grown: GrownTree[]): number {
  const n = job.rows;
  const K = job.K;
  const sum = new Float64Array(n * K);
  const cnt = new Int32Array(n);
  const counts = new Int32Array(n);
  grown.forEach((tree, t) => {
    bootstrapCounts(job, t, counts);
    for (let r = 0; r < n; r++) {
      if (counts[r] !== 0) continue;
      const leaf = job.exact ? routeExact(tree, job.exact, r) : routeBinned(tree, job.data!, r);
      for (let k = 0; k < K; k++) sum[r * K + k]! += tree.leafValue[leaf * K + k]!;
      cnt[r]!++;
    }
  });
  let used = 0;
  if (K === 1) {
    let mean = 0;
    for (let r = 0; r < n; r++) {
      if (cnt[r]) {
        mean += job.y[r]!;
        used++;
      }
    }
    mean /= used;
    let ssr = 0;
    let sst = 0;
    for (let r = 0; r < n; r++) {
      if (!cnt[r]) continue;
      ssr += (job.y[r]! - sum[r]! / cnt[r]!) ** 2;
      sst += (job.y[r]! - mean) ** 2;
    }
    return used > 0 && sst > 0 ? 1 - ssr / sst : NaN;
  }
  let correct = 0;
  for (let r = 0; r < n; r++) {
    if (!cnt[r]) continue;
    used++;
    let best = 0;
    for (let k = 1; k < K; k++) if (sum[r * K + k]! > sum[r * K + best]!) best = k;
    if (best === job.y[r]) correct++;
  }
  return used > 0 ? correct / used : NaN;
}

/**
 * Trains a random forest (bootstrap rows, per-split feature sampling) in this thread.
 *
 * @example
 * ```ts
 * const { model, oobScore } = trainForest({ data, rows, cols }, y, { trees: 100, oobScore: true });
 * const yhat = model.predictRow(row);
 * ```
 */
export function trainForest(x: TreesMatrix, y: ArrayLike<number>, options: ForestOptions = {}): TrainResult {
  const prep = prepareForest(x, y, options);
  const { job, trees } = prep;
  const checkpoint = options.checkpoint;
  const every = checkpoint ? checkNumber(op, 'checkpoint.every', checkpoint.every ?? 10, 1, 1e9, true) : 0;
  const resumed = checkpoint
    ? readCheckpoint<ForestCheckpoint>(checkpoint.path, 'forest', prep.fingerprint)
    : undefined;
  const grown: GrownTree[] = [];
  if (resumed) {
    for (const t of resumed.trees.slice(0, trees)) {
      grown.push(unpackTree(t));
      emitProgress(options.onProgress, { learner: 'forest', completed: grown.length, total: trees, resumed: true });
    }
  }
  const resumedIterations = grown.length;
  const packed: Record<string, unknown>[] = [];
  const scratch = new ForestScratch(job);
  for (let t = grown.length; t < trees; t++) {
    const tree = growForestTree(job, t, scratch);
    tree.leafStart = [];
    tree.leafEnd = [];
    grown.push(tree);
    if (checkpoint && ((t + 1) % every === 0 || t + 1 === trees)) {
      packed.push(...grown.slice(packed.length).map(packTree));
      writeCheckpoint(checkpoint.path, {
        kind: 'forest',
        fingerprint: prep.fingerprint,
        trees: packed,
      } satisfies ForestCheckpoint);
    }
    emitProgress(options.onProgress, { learner: 'forest', completed: t + 1, total: trees });
  }
  return finishForest(prep, grown, options.oobScore ?? false, resumedIterations);
}
