import { TreesError } from './errors.js';
import type { TreesMatrix } from './matrix.js';

/**
 * Features binned once per fit: `bins[f * rows + r]` is the bin of row `r`, feature `f`
 * (column-major). Regular bins are `0 … numBins[f]-1`; bin `numBins[f]` holds missing values.
 */
export interface BinnedData {
  /** Bin indices, column-major, `rows * cols` long. */
  readonly bins: Uint8Array;
  /** Histogram slots row-major (`rowSlots[r * cols + f] = offsets[f] + bin`), for histogram building. */
  readonly rowSlots: Uint16Array | Uint32Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of features. */
  readonly cols: number;
  /** Regular bins per feature (1 … 255); the missing bin is `numBins[f]`. */
  readonly numBins: Int32Array;
  /** Offset of feature `f`'s first bin in a histogram (each feature has `numBins[f] + 1` slots). */
  readonly offsets: Int32Array;
  /** Histogram slots over all features. */
  readonly totalBins: number;
  /** The most frequent bin of each feature (its histogram slot is derived by subtraction when sparse). */
  readonly defaultBin: Int32Array;
  /** Sparse rows (CSR) of the non-default bins when the data is mostly default bins (one-hot), else null. */
  readonly sparse: { readonly rowPtr: Int32Array; readonly slots: Int32Array } | null;
  /** Upper bounds per feature: bin `b` holds values `x <= upper[f][b]` (last bound is `+Infinity`). */
  readonly upper: readonly Float64Array[];
}

/**
 * Computes per-feature bin upper bounds (at most `maxBins` bins, `+Infinity` last): one bin per
 * distinct value when there are few, else quantile bins of which a share also closes on a
 * maximum value span, so that sparse tails keep some resolution.
 */
export function fitBinBounds(x: TreesMatrix, maxBins: number, sampleRows = 200_000): Float64Array[] {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    throw new TreesError('INVALID_OPTIONS', `maxBins: expected an integer in 2…255, got ${maxBins}`, {
      operation: 'bin',
    });
  }
  const { rows, cols, data } = x;
  const stride = rows > sampleRows ? rows / sampleRows : 1;
  const take = Math.min(rows, sampleRows);
  const buf = new Float64Array(take);
  const out: Float64Array[] = [];
  for (let f = 0; f < cols; f++) {
    // few distinct values (one-hot, flags, small counts): no full sort needed
    const seen = new Map<number, number>();
    let m = 0;
    for (let k = 0; k < take; k++) {
      const v = data[Math.floor(k * stride) * cols + f]!;
      if (!Number.isFinite(v)) continue;
      buf[m++] = v;
      if (seen.size <= maxBins) seen.set(v, 1);
    }
    const cuts: number[] = [];
    if (seen.size <= maxBins) {
      const d = Float64Array.from(seen.keys()).sort();
      for (let i = 1; i < d.length; i++) cuts.push(midpoint(d[i - 1]!, d[i]!));
    } else {
      const sorted = buf.subarray(0, m).sort();
      // Mostly quantile bins, but a bin also closes when it spans too wide a value range, so
      // the sparse tails of skewed features (prices, areas) keep some resolution.
      const perBin = m / (maxBins * (1 - SPAN_SHARE));
      const span = (sorted[m - 1]! - sorted[0]!) / (maxBins * SPAN_SHARE);
      let acc = 0;
      let binStart = sorted[0]!;
      for (let i = 0; i < m; ) {
        let j = i;
        while (j < m && sorted[j] === sorted[i]) j++;
        acc += j - i;
        if (j < m && cuts.length < maxBins - 1 && (acc >= perBin || sorted[j]! - binStart > span)) {
          cuts.push(midpoint(sorted[i]!, sorted[j]!));
          acc = 0;
          binStart = sorted[j]!;
        }
        i = j;
      }
    }
    cuts.push(Infinity);
    out.push(Float64Array.from(cuts));
  }
  return out;
}

/** Share of the bins that close on value span rather than count (tuned on California and Bangalore). */
const SPAN_SHARE = 0.15;

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b ? a : m;
}

/** The bin of value `v` given upper bounds `up` (NaN → the missing bin `up.length`). */
export function binOf(up: Float64Array, v: number): number {
  if (v !== v) return up.length;
  let lo = 0;
  let hi = up.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= up[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins every value of `x` with the given bounds (see {@link BinnedData}). */
export function binMatrix(x: TreesMatrix, upper: readonly Float64Array[]): BinnedData {
  const { rows, cols, data } = x;
  const bins = new Uint8Array(rows * cols);
  const numBins = new Int32Array(cols);
  const offsets = new Int32Array(cols);
  let total = 0;
  for (let f = 0; f < cols; f++) {
    const up = upper[f]!;
    numBins[f] = up.length;
    offsets[f] = total;
    total += up.length + 1;
    const base = f * rows;
    if (up.length === 1) {
      for (let r = 0; r < rows; r++) bins[base + r] = data[r * cols + f]! !== data[r * cols + f]! ? 1 : 0;
      continue;
    }
    for (let r = 0; r < rows; r++) bins[base + r] = binOf(up, data[r * cols + f]!);
  }
  const rowSlots = total <= 0xffff ? new Uint16Array(rows * cols) : new Uint32Array(rows * cols);
  const defaultBin = new Int32Array(cols);
  const counts = new Int32Array(256);
  let nnz = 0;
  for (let f = 0; f < cols; f++) {
    const base = f * rows;
    counts.fill(0);
    for (let r = 0; r < rows; r++) {
      const b = bins[base + r]!;
      rowSlots[r * cols + f] = offsets[f]! + b;
      counts[b]!++;
    }
    let best = 0;
    for (let b = 1; b <= numBins[f]!; b++) if (counts[b]! > counts[best]!) best = b;
    defaultBin[f] = best;
    nnz += rows - counts[best]!;
  }
  let sparse: BinnedData['sparse'] = null;
  if (nnz < 0.25 * rows * cols) {
    const rowPtr = new Int32Array(rows + 1);
    const slots = new Int32Array(nnz);
    let k = 0;
    for (let r = 0; r < rows; r++) {
      rowPtr[r] = k;
      for (let f = 0; f < cols; f++) {
        const slot = rowSlots[r * cols + f]!;
        if (slot !== offsets[f]! + defaultBin[f]!) slots[k++] = slot;
      }
    }
    rowPtr[rows] = k;
    sparse = { rowPtr, slots };
  }
  return { bins, rowSlots, rows, cols, numBins, offsets, totalBins: total, defaultBin, sparse, upper };
}
