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
    // every hessian is 1: the hessian sum of a bin is its count, so the hessian slot is left
    // unset (the split search of unit hessians reads the count in its place)
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const e = (r + 1) * cols;
      for (let o = r * cols; o < e; o++) {
        const idx = rowSlots[o]! * 3;
        hist[idx]! += g;
        hist[idx + 2]! += 1;
      }
    }
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

/**
 * {@link buildHistogram} of all the rows of dense data with unit hessians (a tree's root without
 * row sampling): the bin counts are the same for every tree, so they are counted once into
 * `cache` and copied, and only the gradients are added.
 */
export function buildRootHistogramUnit(
  data: BinnedData,
  grad: Float64Array,
  rows: Int32Array,
  hist: Float64Array,
  totals: Float64Array,
  cache: { counts?: Float64Array },
): void {
  const n = data.rows;
  if (!cache.counts) {
    buildHistogram(data, 1, grad, grad, rows, 0, n, hist, totals, true);
    const counts = new Float64Array(data.totalBins);
    for (let s = 0; s < counts.length; s++) counts[s] = hist[s * 3 + 2]!;
    cache.counts = counts;
    return;
  }
  hist.fill(0);
  const { rowSlots, cols } = data;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const g = grad[r]!;
    const e = (r + 1) * cols;
    for (let o = r * cols; o < e; o++) hist[rowSlots[o]! * 3]! += g;
  }
  const counts = cache.counts;
  for (let s = 0; s < counts.length; s++) hist[s * 3 + 2] = counts[s]!;
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
    if (S === 3) {
      // one pass over the bins for the three slots (the same sums, in the same order)
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      const e = base + (numBins[f]! + 1) * 3;
      for (let o = base; o < e; o += 3) {
        r0 += hist[o]!;
        r1 += hist[o + 1]!;
        r2 += hist[o + 2]!;
      }
      hist[d] = totals[0]! - r0;
      hist[d + 1] = totals[1]! - r1;
      hist[d + 2] = totals[2]! - r2;
      continue;
    }
    for (let k = 0; k < S; k++) {
      let rest = 0;
      for (let b = 0; b <= numBins[f]!; b++) rest += hist[base + b * S + k]!;
      hist[d + k] = totals[k]! - rest;
    }
  }
}

/**
 * `parent -= child`, element-wise (the histogram subtraction trick: the sibling's histogram);
 * `unitHessian` (one channel, slots `[G, H, count]`) skips the unset hessian slots.
 */
export function subtractHistogram(parent: Float64Array, child: Float64Array, unitHessian = false): void {
  if (unitHessian) {
    for (let i = 0; i < parent.length; i += 3) {
      parent[i]! -= child[i]!;
      parent[i + 2]! -= child[i + 2]!;
    }
    return;
  }
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
