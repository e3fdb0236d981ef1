/**
 * O(1) bin lookup for ascending interior edges: a uniform grid of 4,096 cells over
 * [first edge, last edge] maps each cell without an edge nearby straight to its bin; the few
 * cells near an edge fall back to comparisons. Same result as numpy
 * `searchsorted(edges, x, side='right')`.
 */
import { binIndex } from './quantile.js';

const CELLS = 4096;

/** A precomputed bin lookup for one set of edges. */
export class BinLookup {
  /** The interior edges. */
  readonly edges: Float64Array;
  private readonly e0: number;
  private readonly e1: number;
  private readonly scale: number;
  private readonly table: Int32Array;

  constructor(edges: ArrayLike<number>) {
    this.edges = Float64Array.from(edges);
    const m = this.edges.length;
    this.e0 = m ? this.edges[0]! : 0;
    this.e1 = m ? this.edges[m - 1]! : 0;
    const span = this.e1 - this.e0;
    this.scale = span > 0 && Number.isFinite(span) ? CELLS / span : 0;
    // table[g] = the bin of every x in cell g, or −1 when an edge lies within half a cell of it.
    this.table = new Int32Array(CELLS + 1).fill(-1);
    if (this.scale > 0) {
      for (let g = 0; g <= CELLS; g++) {
        const a = this.e0 + (g - 0.5) / this.scale;
        const b = this.e0 + (g + 1.5) / this.scale;
        const ba = binIndex(this.edges, a);
        const bb = binIndex(this.edges, b);
        if (ba === bb) this.table[g] = ba;
      }
    }
  }

  /** The bin of a finite x: the number of edges ≤ x. */
  bin(x: number): number {
    if (x < this.e0) return 0;
    const m = this.edges.length;
    if (x >= this.e1) return m;
    if (this.scale > 0) {
      const t = this.table[((x - this.e0) * this.scale) | 0]!;
      if (t >= 0) return t;
    }
    return binIndex(this.edges, x);
  }

  /** Adds every value of `values` to `counts` by bin; returns how many were missing (NaN or ±Infinity). */
  countInto(values: Float64Array, counts: Float64Array): number {
    const { e0, e1, scale, table, edges } = this;
    const m = edges.length;
    const c = new Uint32Array(m + 1);
    let missing = 0;
    if (!(scale > 0)) {
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (x !== x || x === Infinity || x === -Infinity) missing++;
        else c[binIndex(edges, x)]!++;
      }
    } else {
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (x >= e0 && x < e1) {
          // (x − e0)·scale lies in [0, CELLS]; the table has CELLS + 1 cells.
          let b = table[((x - e0) * scale) | 0]!;
          if (b < 0) b = binIndex(edges, x);
          c[b]!++;
        } else if (x < e0) {
          if (x === -Infinity) missing++;
          else c[0]!++;
        } else if (x >= e1 && x !== Infinity) c[m]!++;
        else missing++;
      }
    }
    for (let b = 0; b <= m; b++) counts[b]! += c[b]!;
    return missing;
  }
}
