/**
 * O(1) bin lookup for ascending interior edges: a uniform grid of 3 × 4,096 cells over
 * [first edge − span, last edge + span] (span = last − first edge) maps each cell without an
 * edge nearby straight to its bin, so almost every value costs one multiply and one table read;
 * the few cells near an edge fall back to comparisons, and values beyond the grid go to the
 * first or last bin. Same result as numpy `searchsorted(edges, x, side='right')`.
 */
import { binIndex } from './quantile.js';

const CELLS = 3 * 4096;

/** A precomputed bin lookup for one set of edges. */
export class BinLookup {
  /** The interior edges. */
  readonly edges: Float64Array;
  private readonly lo: number;
  private readonly scale: number;
  private readonly table: Int32Array;

  constructor(edges: ArrayLike<number>) {
    this.edges = Float64Array.from(edges);
    const m = this.edges.length;
    const e0 = m ? this.edges[0]! : 0;
    const e1 = m ? this.edges[m - 1]! : 0;
    const span = e1 - e0;
    this.lo = e0 - span;
    this.scale = span > 0 && Number.isFinite(3 * span) ? CELLS / (3 * span) : 0;
    // table[g] = the bin of every x in cell g, or −1 when an edge lies within half a cell of it.
    this.table = new Int32Array(CELLS + 1).fill(-1);
    if (this.scale > 0) {
      for (let g = 0; g <= CELLS; g++) {
        const ba = binIndex(this.edges, this.lo + (g - 0.5) / this.scale);
        const bb = binIndex(this.edges, this.lo + (g + 1.5) / this.scale);
        if (ba === bb) this.table[g] = ba;
      }
    }
  }

  /** The bin of a finite x: the number of edges ≤ x. */
  bin(x: number): number {
    if (this.scale > 0) {
      const g = (x - this.lo) * this.scale;
      if (g > 0 && g < CELLS) {
        const t = this.table[g | 0]!;
        if (t >= 0) return t;
      } else if (g <= 0) return 0;
      else return this.edges.length;
    }
    return binIndex(this.edges, x);
  }

  /** Adds every value of `values` to `counts` by bin; returns how many were missing (NaN or ±Infinity). */
  countInto(values: Float64Array, counts: Float64Array): number {
    const { lo, scale, table, edges } = this;
    const m = edges.length;
    let missing = 0;
    if (!(scale > 0)) {
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (x !== x || x === Infinity || x === -Infinity) missing++;
        else counts[binIndex(edges, x)]!++;
      }
      return missing;
    }
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const g = (x - lo) * scale; // NaN for NaN, ±Infinity for ±Infinity
      if (g > 0 && g < CELLS) {
        let b = table[g | 0]!;
        if (b < 0) b = binIndex(edges, x);
        counts[b]!++;
      } else if (g <= 0) {
        if (x === -Infinity) missing++;
        else counts[0]!++;
      } else if (g >= CELLS && x !== Infinity) counts[m]!++;
      else missing++;
    }
    return missing;
  }
}
