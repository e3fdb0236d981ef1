/** Boosting objectives: squared, absolute or Huber error (regression), binary log loss, multiclass softmax. */
export type GbdtObjective = 'squared' | 'absolute' | 'huber' | 'binary' | 'multiclass';

/** Weighted median of `values` (weights `w`); `idx` is scratch of the same length. */
export function weightedMedian(values: Float64Array, w: Float64Array, idx: Int32Array, m: number): number {
  if (m === 0) return 0;
  for (let i = 0; i < m; i++) idx[i] = i;
  const sub = idx.subarray(0, m);
  sub.sort((a, b) => values[a]! - values[b]! || a - b);
  let total = 0;
  for (let i = 0; i < m; i++) total += w[i]!;
  let acc = 0;
  for (let i = 0; i < m; i++) {
    acc += w[sub[i]!]!;
    if (acc >= total / 2) return values[sub[i]!]!;
  }
  return values[sub[m - 1]!]!;
}

/** The initial raw score(s) of each output. */
export function baseScores(objective: GbdtObjective, y: ArrayLike<number>, w: Float64Array, K: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(K);
  if (objective === 'multiclass') {
    const c = new Float64Array(K);
    let tot = 0;
    for (let i = 0; i < n; i++) {
      c[y[i]!]! += w[i]!;
      tot += w[i]!;
    }
    for (let k = 0; k < K; k++) out[k] = Math.log(Math.max(c[k]! / tot, 1e-15));
    return out;
  }
  if (objective === 'absolute' || objective === 'huber') {
    const v = Float64Array.from(y);
    out[0] = weightedMedian(v, w, new Int32Array(n), n);
    return out;
  }
  let s = 0;
  let tw = 0;
  for (let i = 0; i < n; i++) {
    s += w[i]! * y[i]!;
    tw += w[i]!;
  }
  const mean = tw > 0 ? s / tw : 0;
  if (objective === 'binary') {
    const p = Math.min(Math.max(mean, 1e-15), 1 - 1e-15);
    out[0] = Math.log(p / (1 - p));
  } else out[0] = mean;
  return out;
}

/**
 * Fills the negative gradients and hessians of output `k` for every row (`scores` is `n × K`;
 * `prob` holds softmax probabilities for multiclass).
 */
export function gradients(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  scores: Float64Array,
  prob: Float64Array,
  w: Float64Array,
  K: number,
  k: number,
  huberDelta: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  const n = y.length;
  switch (objective) {
    case 'squared':
      for (let i = 0; i < n; i++) {
        grad[i] = w[i]! * (y[i]! - scores[i]!);
        hess[i] = w[i]!;
      }
      return;
    case 'absolute':
      for (let i = 0; i < n; i++) {
        const r = y[i]! - scores[i]!;
        grad[i] = w[i]! * (r > 0 ? 1 : r < 0 ? -1 : 0);
        hess[i] = w[i]!;
      }
      return;
    case 'huber':
      for (let i = 0; i < n; i++) {
        const r = y[i]! - scores[i]!;
        grad[i] = w[i]! * Math.min(huberDelta, Math.max(-huberDelta, r));
        hess[i] = w[i]!;
      }
      return;
    case 'binary':
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-scores[i]!));
        grad[i] = w[i]! * (y[i]! - p);
        hess[i] = w[i]! * Math.max(p * (1 - p), 1e-16);
      }
      return;
    case 'multiclass': {
      const factor = K / (K - 1);
      for (let i = 0; i < n; i++) {
        const p = prob[i * K + k]!;
        grad[i] = w[i]! * ((y[i]! === k ? 1 : 0) - p);
        hess[i] = w[i]! * Math.max(factor * p * (1 - p), 1e-16);
      }
    }
  }
}

/** Softmax of each row of `scores` (`n × K`) into `prob`. */
export function softmaxRows(scores: Float64Array, K: number, prob: Float64Array): void {
  const n = scores.length / K;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (scores[o + k]! > max) max = scores[o + k]!;
    let s = 0;
    for (let k = 0; k < K; k++) s += prob[o + k] = Math.exp(scores[o + k]! - max);
    for (let k = 0; k < K; k++) prob[o + k]! /= s;
  }
}

/** Mean loss of raw `scores` (`n × K`) against `y`. */
export function meanLoss(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  scores: Float64Array,
  K: number,
  huberDelta: number,
): number {
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (objective === 'multiclass') {
      const o = i * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (scores[o + k]! > max) max = scores[o + k]!;
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(scores[o + k]! - max);
      s += Math.log(z) + max - scores[o + y[i]!]!;
      continue;
    }
    const f = scores[i]!;
    const r = y[i]! - f;
    if (objective === 'squared') s += r * r;
    else if (objective === 'absolute') s += Math.abs(r);
    else if (objective === 'huber')
      s += Math.abs(r) <= huberDelta ? 0.5 * r * r : huberDelta * (Math.abs(r) - 0.5 * huberDelta);
    else s += Math.log1p(Math.exp(-Math.abs(f))) + Math.max(f, 0) - y[i]! * f;
  }
  return n > 0 ? s / n : 0;
}
