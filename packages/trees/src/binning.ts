import { TreesError } from './errors.js';
import type { TreesMatrix } from './matrix.js';

/**
 * Features binned once per fit: `bins[f * rows + r]` is the bin of row `r`, feature `f`
 * (column-major). Regular bins are `0 … numBins[f]-1`; bin `numBins[f]` holds missing values.
 */
export interface BinnedData {
  /** Bin indices, column-major, `rows * cols` long. */
  readonly bins: Uint8Array;
  /** Histogram slots row-major (`rowSlots[r * cols + f] = offsets[f] + bin`), for histogram building (empty when `sparse`). */
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
  const few = new Float64Array(FEW + 1);
  const out: Float64Array[] = [];
  for (let f = 0; f < cols; f++) {
    // the first FEW distinct values are kept as they come (one-hot columns and flags need no sort)
    let m = 0;
    let nf = 0;
    for (let k = 0; k < take; k++) {
      const v = data[Math.floor(k * stride) * cols + f]!;
      if (v - v !== 0) continue; // not finite
      buf[m++] = v;
      if (nf <= FEW) {
        let j = 0;
        while (j < nf && few[j] !== v) j++;
        if (j === nf) few[nf++] = v;
      }
    }
    let sorted: Float64Array;
    let distinct = nf;
    if (nf <= FEW) sorted = few.subarray(0, nf).sort();
    else {
      // one native sort of the sample, then its distinct values: few (small counts) give one bin
      // each, else quantile bins
      sorted = buf.subarray(0, m).sort();
      distinct = 0;
      for (let i = 0; i < m && distinct <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    }
    const cuts: number[] = [];
    if (distinct <= maxBins) {
      for (let i = 1; i < sorted.length; i++)
        if (sorted[i] !== sorted[i - 1]) cuts.push(midpoint(sorted[i - 1]!, sorted[i]!));
    } else {
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

/** Rows transposed together by {@link binMatrix}. */
const BLOCK = 64;

/** Distinct values tracked without sorting (at most this many: one-hot columns, flags). */
const FEW = 16;

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
    numBins[f] = upper[f]!.length;
    offsets[f] = total;
    total += upper[f]!.length + 1;
  }
  // transposed in blocks of rows, so that the row-major reads of a block stay in cache across features
  const counts = new Int32Array(cols * 256);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let f = 0; f < cols; f++) {
      const up = upper[f]!;
      const base = f * rows;
      const cb = f * 256;
      if (up.length === 1) {
        for (let r = r0; r < r1; r++) {
          const b = data[r * cols + f]! !== data[r * cols + f]! ? 1 : 0;
          bins[base + r] = b;
          counts[cb + b]!++;
        }
      } else if (up.length === 2) {
        const u = up[0]!;
        for (let r = r0; r < r1; r++) {
          const v = data[r * cols + f]!;
          const b = v !== v ? 2 : v <= u ? 0 : 1;
          bins[base + r] = b;
          counts[cb + b]!++;
        }
      } else
        for (let r = r0; r < r1; r++) {
          const b = binOf(up, data[r * cols + f]!);
          bins[base + r] = b;
          counts[cb + b]!++;
        }
    }
  }
  const defaultBin = new Int32Array(cols);
  let nnz = 0;
  for (let f = 0; f < cols; f++) {
    const cb = f * 256;
    let best = 0;
    for (let b = 1; b <= numBins[f]!; b++) if (counts[cb + b]! > counts[cb + best]!) best = b;
    defaultBin[f] = best;
    nnz += rows - counts[cb + best]!;
  }
  let sparse: BinnedData['sparse'] = null;
  let rowSlots: Uint16Array | Uint32Array;
  if (nnz < 0.25 * rows * cols) {
    // histograms of sparse data are built from these rows alone: no dense row slots
    rowSlots = new Uint16Array(0);
    const rowPtr = new Int32Array(rows + 1);
    const slots = new Int32Array(nnz);
    // In blocks of rows, feature by feature (each feature's bins of a block are adjacent: going
    // down the features of one row instead touches a cache line per feature, lines that
    // evict each other on wide data): the entries per row first, then the entries, which
    // land in each row's span in ascending feature order.
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let f = 0; f < cols; f++) {
        const base = f * rows;
        const d = defaultBin[f]!;
        for (let r = r0; r < r1; r++) if (bins[base + r] !== d) rowPtr[r + 1]!++;
      }
    }
    for (let r = 0; r < rows; r++) rowPtr[r + 1]! += rowPtr[r]!;
    const pos = rowPtr.slice(0, rows);
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let f = 0; f < cols; f++) {
        const base = f * rows;
        const d = defaultBin[f]!;
        const off = offsets[f]!;
        for (let r = r0; r < r1; r++) {
          const b = bins[base + r]!;
          if (b !== d) slots[pos[r]!++] = off + b;
        }
      }
    }
    sparse = { rowPtr, slots };
  } else {
    rowSlots = total <= 0xffff ? new Uint16Array(rows * cols) : new Uint32Array(rows * cols);
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let f = 0; f < cols; f++) {
        const base = f * rows;
        const off = offsets[f]!;
        for (let r = r0; r < r1; r++) rowSlots[r * cols + f] = off + bins[base + r]!;
      }
    }
  }
  return { bins, rowSlots, rows, cols, numBins, offsets, totalBins: total, defaultBin, sparse, upper };
}
