import { TreesError } from './errors.js';
import type { TreesMatrix } from './matrix.js';
import { type EnsembleParts, type EnsembleTransform, FLAG_DEFAULT_LEFT, goSlow } from './ensemble-parts.js';
import { decodeEnsembleSerial, type EnsembleSerial } from './ensemble-serial.js';
import { type TreeExplanation, type TreeExplanationBatch, TreeShap } from './shap.js';

/**
 * A tree ensemble compiled to flat typed arrays. Predicting one row walks each tree with no
 * allocation; the serial form ({@link TreeEnsemble.toSerial}) round-trips bit for bit.
 */
export class TreeEnsemble implements EnsembleParts {
  /** `'regression'` or `'classification'`. */
  readonly task!: 'regression' | 'classification';
  /** Features per row. */
  readonly numFeatures!: number;
  /** Classes (0 for regression). */
  readonly numClasses!: number;
  /** Raw outputs per row (1, or the number of classes for multiclass). */
  readonly numOutputs!: number;
  /** Values per leaf: 1, or `numOutputs` when a tree predicts every output (classification forests). */
  readonly leafWidth!: number;
  /** The output transform applied to the raw sums. */
  readonly transform!: EnsembleTransform;
  /** Multiplier of the summed tree outputs (`1 / trees` for forests). */
  readonly outputScale!: number;
  /** Raw score added to each output before the transform. */
  readonly baseScore!: Float64Array;
  /** Root of each tree: an internal node index, or `~leaf` for a single-leaf tree. */
  readonly treeRoots!: Int32Array;
  /** Output each tree adds to (when `leafWidth === 1`). */
  readonly treeOutput!: Int32Array;
  /** Split feature per internal node. */
  readonly feature!: Int32Array;
  /** Split threshold per internal node. */
  readonly threshold!: Float64Array;
  /** Left child per internal node (`>= 0` internal, `< 0` is `~leaf`). */
  readonly left!: Int32Array;
  /** Right child per internal node (`>= 0` internal, `< 0` is `~leaf`). */
  readonly right!: Int32Array;
  /** Flags per internal node: bit 1 missing goes left, bit 2 zero counts as missing, bit 4 `fround(x) < threshold`. */
  readonly flags!: Uint8Array;
  /** Leaf values (`leaves × leafWidth`). */
  readonly leafValues!: Float64Array;
  /** Total gain of the splits on each feature. */
  readonly importanceGain!: Float64Array;
  /** Number of splits on each feature. */
  readonly importanceSplit!: Float64Array;
  /** Cover (training rows, or hessian sum for forests) of each internal node: the weights of {@link TreeEnsemble.explainRow}. */
  readonly nodeCover?: Float64Array;
  /** Cover of each leaf. */
  readonly leafCover?: Float64Array;
  private readonly raw: Float64Array;
  private readonly proba: Float64Array;
  private shap: TreeShap | undefined;

  /** Wraps already validated parts (use {@link TreeEnsemble.fromSerial} for untrusted data). */
  constructor(parts: EnsembleParts) {
    Object.assign(this, parts);
    this.raw = new Float64Array(parts.numOutputs);
    this.proba = new Float64Array(Math.max(parts.numClasses, 1));
  }

  /** Number of trees. */
  get numTrees(): number {
    return this.treeRoots.length;
  }

  /** Sums the trees for the row at `data[off…]` into `out` (raw scores, before the transform). */
  rawInto(data: ArrayLike<number>, off: number, out: Float64Array): Float64Array {
    const { treeRoots, treeOutput, feature, threshold, left, right, flags, leafValues, leafWidth, numOutputs } = this;
    out.fill(0);
    for (let t = 0; t < treeRoots.length; t++) {
      let node = treeRoots[t]!;
      while (node >= 0) {
        const x = data[off + feature[node]!]!;
        const fl = flags[node]!;
        const thr = threshold[node]!;
        if (fl === 0) node = x <= thr ? left[node]! : right[node]!;
        else if (fl === FLAG_DEFAULT_LEFT) node = x > thr ? right[node]! : left[node]!;
        else node = goSlow(x, thr, fl) ? left[node]! : right[node]!;
      }
      const leaf = ~node;
      if (leafWidth === 1) out[treeOutput[t]!]! += leafValues[leaf]!;
      else for (let k = 0, o = leaf * leafWidth; k < numOutputs; k++) out[k]! += leafValues[o + k]!;
    }
    const s = this.outputScale;
    for (let k = 0; k < numOutputs; k++) out[k] = this.baseScore[k]! + (s === 1 ? out[k]! : out[k]! * s);
    return out;
  }

