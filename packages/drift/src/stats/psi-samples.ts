/** PSI computed from two raw samples, the way a numpy user writes it (quantile bins of the reference). */
import { binIndex, quantileSorted } from './quantile.js';
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
 * the reference (numpy linear quantiles; bin i = [e_{i−1}, e_i)), proportions clipped at 1e-6.
 */
export function psiFromSamples(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): PsiSamplesResult {
  const sorted = Float64Array.from(reference).sort();
  const edges = new Float64Array(bins - 1);
  for (let i = 1; i < bins; i++) edges[i - 1] = quantileSorted(sorted, i / bins);
  const rc = new Float64Array(bins);
  const cc = new Float64Array(bins);
  for (let i = 0; i < reference.length; i++) rc[binIndex(edges, reference[i]!)]!++;
  for (let i = 0; i < current.length; i++) cc[binIndex(edges, current[i]!)]!++;
  for (let i = 0; i < bins; i++) {
    rc[i]! /= reference.length;
    cc[i]! /= current.length;
  }
  return { psi: psi(rc, cc), edges };
}
