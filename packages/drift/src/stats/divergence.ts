/**
 * Divergences between two discrete distributions given as counts or proportions over the same
 * bins: PSI, Jensen–Shannon distance and Kullback–Leibler divergence.
 */

/** Proportions of counts (a copy; all zeros when the total is zero). */
export function proportions(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float64Array(counts.length);
  if (total > 0) for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}

/**
 * Population stability index Σ (c − r)·ln(c / r) of reference and current proportions, each
 * proportion first clipped from below at `epsilon` (default 1e-6), as the numpy reference does.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, epsilon = 1e-6): number {
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]!, epsilon);
    const c = Math.max(current[i]!, epsilon);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

function relEntr(x: number, y: number): number {
  if (x === 0) return y >= 0 ? 0 : Infinity;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  return Infinity;
}

/**
 * Jensen–Shannon distance (the square root of the divergence) as scipy's
 * `spatial.distance.jensenshannon(p, q, base)`: p and q are normalised first; natural log
 * unless `base` is given (base 2 bounds the distance by 1).
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  const pn = proportions(p);
  const qn = proportions(q);
  let js = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    js += relEntr(pn[i]!, m) + relEntr(qn[i]!, m);
  }
  js /= 2;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(js, 0));
}

/**
 * Kullback–Leibler divergence KL(current ‖ reference) = Σ c·ln(c / r) of proportions, each
 * clipped from below at `epsilon` (default 1e-6) so that empty bins stay finite.
 */
export function klDivergence(reference: ArrayLike<number>, current: ArrayLike<number>, epsilon = 1e-6): number {
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]!, epsilon);
    const c = Math.max(current[i]!, epsilon);
    sum += c * Math.log(c / r);
  }
  return sum;
}
