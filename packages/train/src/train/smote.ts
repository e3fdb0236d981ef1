/**
 * SMOTE (Chawla et al., 2002): oversampling of minority classes by interpolation between a row and
 * one of its nearest same-class neighbours, in the encoded feature space (the feature pipeline's
 * output matrix). The trainer applies it to the training rows of each fit only, never to the
 * rows it evaluates on.
 */
import { createRandom, type Matrix } from '@modelship/core';

/** SMOTE settings of a classification variant (`VariantSpec.smote`). */
export interface SmoteOptions {
  /** Nearest same-class neighbours a synthetic row may be interpolated towards; default 5. */
  readonly k?: number | undefined;
  /** Cap on the training rows after oversampling, as a multiple of the rows before (≥ 1); default 2. */
  readonly maxGrowth?: number | undefined;
}

/** What {@link smote} did: the settings used and the synthetic rows added per class. */
export interface SmoteSummary {
  /** Neighbours used. */
  readonly k: number;
  /** The growth cap used. */
  readonly maxGrowth: number;
  /** Training rows before oversampling. */
  readonly rowsBefore: number;
  /** Training rows after oversampling. */
  readonly rowsAfter: number;
  /** Synthetic rows added per class index. */
  readonly syntheticPerClass: number[];
}

/** The oversampled training rows (the original rows first, then the synthetic ones). */
export interface SmoteResult {
  /** Features: the original rows followed by the synthetic rows. */
  readonly x: Matrix;
  /** Class indices, one per row of `x`. */
  readonly y: Float64Array;
  /** What was done. */
  readonly summary: SmoteSummary;
}

/**
 * Oversamples the minority classes of `(x, y)` towards the majority class count, within a total
 * of `maxGrowth × rows`: when the cap binds, each class gets a share of the synthetic rows in
 * proportion to its shortfall. A synthetic row is `x_i + u · (x_j − x_i)` with `i` a random row
 * of the class, `j` one of its `k` nearest same-class rows (Euclidean) and `u` uniform in [0, 1).
 * A class with a single row is left as it is. Deterministic for a seed.
 */
export function smote(
  x: Matrix,
  y: Float64Array,
  numClasses: number,
  options: SmoteOptions = {},
  seed = 42,
): SmoteResult {
  const k = options.k ?? 5;
  const maxGrowth = options.maxGrowth ?? 2;
  const { rows: n, cols: d, data } = x;
  const members: number[][] = Array.from({ length: numClasses }, () => []);
  for (let r = 0; r < n; r++) members[y[r]!]!.push(r);
  const counts = members.map((m) => m.length);
  const majority = Math.max(...counts);
  const shortfall = counts.map((c) => (c >= 2 ? majority - c : 0));
  const wanted = shortfall.reduce((s, v) => s + v, 0);
  const budget = Math.max(0, Math.floor(maxGrowth * n) - n);
  const plan = shortfall.slice();
  if (wanted > budget) {
    // shares in proportion to the shortfall, the remainder to the largest fractional parts
    const exact = shortfall.map((v) => (v * budget) / wanted);
    for (let c = 0; c < numClasses; c++) plan[c] = Math.floor(exact[c]!);
    let left = budget - plan.reduce((s, v) => s + v, 0);
    const order = exact.map((v, c) => ({ c, frac: v - Math.floor(v) })).sort((a, b) => b.frac - a.frac || a.c - b.c);
    for (const { c } of order) {
      if (left <= 0) break;
      if (shortfall[c]! > plan[c]!) {
        plan[c]!++;
        left--;
      }
    }
  }
  const total = plan.reduce((s, v) => s + v, 0);
  const out = new Float64Array((n + total) * d);
  out.set(data.subarray(0, n * d));
  const yOut = new Float64Array(n + total);
  yOut.set(y.subarray(0, n));
  const rng = createRandom(seed);
  let w = n;
  for (let c = 0; c < numClasses; c++) {
    const need = plan[c]!;
    if (need === 0) continue;
    const rowsC = members[c]!;
    const kc = Math.min(k, rowsC.length - 1);
    const neighbours = new Map<number, Int32Array>();
    for (let s = 0; s < need; s++) {
      const i = rowsC[rng.int(rowsC.length)]!;
      let nn = neighbours.get(i);
      if (nn === undefined) {
        nn = nearest(data, d, i, rowsC, kc);
        neighbours.set(i, nn);
      }
      const j = nn[rng.int(kc)]!;
      const u = rng.next();
      const oi = i * d;
      const oj = j * d;
      const o = w * d;
      for (let f = 0; f < d; f++) out[o + f] = data[oi + f]! + u * (data[oj + f]! - data[oi + f]!);
      yOut[w] = c;
      w++;
    }
  }
  return {
    x: { data: out, rows: n + total, cols: d },
    y: yOut,
    summary: { k, maxGrowth, rowsBefore: n, rowsAfter: n + total, syntheticPerClass: plan },
  };
}

/** The `k` rows of `candidates` nearest to row `i` (itself excluded; ties by row order). */
function nearest(data: Float64Array, d: number, i: number, candidates: readonly number[], k: number): Int32Array {
  const oi = i * d;
  const best = new Int32Array(k);
  const bestD = new Float64Array(k).fill(Infinity);
  let filled = 0;
  for (const j of candidates) {
    if (j === i) continue;
    let s = 0;
    const oj = j * d;
    for (let f = 0; f < d; f++) {
      const t = data[oi + f]! - data[oj + f]!;
      s += t * t;
    }
    if (filled === k && s >= bestD[k - 1]!) continue;
    // insertion into the sorted top k (candidates come in row order, so ties keep the earlier row)
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && bestD[p - 1]! > s) {
      bestD[p] = bestD[p - 1]!;
      best[p] = best[p - 1]!;
      p--;
    }
    bestD[p] = s;
    best[p] = j;
  }
  return best;
}
