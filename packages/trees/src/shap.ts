import { type EnsembleParts, goSlow } from './ensemble-parts.js';
import { TreesError } from './errors.js';

/**
 * The exact path-dependent TreeSHAP explanation of one row, in the ensemble's raw output space
 * (what `predictRawRow` returns: margins for boosting, averaged leaf values — probabilities —
 * for classification forests). For every output `k`,
 * `expectedValue[k] + Σ_f values[k * numFeatures + f]` equals the raw prediction.
 */
export interface TreeExplanation {
  /** The expected raw output per output: the base score plus each tree's cover-weighted mean leaf value. */
  readonly expectedValue: Float64Array;
  /** Contributions, `numOutputs × numFeatures` (output-major: output `k`'s vector starts at `k * numFeatures`). */
  readonly values: Float64Array;
}

/** Explanations of many rows at once (see {@link TreeExplanation}). */
export interface TreeExplanationBatch {
  /** The expected raw output per output (the same for every row). */
  readonly expectedValue: Float64Array;
  /** Contributions, `rows × numOutputs × numFeatures` (row-major, then output-major). */
  readonly values: Float64Array;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2020, Algorithm 2 with EXTEND / UNWIND) over a
 * compiled ensemble: the same numbers as `shap.TreeExplainer` on the same trees and covers. The
 * unique-path buffers are allocated once per explainer; explaining a row allocates nothing but
 * the result. Missing values follow each node's default direction, as prediction does.
 */
export class TreeShap {
  private readonly p: EnsembleParts;
  private readonly nodeCover: Float64Array;
  private readonly leafCover: Float64Array;
  /** Expected raw output per output. */
  readonly expectedValue: Float64Array;
  private readonly pFeat: Int32Array;
  private readonly pZero: Float64Array;
  private readonly pOne: Float64Array;
  private readonly pW: Float64Array;
  // per-call state (set by explainInto, read by the recursion)
  private x: ArrayLike<number> = [];
  private off = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiBase = 0;

  /** Prepares an explainer; throws `UNSUPPORTED_MODEL` when the ensemble carries no node covers. */
  constructor(parts: EnsembleParts) {
    if (!parts.nodeCover || !parts.leafCover) {
      throw new TreesError(
        'UNSUPPORTED_MODEL',
        'explain: this ensemble has no node covers (it was saved before covers were kept, or imported without counts); retrain or re-import it to explain it',
        { operation: 'explain' },
      );
    }
    this.p = parts;
    this.nodeCover = parts.nodeCover;
    this.leafCover = parts.leafCover;
    const expected = new Float64Array(parts.numOutputs);
    let maxDepth = 0;
    for (let t = 0; t < parts.treeRoots.length; t++)
      maxDepth = Math.max(maxDepth, this.expectation(parts.treeRoots[t]!, 1, 0, t, expected));
    for (let k = 0; k < parts.numOutputs; k++) expected[k] = parts.baseScore[k]! + expected[k]! * parts.outputScale;
    this.expectedValue = expected;
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.pFeat = new Int32Array(size);
    this.pZero = new Float64Array(size);
    this.pOne = new Float64Array(size);
    this.pW = new Float64Array(size);
  }

  /** Explains the row at `data[off…]`, adding nothing: `out` (`numOutputs × numFeatures`) is overwritten. */
  explainInto(data: ArrayLike<number>, off: number, out: Float64Array): Float64Array {
    const { treeRoots, treeOutput, leafWidth, numFeatures } = this.p;
    out.fill(0);
    this.x = data;
    this.off = off;
    this.phi = out;
    for (let t = 0; t < treeRoots.length; t++) {
      this.phiBase = leafWidth === 1 ? treeOutput[t]! * numFeatures : -1;
      this.recurse(treeRoots[t]!, 0, 0, 1, 1, -1);
    }
    this.x = [];
    this.phi = new Float64Array(0);
    return out;
  }

  private cover(ref: number): number {
    return ref >= 0 ? this.nodeCover[ref]! : this.leafCover[~ref]!;
  }

  /** Adds tree `t`'s cover-weighted mean leaf value (reached with probability `frac`) to `acc`; returns the depth below `ref`. */
  private expectation(ref: number, frac: number, depth: number, t: number, acc: Float64Array): number {
    const { leafWidth, leafValues, numOutputs, treeOutput, left, right } = this.p;
    if (ref < 0) {
      const leaf = ~ref;
      if (leafWidth === 1) acc[treeOutput[t]!]! += frac * leafValues[leaf]!;
      else for (let k = 0; k < numOutputs; k++) acc[k]! += frac * leafValues[leaf * leafWidth + k]!;
      return depth;
    }
    const l = left[ref]!;
    const r = right[ref]!;
    const cl = this.cover(l);
    const cr = this.cover(r);
    const tot = cl + cr;
    const fl = tot > 0 ? (frac * cl) / tot : 0;
    const fr = tot > 0 ? (frac * cr) / tot : 0;
    return Math.max(this.expectation(l, fl, depth + 1, t, acc), this.expectation(r, fr, depth + 1, t, acc));
  }