  /** Raw scores of one row (a view reused by the next call unless `out` is given). */
  predictRawRow(row: ArrayLike<number>, out: Float64Array = this.raw): Float64Array {
    this.checkRow(row);
    return this.rawInto(row, 0, out);
  }

  /** Predicts one row: the value (regression) or the most probable class index (classification). */
  predictRow(row: ArrayLike<number>): number {
    this.checkRow(row);
    const raw = this.rawInto(row, 0, this.raw);
    if (this.task === 'regression') return raw[0]!;
    if (this.transform === 'sigmoid') return raw[0]! >= 0 ? 1 : 0;
    let best = 0;
    for (let k = 1; k < raw.length; k++) if (raw[k]! > raw[best]!) best = k;
    return best;
  }

  /** Class probabilities of one row (a view reused by the next call unless `out` is given). */
  predictProbaRow(row: ArrayLike<number>, out: Float64Array = this.proba): Float64Array {
    if (this.task !== 'classification') {
      throw new TreesError('INVALID_INPUT', 'predictProbaRow: this ensemble is a regression model', {
        operation: 'predictProbaRow',
      });
    }
    this.checkRow(row);
    return this.probaFromRaw(this.rawInto(row, 0, this.raw), out);
  }

  /** Predicts every row of `x` (values or class indices). */
  predict(x: TreesMatrix): Float64Array {
    this.checkMatrix(x);
    const out = new Float64Array(x.rows);
    const raw = new Float64Array(this.numOutputs);
    for (let i = 0; i < x.rows; i++) {
      this.rawInto(x.data, i * x.cols, raw);
      if (this.task === 'regression') out[i] = raw[0]!;
      else if (this.transform === 'sigmoid') out[i] = raw[0]! >= 0 ? 1 : 0;
      else {
        let best = 0;
        for (let k = 1; k < raw.length; k++) if (raw[k]! > raw[best]!) best = k;
        out[i] = best;
      }
    }
    return out;
  }

  /** Raw scores of every row (`rows × numOutputs`, row-major). */
  predictRaw(x: TreesMatrix): Float64Array {
    this.checkMatrix(x);
    const out = new Float64Array(x.rows * this.numOutputs);
    for (let i = 0; i < x.rows; i++)
      this.rawInto(x.data, i * x.cols, out.subarray(i * this.numOutputs, (i + 1) * this.numOutputs));
    return out;
  }

  /** Class probabilities of every row (`rows × numClasses`, row-major). */
  predictProba(x: TreesMatrix): Float64Array {
    if (this.task !== 'classification') {
      throw new TreesError('INVALID_INPUT', 'predictProba: this ensemble is a regression model', {
        operation: 'predictProba',
      });
    }
    this.checkMatrix(x);
    const C = this.numClasses;
    const out = new Float64Array(x.rows * C);
    const raw = new Float64Array(this.numOutputs);
    for (let i = 0; i < x.rows; i++)
      this.probaFromRaw(this.rawInto(x.data, i * x.cols, raw), out.subarray(i * C, (i + 1) * C));
    return out;
  }

  /**
   * Explains one row by exact path-dependent TreeSHAP: per-feature contributions and the expected
   * value for every raw output (margins for boosting — log-odds for binary, per-class scores for
   * multiclass —, averaged leaf values for forests: class probabilities or the regression value),
   * additive to {@link TreeEnsemble.predictRawRow}. The result is a fresh object. Throws
   * `UNSUPPORTED_MODEL` for an ensemble without node covers.
   *
   * @example
   * ```ts
   * const { model } = trainGbdt(x, y, { rounds: 50 });
   * const { expectedValue, values } = model.explainRow(row);
   * // expectedValue[0] + Σ values ≈ model.predictRawRow(row)[0]
   * ```
   */
  explainRow(row: ArrayLike<number>): TreeExplanation {
    this.checkRow(row);
    const shap = this.explainer();
    const values = shap.explainInto(row, 0, new Float64Array(this.numOutputs * this.numFeatures));
    return { expectedValue: shap.expectedValue.slice(), values };
  }

