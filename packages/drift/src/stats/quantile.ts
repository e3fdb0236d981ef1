/** Quantiles and bin lookup on sorted samples. */

/** The q-quantile (0…1) of an ascending sample with linear interpolation (numpy's default method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's _lerp: a + (b - a)·t, switched to b − (b − a)·(1 − t) for t ≥ 0.5.
  const diff = b - a;
  return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
}

/**
 * The bin of `x` among ascending interior `edges`: the number of edges ≤ x (numpy
 * `searchsorted(edges, x, side='right')`), so bin i is [edges[i−1], edges[i]).
 */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
