import type { BinnedData } from './binning.js';

/*
 * Histogram layouts (Float64Array, the bins of feature f from slot `offsets[f]`, one slot per
 * regular bin and one for the missing bin):
 *  - general, stride `K + 2`: `[G_0 … G_{K-1}, H, count]` per bin;
 *  - unit hessians (one channel, every hessian exactly 1: unweighted regression boosting),
 *    stride 2: `[G, count]` per bin; a bin's hessian sum is its count, so it is not stored.
 */

/** Doubles per histogram bin: 2 for one channel with unit hessians (`[G, count]`), else `K + 2`. */
export function histogramStride(K: number, unitHessian = false): number {
  return K === 1 && unitHessian ? 2 : K + 2;
}

/**
 * Adds the rows `rows[start…end)` into `hist` (layout and stride: {@link histogramStride}), for
 * every feature. `grad` is row-major `n × K`, `hess` one value per row; `totals` are the node's
 * sums `[G_0 … G_{K-1}, H, count]` (read for sparse data, whose default bins are derived).
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
  const unit = K === 1 && unitHessian;
  if (data.sparse) {
    buildSparse(data, K, grad, hess, rows, start, end, hist, totals, unit);
    return;
  }
  if (unit) {
    addRowsUnit(rowSlots, cols, grad, rows, start, end, hist, true);
    return;
  }
  if (K === 1) {
    addRows1(rowSlots, cols, grad, hess, rows, start, end, hist);
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
 * {@link buildHistogram} of all the rows of dense data with unit hessians (stride 2; a tree's root without
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
    for (let s = 0; s < counts.length; s++) counts[s] = hist[s * 2 + 1]!;
    cache.counts = counts;
    return;
  }
  // the counts first (every gradient slot zeroed), then the gradients added
  const counts = cache.counts;
  for (let s = 0; s < counts.length; s++) {
    hist[s * 2] = 0;
    hist[s * 2 + 1] = counts[s]!;
  }
  addRowsUnit(data.rowSlots, data.cols, grad, rows, 0, n, hist, false);
}

/**
 * Sparse rows: adds only non-default bins, then derives each feature's default bin from the node
 * totals (`unit`: the stride-2 layout of unit hessians).
 */
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
  unit: boolean,
): void {
  const { rowPtr, slots } = data.sparse!;
  const { numBins, offsets, defaultBin, cols } = data;
  if (unit) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const e = rowPtr[r + 1]!;
      for (let k = rowPtr[r]!; k < e; k++) {
        const idx = slots[k]! * 2;
        hist[idx]! += g;
        hist[idx + 1]! += 1;
      }
    }
    for (let f = 0; f < cols; f++) {
      const base = offsets[f]! * 2;
      const d = base + defaultBin[f]! * 2;
      let r0 = 0;
      let r1 = 0;
      const e = base + (numBins[f]! + 1) * 2;
      for (let o = base; o < e; o += 2) {
        r0 += hist[o]!;
        r1 += hist[o + 1]!;
      }
      // an empty default bin gets exact zero sums (see subtractHistogram)
      const c = totals[2]! - r1;
      hist[d] = c === 0 ? 0 : totals[0]! - r0;
      hist[d + 1] = c;
    }
    return;
  }
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
      const c = totals[2]! - r2;
      hist[d] = c === 0 ? 0 : totals[0]! - r0;
      hist[d + 1] = c === 0 ? 0 : totals[1]! - r1;
      hist[d + 2] = c;
      continue;
    }
    for (let k = 0; k < S; k++) {
      let rest = 0;
      for (let b = 0; b <= numBins[f]!; b++) rest += hist[base + b * S + k]!;
      hist[d + k] = totals[k]! - rest;
    }
  }
}

/*
 * The row loops of one channel, over the row-major histogram slots of dense data. A row's
 * gradient (and hessian) is read once, then added to the slot of each of its features; the
 * features are unrolled by eight and four, which V8 compiles to markedly faster code than a plain inner
 * loop over a few features (fewer loop branches and index checks per update). Each slot still
 * receives its rows in row order, so the sums are the same as those of a plain loop.
 */

