/**
 * Statistics that stay valid when looked at after every batch.
 *
 * **Confidence sequence for a difference of means** (the Gaussian-mixture boundary of Robbins
 * (1970), Howard et al. (2021) and Waudby-Smith et al. (2023), as used by GrowthBook and Eppo):
 * with `N` the total sample count behind an estimate `δ̂` whose variance is `V`, the two-sided
 * `(1 − α)` interval is `δ̂ ± sqrt(V) · zSeq(N)`, where
 *
 * ```
 * zSeq(N) = sqrt( 2 (N ρ² + 1) / (N ρ²) · ln( sqrt(N ρ² + 1) / α ) )
 * ρ²      = ( −2 ln α + ln(1 − 2 ln α) ) / N*
 * ```
 *
 * `ρ` is the mixing variance, chosen so the boundary is tightest when `N = N*` (the "tuning"
 * sample size; GrowthBook's default and ours is 5,000). The interval covers the true difference at
 * every `N` simultaneously with probability ≥ 1 − α (asymptotically, by the CLT), so it may be
 * checked after every batch. With α = 0.05 and N* = 5,000, `zSeq` is 5.10 at N = 200, 3.36 at
 * 1,000, 3.04 at 5,000 (1.55× the fixed-horizon 1.96) and 3.13 at 20,000.
 *
 * Tuning: N* = 5,000 (GrowthBook's default) is about the number of rated requests an experiment
 * here reaches (20 % of 20,000 requests go to the candidate), so the boundary is tightest where
 * small effects are decided; large effects cross early anyway. α = 0.05 two-sided. In the
 * decisions bench (A/A, 200 looks, 1,000 experiments, three seeds) the interval excluded zero at
 * some look in 2.1–2.5 % of experiments, against 42–48 % for the fixed-horizon interval looked at
 * the same way.
 *
 * **Mixture SPRT for a proportion** (beta-binomial): with `x` successes in `n` trials and a null
 * rate `p0`, the likelihood ratio of a Beta(a, b) mixture against `p0` is
 * `B(a + x, b + n − x) / B(a, b) / (p0^x (1 − p0)^(n − x))`; it is a non-negative martingale
 * under the null, so by Ville's inequality rejecting when it reaches `1/α` has type-I error ≤ α
 * under continuous monitoring.
 *
 * **Sequential sample-ratio-mismatch test** (Lindon & Malek 2022): a Dirichlet(k·p) mixture over
 * the multinomial of arm counts against the configured proportions `p`; the Bayes factor
 * `Γ(k) / Γ(k + n) · Π Γ(k p_i + x_i) / Γ(k p_i) / Π p_i^x_i` is an e-process; SRM is flagged when it
 * reaches `1/α`.
 */
import { chiSquaredSf, logBeta, logGamma, normalQuantile } from '@modelship/stats';
import { EvaluationError } from '../errors.js';

function policyError(operation: string, field: string, expected: string, got: unknown): never {
  throw new EvaluationError('INVALID_POLICY', `${operation}: ${field}: expected ${expected}, got ${String(got)}`, {
    operation,
    details: { field },
  });
}

function aggregatesError(operation: string, field: string, expected: string, got: unknown): never {
  throw new EvaluationError('INVALID_AGGREGATES', `${operation}: ${field}: expected ${expected}, got ${String(got)}`, {
    operation,
    details: { field },
  });
}

function checkAlpha(alpha: number, operation: string): void {
  if (!(alpha > 0 && alpha < 1)) policyError(operation, 'alpha', 'a number in (0, 1)', alpha);
}

/** The mixing variance ρ² of the Gaussian-mixture confidence sequence tuned to `nStar`. */
export function mixtureRho2(alpha: number, nStar: number): number {
  checkAlpha(alpha, 'mixtureRho2');
  if (!(nStar > 0 && nStar < Infinity)) policyError('mixtureRho2', 'nStar', 'a positive number', nStar);
  const l = -2 * Math.log(alpha);
  return (l + Math.log(1 + l)) / nStar;
}

/**
 * The multiplier `zSeq(N)` of the always-valid interval `δ̂ ± sqrt(V)·zSeq(N)` (see the module
 * doc); `Infinity` when `n ≤ 0`.
 */
export function sequentialZ(n: number, alpha: number, nStar: number): number {
  checkAlpha(alpha, 'sequentialZ');
  if (!(n > 0)) return Infinity;
  const r = n * mixtureRho2(alpha, nStar);
  return Math.sqrt(((2 * (r + 1)) / r) * Math.log(Math.sqrt(r + 1) / alpha));
}

/** The two-sided fixed-horizon multiplier `z_(1−α/2)`. */
export function fixedZ(alpha: number): number {
  checkAlpha(alpha, 'fixedZ');
  return normalQuantile(1 - alpha / 2);
}

