import type { BinnedData } from './binning.js';

/**
 * Adds the rows `rows[start…end)` into `hist`, whose slots are `[G_0 … G_{K-1}, H, count]` per
 * bin (stride `K + 2`), for every feature. `grad` is row-major `n × K`, `hess` one value per row.
 */
export function buildHistogram(
  data: BinnedData,
  K: number,
  grad: Float64Array,
  hess: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
  unitHessian = false,
): void {
  hist.fill(0);
  const { bins, rowSlots, rows: n, cols, offsets } = data;
  const S = K + 2;
  if (data.sparse) {
    buildSparse(data, K, grad, hess, rows, start, end, hist, totals);
    return;
  }
  if (K === 1 && unitHessian) {
    // every hessian is 1: the hessian sum of a bin is its count, so skip one channel
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const o = r * cols;
      for (let f = 0; f < cols; f++) {
        const idx = rowSlots[o + f]! * 3;
        hist[idx]! += g;
        hist[idx + 2]! += 1;
      }
    }
    for (let idx = 0; idx < hist.length; idx += 3) hist[idx + 1] = hist[idx + 2]!;
    return;
  }
  if (K === 1) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const h = hess[r]!;
      const o = r * cols;
      for (let f = 0; f < cols; f++) {
        const idx = rowSlots[o + f]! * 3;
        hist[idx]! += g;
        hist[idx + 1]! += h;
        hist[idx + 2]! += 1;
      }
    }
    return;
  }
  for (let f = 0; f < cols; f++) {
    const base = f * n;
    const off = offsets[f]! * S;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const idx = off + bins[base + r]! * S;
      const g = r * K;
      for (let k = 0; k < K; k++) hist[idx + k]! += grad[g + k]!;
      hist[idx + K]! += hess[r]!;
      hist[idx + K + 1]! += 1;
    }
  }
}

/** Sparse rows: adds only non-default bins, then derives each feature's default bin from the node totals. */
function buildSparse(
  data: BinnedData,
  K: number,
  grad: Float64Array,
  hess: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
): void {
  const { rowPtr, slots } = data.sparse!;
  const S = K + 2;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const g = r * K;
    const h = hess[r]!;
    for (let e = rowPtr[r]!; e < rowPtr[r + 1]!; e++) {
      const idx = slots[e]! * S;
      if (K === 1) hist[idx]! += grad[r]!;
      else for (let k = 0; k < K; k++) hist[idx + k]! += grad[g + k]!;
      hist[idx + K]! += h;
      hist[idx + K + 1]! += 1;
    }
  }
  const { numBins, offsets, defaultBin, cols } = data;
  for (let f = 0; f < cols; f++) {
    const base = offsets[f]! * S;
    const d = base + defaultBin[f]! * S;
    for (let k = 0; k < S; k++) {
      let rest = 0;
      for (let b = 0; b <= numBins[f]!; b++) rest += hist[base + b * S + k]!;
      hist[d + k] = totals[k]! - rest;
    }
  }
}

/** `parent -= child`, element-wise (the histogram subtraction trick: the sibling's histogram). */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i]! -= child[i]!;
}

/** A pool of equally sized histogram buffers, so growing a tree does not allocate per node. */
export class HistogramPool {
  private readonly free: Float64Array[] = [];

  /** Creates a pool of buffers of `size` doubles. */
  constructor(readonly size: number) {}

  /** A buffer (contents unspecified). */
  acquire(): Float64Array {
    return this.free.pop() ?? new Float64Array(this.size);
  }

  /** Returns a buffer to the pool. */
  release(buf: Float64Array): void {
    this.free.push(buf);
  }
}