  /**
   * Explains every row of `x` (see {@link TreeEnsemble.explainRow}): `values` is
   * `rows × numOutputs × numFeatures`.
   *
   * @example
   * ```ts
   * const { expectedValue, values } = model.explain({ data, rows, cols });
   * const firstRowFirstOutput = values.subarray(0, model.numFeatures);
   * ```
   */
  explain(x: TreesMatrix): TreeExplanationBatch {
    this.checkMatrix(x);
    const shap = this.explainer();
    const width = this.numOutputs * this.numFeatures;
    const values = new Float64Array(x.rows * width);
    for (let i = 0; i < x.rows; i++) shap.explainInto(x.data, i * x.cols, values.subarray(i * width, (i + 1) * width));
    return { expectedValue: shap.expectedValue.slice(), values };
  }

  /** True when the ensemble carries node covers, so that {@link TreeEnsemble.explainRow} works. */
  get explainable(): boolean {
    return this.nodeCover !== undefined && this.leafCover !== undefined;
  }

  /** Feature importance: `'gain'` (total split gain) or `'split'` (split count) per feature, summing to 1 unless all zero. */
  featureImportance(type: 'gain' | 'split' = 'gain'): Float64Array {
    const src = type === 'gain' ? this.importanceGain : this.importanceSplit;
    let total = 0;
    for (const v of src) total += v;
    return src.map((v) => (total > 0 ? v / total : 0));
  }

  /** The serial form: plain data plus typed arrays (copies), for the artifact codec. */
  toSerial(): EnsembleSerial {
    return {
      format: 'modelship-trees',
      version: 1,
      task: this.task,
      numFeatures: this.numFeatures,
      numClasses: this.numClasses,
      numOutputs: this.numOutputs,
      leafWidth: this.leafWidth,
      transform: this.transform,
      outputScale: this.outputScale,
      baseScore: this.baseScore.slice(),
      treeRoots: this.treeRoots.slice(),
      treeOutput: this.treeOutput.slice(),
      feature: this.feature.slice(),
      threshold: this.threshold.slice(),
      left: this.left.slice(),
      right: this.right.slice(),
      flags: this.flags.slice(),
      leafValues: this.leafValues.slice(),
      importanceGain: this.importanceGain.slice(),
      importanceSplit: this.importanceSplit.slice(),
      ...(this.nodeCover && this.leafCover
        ? { nodeCover: this.nodeCover.slice(), leafCover: this.leafCover.slice() }
        : {}),
    };
  }

  /** Rebuilds an ensemble from {@link TreeEnsemble.toSerial} output, validating every index. */
  static fromSerial(serial: unknown): TreeEnsemble {
    return new TreeEnsemble(decodeEnsembleSerial(serial));
  }

  private explainer(): TreeShap {
    if (!this.shap) this.shap = new TreeShap(this);
    return this.shap;
  }

  private probaFromRaw(raw: Float64Array, out: Float64Array): Float64Array {
    if (this.transform === 'sigmoid') {
      const p = 1 / (1 + Math.exp(-raw[0]!));
      out[0] = 1 - p;
      out[1] = p;
    } else if (this.transform === 'softmax') {
      let max = -Infinity;
      for (let k = 0; k < raw.length; k++) if (raw[k]! > max) max = raw[k]!;
      let s = 0;
      for (let k = 0; k < raw.length; k++) s += out[k] = Math.exp(raw[k]! - max);
      for (let k = 0; k < raw.length; k++) out[k]! /= s;
    } else for (let k = 0; k < raw.length; k++) out[k] = raw[k]!;
    return out;
  }

  private checkRow(row: ArrayLike<number>): void {
    if (row.length !== this.numFeatures) {
      throw new TreesError(
        'INVALID_INPUT',
        `row: expected ${this.numFeatures} features (as at fit), got ${row.length}`,
        {
          operation: 'predict',
          details: { expected: this.numFeatures, received: row.length },
        },
      );
    }
  }

  private checkMatrix(x: TreesMatrix): void {
    if (!x || x.cols !== this.numFeatures || x.data.length !== x.rows * x.cols) {
      throw new TreesError(
        'INVALID_INPUT',
        `x: expected a matrix with ${this.numFeatures} columns (as at fit), got ${x?.cols}`,
        {
          operation: 'predict',
          details: { expected: this.numFeatures, received: x?.cols },
        },
      );
    }
  }
}