/** Adds `grad` (and, if `count`, 1 to the count slot) of `rows[start…end)` into the stride-2 `[G, count]` slots of unit hessians. */
function addRowsUnit(
  rowSlots: Uint16Array | Uint32Array,
  cols: number,
  grad: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  count: boolean,
): void {
  const c4 = cols - 3;
  if (!count) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const o = r * cols;
      let f = 0;
      for (; f < c4; f += 4) {
        const a = rowSlots[o + f]! << 1;
        const b = rowSlots[o + f + 1]! << 1;
        const c = rowSlots[o + f + 2]! << 1;
        const d = rowSlots[o + f + 3]! << 1;
        hist[a]! += g;
        hist[b]! += g;
        hist[c]! += g;
        hist[d]! += g;
      }
      for (; f < cols; f++) hist[rowSlots[o + f]! << 1]! += g;
    }
    return;
  }
  const c8 = cols - 7;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const g = grad[r]!;
    const o = r * cols;
    let f = 0;
    for (; f < c8; f += 8) {
      const a = rowSlots[o + f]! << 1;
      const b = rowSlots[o + f + 1]! << 1;
      const c = rowSlots[o + f + 2]! << 1;
      const d = rowSlots[o + f + 3]! << 1;
      const a2 = rowSlots[o + f + 4]! << 1;
      const b2 = rowSlots[o + f + 5]! << 1;
      const c2 = rowSlots[o + f + 6]! << 1;
      const d2 = rowSlots[o + f + 7]! << 1;
      hist[a]! += g;
      hist[a + 1]! += 1;
      hist[b]! += g;
      hist[b + 1]! += 1;
      hist[c]! += g;
      hist[c + 1]! += 1;
      hist[d]! += g;
      hist[d + 1]! += 1;
      hist[a2]! += g;
      hist[a2 + 1]! += 1;
      hist[b2]! += g;
      hist[b2 + 1]! += 1;
      hist[c2]! += g;
      hist[c2 + 1]! += 1;
      hist[d2]! += g;
      hist[d2 + 1]! += 1;
    }
    for (; f < c4; f += 4) {
      const a = rowSlots[o + f]! << 1;
      const b = rowSlots[o + f + 1]! << 1;
      const c = rowSlots[o + f + 2]! << 1;
      const d = rowSlots[o + f + 3]! << 1;
      hist[a]! += g;
      hist[a + 1]! += 1;
      hist[b]! += g;
      hist[b + 1]! += 1;
      hist[c]! += g;
      hist[c + 1]! += 1;
      hist[d]! += g;
      hist[d + 1]! += 1;
    }
    for (; f < cols; f++) {
      const a = rowSlots[o + f]! << 1;
      hist[a]! += g;
      hist[a + 1]! += 1;
    }
  }
}

/** Adds the gradient, hessian and 1 of each row of `rows[start…end)` into `[G, H, count]` slots. */
function addRows1(
  rowSlots: Uint16Array | Uint32Array,
  cols: number,
  grad: Float64Array,
  hess: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const c4 = cols - 3;
  const c8 = cols - 7;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const g = grad[r]!;
    const h = hess[r]!;
    const o = r * cols;
    let f = 0;
    for (; f < c8; f += 8) {
      const a = rowSlots[o + f]! * 3;
      const b = rowSlots[o + f + 1]! * 3;
      const c = rowSlots[o + f + 2]! * 3;
      const d = rowSlots[o + f + 3]! * 3;
      const a2 = rowSlots[o + f + 4]! * 3;
      const b2 = rowSlots[o + f + 5]! * 3;
      const c2 = rowSlots[o + f + 6]! * 3;
      const d2 = rowSlots[o + f + 7]! * 3;
      hist[a]! += g;
      hist[a + 1]! += h;
      hist[a + 2]! += 1;
      hist[b]! += g;
      hist[b + 1]! += h;
      hist[b + 2]! += 1;
      hist[c]! += g;
      hist[c + 1]! += h;
      hist[c + 2]! += 1;
      hist[d]! += g;
      hist[d + 1]! += h;
      hist[d + 2]! += 1;
      hist[a2]! += g;
      hist[a2 + 1]! += h;
      hist[a2 + 2]! += 1;
      hist[b2]! += g;
      hist[b2 + 1]! += h;
      hist[b2 + 2]! += 1;
      hist[c2]! += g;
      hist[c2 + 1]! += h;
      hist[c2 + 2]! += 1;
      hist[d2]! += g;
      hist[d2 + 1]! += h;
      hist[d2 + 2]! += 1;
    }
    for (; f < c4; f += 4) {
      const a = rowSlots[o + f]! * 3;
      const b = rowSlots[o + f + 1]! * 3;
      const c = rowSlots[o + f + 2]! * 3;
      const d = rowSlots[o + f + 3]! * 3;
      hist[a]! += g;
      hist[a + 1]! += h;
      hist[a + 2]! += 1;
      hist[b]! += g;
      hist[b + 1]! += h;
      hist[b + 2]! += 1;
      hist[c]! += g;
      hist[c + 1]! += h;
      hist[c + 2]! += 1;
      hist[d]! += g;
      hist[d + 1]! += h;
      hist[d + 2]! += 1;
    }
    for (; f < cols; f++) {
      const a = rowSlots[o + f]! * 3;
      hist[a]! += g;
      hist[a + 1]! += h;
      hist[a + 2]! += 1;
    }
  }
}

/**
 * `parent -= child`, element-wise (the histogram subtraction trick: the sibling's histogram).
 * With one channel (`stride` 2 or 3: the count is the last slot of a bin), a bin left with no
 * rows gets exact zero sums rather than the rounding residue of the subtraction, as a bin built
 * from no rows has: the split search then adds empty bins without testing for them.
 */
export function subtractHistogram(parent: Float64Array, child: Float64Array, stride: number): void {
  const n = parent.length;
  if (stride === 2) {
    for (let i = 0; i < n; i += 2) {
      const c = parent[i + 1]! - child[i + 1]!;
      parent[i + 1] = c;
      parent[i] = c === 0 ? 0 : parent[i]! - child[i]!;
    }
    return;
  }
  if (stride === 3) {
    for (let i = 0; i < n; i += 3) {
      const c = parent[i + 2]! - child[i + 2]!;
      parent[i + 2] = c;
      if (c === 0) {
        parent[i] = 0;
        parent[i + 1] = 0;
      } else {
        parent[i]! -= child[i]!;
        parent[i + 1]! -= child[i + 1]!;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) parent[i]! -= child[i]!;
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
