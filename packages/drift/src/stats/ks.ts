/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, matching scipy's
 * `ks_2samp(a, b, method='auto')`: exact p-value when both samples have at most 10,000 values,
 * else the asymptotic `kstwo.sf(D, round(n·m/(n+m)))`.
 */
import { kolmogorovSf } from './kolmogorov.js';
import { sortFinite } from './sort.js';

/** The result of a two-sample KS test. */
export interface KsResult {
  /** The largest absolute difference between the two empirical CDFs. */
  statistic: number;
  /** The two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymptotic';
}

const MAX_AUTO_N = 10_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The KS statistic D of two ascending samples, by a linear merge. Values equal across the two
 * samples are consumed together; ties within one sample need no care (the difference at an
 * intermediate step lies between its neighbours).
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  // n1·n2·(F_a − F_b) = i·n2 − j·n1 is an exact integer; the extremes are converted at the end
  // the way scipy computes them (i/n1 − j/n2).
  let emax = 0;
  let emin = 0;
  let maxI = 0;
  let maxJ = 0;
  let minI = 0;
  let minJ = 0;
  while (i < n1 && j < n2) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      i++;
      const e = i * n2 - j * n1;
      if (e > emax) {
        emax = e;
        maxI = i;
        maxJ = j;
      }
    } else if (y < x) {
      j++;
      const e = i * n2 - j * n1;
      if (e < emin) {
        emin = e;
        minI = i;
        minJ = j;
      }
    } else {
      while (i < n1 && a[i] === x) i++;
      while (j < n2 && b[j] === x) j++;
      const e = i * n2 - j * n1;
      if (e > emax) {
        emax = e;
        maxI = i;
        maxJ = j;
      } else if (e < emin) {
        emin = e;
        minI = i;
        minJ = j;
      }
    }
  }
  const dmax = maxI / n1 - maxJ / n2;
  const dmin = minJ / n2 - minI / n1;
  return Math.max(dmax, dmin);
}

/** P(D ≥ h/n) for two samples of equal size n (scipy `_compute_prob_outside_square`). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * P(D ≥ h/lcm) for samples of sizes m and n: one minus the share of lattice paths from (0, 0) to
 * (m, n) that stay strictly inside |ng·i − mg·j| < h, by the probability recurrence
 * A(i, j) = (i·A(i−1, j) + j·A(i, j−1)) / (i + j) on a sliding window of one column.
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const col = new Float64Array(n + 1);
  let prevLo = 0;
  for (let j = 0; j <= n && mg * j < h; j++) col[j] = 1;
  for (let i = 1; i <= m; i++) {
    // inside: ng·i − h < mg·j < ng·i + h
    const lo = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    const hi = Math.min(Math.ceil((ng * i + h) / mg) - 1, n);
    if (hi < lo) return 1;
    for (let j = prevLo; j < Math.min(lo, n + 1); j++) col[j] = 0;
    prevLo = lo;
    for (let j = lo; j <= hi; j++) {
      col[j] = j === 0 ? col[0]! : (i * col[j]! + j * col[j - 1]!) / (i + j);
    }
  }
  return 1 - col[n]!;
}

/**
 * The two-sided p-value of D for sample sizes n1, n2, as scipy's `method='auto'` (exact up to
 * 10,000 values per sample, else asymptotic) or forced `'asymptotic'`; returns the D used too
 * (the exact method rounds it to the lattice of i/n1 − j/n2).
 */
export function ksPValue(d: number, n1: number, n2: number, method: 'auto' | 'asymptotic' = 'auto'): KsResult {
  if (method === 'auto' && Math.max(n1, n2) <= MAX_AUTO_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const dr = h / lcm;
    if (h === 0) return { statistic: dr, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: dr, pValue: p, method: 'exact' };
    d = dr;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(Math.round(en), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymptotic' };
}

/** Two-sided two-sample KS test of raw samples (NaN values are dropped). */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const sa = dropNaNSorted(a);
  const sb = dropNaNSorted(b);
  if (sa.length === 0 || sb.length === 0) return { statistic: Number.NaN, pValue: Number.NaN, method: 'exact' };
  return ksPValue(ksStatisticSorted(sa, sb), sa.length, sb.length);
}

/** A sorted Float64Array copy without NaN values (radix sort for large arrays). */
export function dropNaNSorted(values: ArrayLike<number>): Float64Array {
  return sortFinite(values);
}
