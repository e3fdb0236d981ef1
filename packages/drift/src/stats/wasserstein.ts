/**
 * The first Wasserstein (earth mover's) distance between two 1-D samples, as scipy's
 * `wasserstein_distance(a, b)`: the integral of |F_a − F_b|.
 */
import { dropNaNSorted } from './ks.js';

/**
 * The Wasserstein-1 distance of two ascending samples, by a linear merge: Σ |F_a − F_b| over the
 * gaps between consecutive values of the pooled sample (ties give zero-width gaps).
 */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return Number.NaN;
  const inv1 = 1 / n1;
  const inv2 = 1 / n2;
  let i = 0;
  let j = 0;
  let prev = Math.min(a[0]!, b[0]!);
  let total = 0;
  while (i < n1 && j < n2) {
    const x = a[i]!;
    const y = b[j]!;
    const gap = Math.abs(i * inv1 - j * inv2);
    if (x <= y) {
      total += gap * (x - prev);
      prev = x;
      i++;
    } else {
      total += gap * (y - prev);
      prev = y;
      j++;
    }
  }
  for (; i < n1; i++) {
    const v = a[i]!;
    total += (1 - i * inv1) * (v - prev);
    prev = v;
  }
  for (; j < n2; j++) {
    const v = b[j]!;
    total += (1 - j * inv2) * (v - prev);
    prev = v;
  }
  return total;
}

/** The Wasserstein-1 distance of two raw samples (NaN values are dropped). */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wassersteinSorted(dropNaNSorted(a), dropNaNSorted(b));
}
