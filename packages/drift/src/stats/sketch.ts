/**
 * Tests against a quantile sketch of the reference: `q` holds the reference quantiles at the
 * evenly spaced probabilities 0, 1/(K−1), …, 1 (so the minimum and maximum are kept), and the
 * reference quantile function is taken as linear between them.
 */

/** The reference CDF at x by inverting the piecewise-linear quantile function. */
function sketchCdf(q: Float64Array, x: number): number {
  const k = q.length;
  if (x < q[0]!) return 0;
  if (x >= q[k - 1]!) return 1;
  let lo = 0;
  let hi = k - 1;
  // Largest g with q[g] ≤ x.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (q[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const a = q[lo]!;
  const b = q[lo + 1]!;
  const frac = b > a ? (x - a) / (b - a) : 1;
  return (lo + frac) / (k - 1);
}

/** The KS statistic between a reference quantile sketch and an ascending sample. */
export function ksToSketch(q: Float64Array, sorted: Float64Array): number {
  const n = sorted.length;
  let d = 0;
  let i = 0;
  while (i < n) {
    const x = sorted[i]!;
    let j = i;
    while (j < n && sorted[j] === x) j++;
    const f = sketchCdf(q, x);
    // The sample's ECDF jumps from i/n to j/n at x; the sketch's CDF is continuous.
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - j / n));
    i = j;
  }
  return d;
}

/** ∫ |r(u) − c| du over [u0, u1] where r is linear from r0 to r1. */
function absLinear(u0: number, u1: number, r0: number, r1: number, c: number): number {
  const d0 = r0 - c;
  const d1 = r1 - c;
  const w = u1 - u0;
  if ((d0 >= 0 && d1 >= 0) || (d0 <= 0 && d1 <= 0)) return (w * Math.abs(d0 + d1)) / 2;
  return (w * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** The Wasserstein-1 distance ∫₀¹ |Q_ref(u) − Q_cur(u)| du between a reference sketch and an ascending sample. */
export function wassersteinToSketch(q: Float64Array, sorted: Float64Array): number {
  const n = sorted.length;
  const k = q.length;
  if (n === 0 || k === 0) return Number.NaN;
  if (k === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(sorted[i]! - q[0]!);
    return s / n;
  }
  const step = 1 / (k - 1);
  let total = 0;
  let u = 0;
  let i = 0; // sample step: Q_cur = sorted[i] on ((i)/n, (i+1)/n]
  let g = 0; // sketch segment: [g·step, (g+1)·step]
  while (i < n && g < k - 1) {
    const uEndSample = (i + 1) / n;
    const uEndSeg = (g + 1) * step;
    const u1 = Math.min(uEndSample, uEndSeg);
    const r0 = q[g]! + ((q[g + 1]! - q[g]!) * (u - g * step)) / step;
    const r1 = q[g]! + ((q[g + 1]! - q[g]!) * (u1 - g * step)) / step;
    total += absLinear(u, u1, r0, r1, sorted[i]!);
    u = u1;
    if (uEndSample <= uEndSeg) i++;
    if (uEndSeg <= uEndSample) g++;
  }
  return total;
}