  /** TreeSHAP's recursion: `d` is the unique depth, the parent's path starts at `parent`. */
  private recurse(ref: number, d: number, parent: number, zero: number, one: number, feat: number): void {
    const { pFeat, pZero, pOne, pW } = this;
    const base = parent + d + 1;
    for (let i = 0; i < d; i++) {
      pFeat[base + i] = pFeat[parent + i]!;
      pZero[base + i] = pZero[parent + i]!;
      pOne[base + i] = pOne[parent + i]!;
      pW[base + i] = pW[parent + i]!;
    }
    this.extend(base, d, zero, one, feat);
    const p = this.p;
    if (ref < 0) {
      const leaf = ~ref;
      const F = p.numFeatures;
      const s = p.outputScale;
      const phi = this.phi;
      for (let i = 1; i <= d; i++) {
        const w = this.unwoundSum(base, d, i);
        const scale = w * (pOne[base + i]! - pZero[base + i]!) * s;
        const f = pFeat[base + i]!;
        if (this.phiBase >= 0) phi[this.phiBase + f]! += scale * p.leafValues[leaf]!;
        else
          for (let k = 0, o = leaf * p.leafWidth; k < p.numOutputs; k++)
            phi[k * F + f]! += scale * p.leafValues[o + k]!;
      }
      return;
    }
    const split = p.feature[ref]!;
    const x = this.x[this.off + split]!;
    const fl = p.flags[ref]!;
    const thr = p.threshold[ref]!;
    const goLeft = fl === 0 ? x <= thr : goSlow(x, thr, fl);
    const hot = goLeft ? p.left[ref]! : p.right[ref]!;
    const cold = goLeft ? p.right[ref]! : p.left[ref]!;
    const w = this.nodeCover[ref]!;
    const hotZero = w > 0 ? this.cover(hot) / w : 0;
    const coldZero = w > 0 ? this.cover(cold) / w : 0;
    let inZero = 1;
    let inOne = 1;
    let pi = 0;
    for (; pi <= d; pi++) if (pFeat[base + pi] === split) break;
    if (pi !== d + 1) {
      inZero = pZero[base + pi]!;
      inOne = pOne[base + pi]!;
      this.unwind(base, d, pi);
      d -= 1;
    }
    // a branch reached with both fractions zero contributes nothing (and would divide 0 by 0)
    if (hotZero * inZero !== 0 || inOne !== 0) this.recurse(hot, d + 1, base, hotZero * inZero, inOne, split);
    if (coldZero * inZero !== 0) this.recurse(cold, d + 1, base, coldZero * inZero, 0, split);
  }

  private extend(base: number, d: number, zero: number, one: number, feat: number): void {
    const { pFeat, pZero, pOne, pW } = this;
    pFeat[base + d] = feat;
    pZero[base + d] = zero;
    pOne[base + d] = one;
    pW[base + d] = d === 0 ? 1 : 0;
    for (let i = d - 1; i >= 0; i--) {
      pW[base + i + 1]! += (one * pW[base + i]! * (i + 1)) / (d + 1);
      pW[base + i] = (zero * pW[base + i]! * (d - i)) / (d + 1);
    }
  }

  private unwind(base: number, d: number, pi: number): void {
    const { pFeat, pZero, pOne, pW } = this;
    const one = pOne[base + pi]!;
    const zero = pZero[base + pi]!;
    let next = pW[base + d]!;
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pW[base + i]!;
        pW[base + i] = (next * (d + 1)) / ((i + 1) * one);
        next = tmp - (pW[base + i]! * zero * (d - i)) / (d + 1);
      } else pW[base + i] = (pW[base + i]! * (d + 1)) / (zero * (d - i));
    }
    for (let i = pi; i < d; i++) {
      pFeat[base + i] = pFeat[base + i + 1]!;
      pZero[base + i] = pZero[base + i + 1]!;
      pOne[base + i] = pOne[base + i + 1]!;
    }
  }

  private unwoundSum(base: number, d: number, pi: number): number {
    const { pZero, pOne, pW } = this;
    const one = pOne[base + pi]!;
    const zero = pZero[base + pi]!;
    let next = pW[base + d]!;
    let total = 0;
    if (one !== 0) {
      for (let i = d - 1; i >= 0; i--) {
        const tmp = next / ((i + 1) * one);
        total += tmp;
        next = pW[base + i]! - tmp * zero * (d - i);
      }
    } else for (let i = d - 1; i >= 0; i--) total += pW[base + i]! / (zero * (d - i));
    return total * (d + 1);
  }
}
