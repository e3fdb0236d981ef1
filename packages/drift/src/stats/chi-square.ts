/** Chi-square goodness of fit and the two-proportion Z-test. */
import { chiSquaredSf, normalSf } from '@modelship/stats';

/** A test statistic with its p-value. */
export interface TestResult {
  /** The test statistic. */
  statistic: number;
  /** The p-value. */
  pValue: number;
}

/**
 * Pearson's chi-square goodness of fit of observed counts against expected counts, as scipy's
 * `stats.chisquare(observed, expected)` with k − 1 degrees of freedom.
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i]! - expected[i]!;
    stat += (d * d) / expected[i]!;
  }
  return { statistic: stat, pValue: chiSquaredSf(stat, observed.length - 1) };
}

/**
 * Chi-square test of current category counts against reference proportions: expected counts are
 * the reference proportions times the current total; categories the reference never saw get a
 * tiny expected share (`epsilon`, default 1e-4) so they count against the fit.
 */
export function chiSquareAgainstProportions(
  referenceProportions: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  epsilon = 1e-4,
): TestResult {
  let total = 0;
  for (let i = 0; i < currentCounts.length; i++) total += currentCounts[i]!;
  const expected = new Float64Array(currentCounts.length);
  let refTotal = 0;
  for (let i = 0; i < expected.length; i++) refTotal += Math.max(referenceProportions[i] ?? 0, epsilon);
  for (let i = 0; i < expected.length; i++)
    expected[i] = (Math.max(referenceProportions[i] ?? 0, epsilon) / refTotal) * total;
  return chiSquare(currentCounts, expected);
}

/**
 * Two-sided two-proportion Z-test (pooled variance): `successes1` of `n1` against `successes2` of `n2`.
 * Returns statistic 0 and p-value 1 when the pooled proportion is 0 or 1.
 */
export function zTestProportions(successes1: number, n1: number, successes2: number, n2: number): TestResult {
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const p = (successes1 + successes2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { statistic: z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