/** Log likelihood ratio of a Beta(a, b) mixture against the null rate `p0` after `x` of `n`. */
export function betaBinomialLogLR(x: number, n: number, p0: number, a = 1, b = 1): number {
  if (n <= 0) return 0;
  const logNull = (x > 0 ? x * Math.log(p0) : 0) + (n - x > 0 ? (n - x) * Math.log(1 - p0) : 0);
  return logBeta(a + x, b + n - x) - logBeta(a, b) - logNull;
}

/** Result of a sample-ratio-mismatch check. */
export interface SrmResult {
  /** True when the served split differs from the configured one (either test below). */
  mismatch: boolean;
  /** Whether the check could run (every arm expected ≥ `minExpected` units for χ²). */
  checked: boolean;
  /** Observed units per arm. */
  observed: Record<string, number>;
  /** Expected units per arm under the configured weights. */
  expected: Record<string, number>;
  /** χ² goodness-of-fit statistic. */
  chiSquared: number;
  /** χ² p-value (fixed-horizon; valid at a single look). */
  pValue: number;
  /** Log Bayes factor of the sequential Dirichlet-multinomial test (valid at every look). */
  logBayesFactor: number;
  /** Which tests flagged a mismatch. */
  flaggedBy: Array<'chi-squared' | 'sequential'>;
}

/** Options of {@link sampleRatioMismatch}. */
export interface SrmOptions {
  /** Significance of both tests; default 0.001. */
  alpha?: number;
  /** Minimum expected units per arm before the χ² test runs; default 8. */
  minExpected?: number;
  /** Dirichlet concentration k of the sequential test; default 1,000. */
  concentration?: number;
  /**
   * Which tests can flag SRM; default `'sequential'`, the Dirichlet-multinomial e-process: its
   * chance of ever flagging a correct split is at most `alpha` however often it is looked at (no SRM
   * rollback in the decisions bench's five A/A scenarios, 1,000 experiments of 200 looks each), and
   * it flags a 78/22 split configured as 80/20 by 20,000 requests in 99.9 % of experiments (median
   * 6,800 requests). The χ² test
   * (`'chi-squared'`, or `'both'`: either flags) is the classic one but valid at a single planned look
   * only: re-run at every look its false-alarm rate grows with the number of looks (1.2–1.8 % with
   * 200 looks at α = 0.001), so use it only with a fixed-horizon evaluation looked at once.
   */
  tests?: 'chi-squared' | 'sequential' | 'both';
}

/** Checks the served split against the configured weights (any scale; zero-weight arms ignored). */
export function sampleRatioMismatch(
  observed: Record<string, number>,
  weights: Record<string, number>,
  options: SrmOptions = {},
): SrmResult {
  const op = 'sampleRatioMismatch';
  if (typeof observed !== 'object' || observed === null)
    aggregatesError(op, 'observed', 'an object of counts by variant', observed);
  if (typeof weights !== 'object' || weights === null)
    policyError(op, 'weights', 'an object of weights by variant', weights);
  for (const [a, w] of Object.entries(weights))
    if (!(w >= 0 && w < Infinity)) policyError(op, `weights.${a}`, 'a finite weight ≥ 0', w);
  for (const [a, x] of Object.entries(observed))
    if (!(x >= 0 && x < Infinity)) aggregatesError(op, `observed.${a}`, 'a non-negative count', x);
  const alpha = options.alpha ?? 0.001;
  const minExpected = options.minExpected ?? 8;
  const k = options.concentration ?? 1000;
  const tests = options.tests ?? 'sequential';
  const arms = Object.keys(weights)
    .filter((a) => weights[a]! > 0)
    .sort();
  const wSum = arms.reduce((s, a) => s + weights[a]!, 0);
  const n = arms.reduce((s, a) => s + (observed[a] ?? 0), 0);
  const expected: Record<string, number> = {};
  const obs: Record<string, number> = {};
  let chi = 0;
  let logBf = logGamma(k) - logGamma(k + n);
  let checked = arms.length >= 2 && n > 0;
  for (const a of arms) {
    const p = weights[a]! / wSum;
    const x = observed[a] ?? 0;
    const e = n * p;
    obs[a] = x;
    expected[a] = e;
    if (e < minExpected) checked = false;
    if (e > 0) chi += ((x - e) * (x - e)) / e;
    logBf += logGamma(k * p + x) - logGamma(k * p) - (x > 0 ? x * Math.log(p) : 0);
  }
  if (!(n > 0) || arms.length < 2) logBf = 0;
  const pValue = arms.length >= 2 && n > 0 ? chiSquaredSf(chi, arms.length - 1) : 1;
  const flaggedBy: SrmResult['flaggedBy'] = [];
  if (checked && tests !== 'sequential' && pValue < alpha) flaggedBy.push('chi-squared');
  if (checked && tests !== 'chi-squared' && logBf >= Math.log(1 / alpha)) flaggedBy.push('sequential');
  return {
    mismatch: flaggedBy.length > 0,
    checked,
    observed: obs,
    expected,
    chiSquared: chi,
    pValue,
    logBayesFactor: logBf,
    flaggedBy,
  };
}
