/** PSI computed from two raw samples, the way a numpy user writes it (quantile bins of the reference). */
import { BinLookup } from './bin-lookup.js';
import { quantileSorted } from './quantile.js';
import { sortFinite } from './sort.js';
import { psi } from './divergence.js';

/** The result of {@link psiFromSamples}. */
export interface PsiSamplesResult {
  /** The population stability index. */
  psi: number;
  /** The interior bin edges: the reference quantiles at 1/bins … (bins−1)/bins. */
  edges: Float64Array;
}

/**
 * PSI of a current sample against a reference sample over `bins` (default 10) quantile bins of
 * the reference (numpy linear quantiles; bin i = [e_{i−1}, e_i)), proportions clipped at 1e-6;
 * NaN and ±Infinity are left out.
 */
export function psiFromSamples(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): PsiSamplesResult {
  const sorted = sortFinite(reference);
  const edges = new Float64Array(bins - 1);
  for (let i = 1; i < bins; i++) edges[i - 1] = quantileSorted(sorted, i / bins);
  const lookup = new BinLookup(edges);
  const rc = new Float64Array(bins);
  const cc = new Float64Array(bins);
  const missingRef = lookup.countInto(sorted, rc);
  const missing = lookup.countInto(current instanceof Float64Array ? current : Float64Array.from(current), cc);
  const nr = sorted.length - missingRef;
  const nc = current.length - missing;
  for (let i = 0; i < bins; i++) {
    rc[i]! /= nr;
    cc[i]! /= nc;
  }
  return { psi: psi(rc, cc), edges };
}
