/** How raw sums become outputs: as is, a sigmoid (binary), a softmax (multiclass) or already probabilities (forest). */
export type EnsembleTransform = 'identity' | 'sigmoid' | 'softmax' | 'proba';

/** Node flag: a missing value (NaN) goes left. */
export const FLAG_DEFAULT_LEFT = 1;
/** Node flag: a zero (|x| ≤ 1e-35) counts as missing (LightGBM `missing_type=Zero`). */
export const FLAG_ZERO_MISSING = 2;
/** Node flag: the test is `fround(x) < threshold` (XGBoost) instead of `x <= threshold`. */
export const FLAG_FLOAT32_LESS = 4;

/** Everything that defines a compiled ensemble (plain data and typed arrays). */
export interface EnsembleParts {
  /** `'regression'` or `'classification'`. */
  readonly task: 'regression' | 'classification';
  /** Features per row. */
  readonly numFeatures: number;
  /** Classes (0 for regression). */
  readonly numClasses: number;
  /** Raw outputs per row (1, or the number of classes for multiclass). */
  readonly numOutputs: number;
  /** Values per leaf: 1, or `numOutputs` when a tree predicts every output (classification forests). */
  readonly leafWidth: number;
  /** The output transform. */
  readonly transform: EnsembleTransform;
  /** Multiplier of the summed tree outputs (`1 / trees` for forests). */
  readonly outputScale: number;
  /** Raw score added to each output before the transform. */
  readonly baseScore: Float64Array;
  /** Root of each tree: an internal node index, or `~leaf` for a single-leaf tree. */
  readonly treeRoots: Int32Array;
  /** Output each tree adds to (when `leafWidth === 1`). */
  readonly treeOutput: Int32Array;
  /** Split feature per internal node. */
  readonly feature: Int32Array;
  /** Split threshold per internal node. */
  readonly threshold: Float64Array;
  /** Left child per internal node (`>= 0` internal, `< 0` is `~leaf`). */
  readonly left: Int32Array;
  /** Right child per internal node. */
  readonly right: Int32Array;
  /** Flags per internal node: bit 1 a missing value goes left, bit 2 a zero counts as missing, bit 4 the test is `fround(x) < threshold`. */
  readonly flags: Uint8Array;
  /** Leaf values (`leaves × leafWidth`). */
  readonly leafValues: Float64Array;
  /** Total gain of the splits on each feature. */
  readonly importanceGain: Float64Array;
  /** Number of splits on each feature. */
  readonly importanceSplit: Float64Array;
  /** Cover of each internal node (training rows, or hessian sum): TreeSHAP's weights; absent in models saved before covers were kept. */
  readonly nodeCover?: Float64Array;
  /** Cover of each leaf (one per leaf, not per leaf value). */
  readonly leafCover?: Float64Array;
}

/** The split test of a node with non-zero flags: true when `x` goes left. */
export function goSlow(x: number, thr: number, fl: number): boolean {
  if ((fl & FLAG_FLOAT32_LESS) !== 0) {
    if (x !== x) return (fl & FLAG_DEFAULT_LEFT) !== 0;
    return Math.fround(x) < thr;
  }
  if (x !== x || ((fl & FLAG_ZERO_MISSING) !== 0 && x >= -1e-35 && x <= 1e-35)) return (fl & FLAG_DEFAULT_LEFT) !== 0;
  return x <= thr;
}
