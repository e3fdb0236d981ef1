/**
 * The per-feature drift tests, their documented default thresholds, and the default test chosen
 * by feature type and reference size as Evidently does.
 */
import { normalSf } from '@modelship/stats';
import type { CategoricalFeatureProfile, FeatureProfile, NumericFeatureProfile } from './profile.js';
import { chiSquareAgainstProportions, zTestProportions } from './stats/chi-square.js';
import { jensenShannon, klDivergence, proportions, psi } from './stats/divergence.js';
import { ksPValue, ksStatisticSorted } from './stats/ks.js';
import { ksToSketch, wassersteinToSketch } from './stats/sketch.js';
import { wassersteinSorted } from './stats/wasserstein.js';

/** The name of a drift test. */
export type DriftTestName =
  | 'ks'
  | 'wasserstein'
  | 'psi'
  | 'jensenshannon'
  | 'chisquare'
  | 'ztest'
  | 'kl'
  | 'mean-shift'
  | 'std-shift'
  | 'skewness-shift'
  | 'missing-rate'
  | 'new-categories';

/** All test names. */
export const DRIFT_TESTS: readonly DriftTestName[] = [
  'ks',
  'wasserstein',
  'psi',
  'jensenshannon',
  'chisquare',
  'ztest',
  'kl',
  'mean-shift',
  'std-shift',
  'skewness-shift',
  'missing-rate',
  'new-categories',
];

/**
 * Default thresholds. p-value tests (ks, chisquare, ztest) drift when p < threshold; the effect
 * tests with a significance level (missing-rate, new-categories) when the statistic ≥ threshold
 * and their p-value < the level ({@link DEFAULT_CHECK_ALPHA}); the others when the statistic ≥ threshold:
 * - ks, chisquare, ztest: p < 0.05
 * - wasserstein (normed by the reference std), jensenshannon (natural log), kl: 0.1
 * - psi: 0.1 (severity bands: ≥ 0.1 medium, ≥ 0.25 high)
 * - mean-shift: |mean − ref mean| / |ref mean| ≥ 0.2 (by the reference std when the mean is 0)
 * - std-shift: |std / ref std − 1| ≥ 0.2
 * - skewness-shift: |skew − ref skew| ≥ 0.5
 * - missing-rate: missing rate − ref missing rate ≥ 0.05, one-sided two-proportion z-test p < 0.05
 * - new-categories: share of the window's values in categories the reference never saw ≥ 0.01,
 *   p = (n / (n + N))^U < 0.05 (U unseen values among n, N reference values)
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTestName, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  ztest: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  kl: 0.1,
  psi: 0.1,
  'mean-shift': 0.2,
  'std-shift': 0.2,
  'skewness-shift': 0.5,
  'missing-rate': 0.05,
  'new-categories': 0.01,
};

/** The default significance level of the effect tests missing-rate and new-categories (0.05). */
export const DEFAULT_CHECK_ALPHA = 0.05;

/** Tests whose decision is on a p-value. */
export const P_VALUE_TESTS: ReadonlySet<DriftTestName> = new Set(['ks', 'chisquare', 'ztest']);

/** Tests that drift when their statistic reaches the threshold (a minimum effect) and their p-value is below a level. */
export const EFFECT_TESTS: ReadonlySet<DriftTestName> = new Set(['missing-rate', 'new-categories']);

/** What a window holds for a numeric feature. */
export interface NumericSnapshot {
  type: 'numeric';
  /** Non-missing values. */
  count: number;
  /** Missing values (null, NaN, ±Infinity, unparsable). */
  missing: number;
  /** Counts per profile bin. */
  binCounts: Float64Array;
  /** Mean of the window. */
  mean: number;
  /** Population standard deviation of the window. */
  std: number;
  /** Skewness (Fisher, biased) of the window. */
  skewness: number;
  /** The window's values (or a uniform sample of them), ascending. */
  sorted: Float64Array;
}

/** What a window holds for a categorical feature. */
export interface CategoricalSnapshot {
  type: 'categorical';
  /** Non-missing values. */
  count: number;
  /** Missing values (null, undefined, '', NaN). */
  missing: number;
  /** Counts aligned with the profile's categories. */
  counts: Float64Array;
  /** Categories the profile never saw, with their counts. */
  newCategories: [string, number][];
}

/** A window's summary of one feature. */
export type FeatureSnapshot = NumericSnapshot | CategoricalSnapshot;

/** The outcome of one test. */
export interface TestOutcome {
  /** The test statistic. */
  statistic: number;
  /** The p-value (p-value tests only). */
  pValue?: number;
}

/**
 * The default test of a feature (Evidently's rule): reference of at most 1,000 values → KS for
 * numbers, chi-square for categories with more than two values, Z-test for binary ones; above →
 * normed Wasserstein for numbers and Jensen–Shannon for categories.
 */
export function defaultTest(profile: FeatureProfile): DriftTestName {
  if (profile.count <= 1000) {
    if (profile.type === 'numeric') return 'ks';
    return profile.categories.length > 2 ? 'chisquare' : 'ztest';
  }
  return profile.type === 'numeric' ? 'wasserstein' : 'jensenshannon';
}

/** Whether a test applies to a feature type. */
export function testApplies(test: DriftTestName, type: 'numeric' | 'categorical'): boolean {
  if (type === 'numeric') return test !== 'chisquare' && test !== 'ztest' && test !== 'new-categories';
  return (
    test !== 'ks' &&
    test !== 'wasserstein' &&
    test !== 'mean-shift' &&
    test !== 'std-shift' &&
    test !== 'skewness-shift'
  );
}

function categoricalDistributions(p: CategoricalFeatureProfile, s: CategoricalSnapshot): [Float64Array, Float64Array] {
  const k = p.categories.length;
  const ref = new Float64Array(k + s.newCategories.length);
  const cur = new Float64Array(k + s.newCategories.length);
  ref.set(p.proportions);
  cur.set(s.counts);
  for (const [i, [, c]] of s.newCategories.entries()) cur[k + i] = c;
  return [ref, proportions(cur)];
}

function numericTest(test: DriftTestName, p: NumericFeatureProfile, s: NumericSnapshot): TestOutcome {
  switch (test) {
    case 'ks': {
      const ref = Float64Array.from(p.sample);
      const n = s.sorted.length;
      if (n === 0) return { statistic: Number.NaN, pValue: Number.NaN };
      if (p.sampleExact) {
        const r = ksPValue(ksStatisticSorted(ref, s.sorted), ref.length, n);
        return { statistic: r.statistic, pValue: r.pValue };
      }
      // Against the quantile sketch (within 1/(K−1) + 1/N of scipy's D, see ksToSketch): the p-value
      // scipy's ks_2samp(method='auto') gives that D at the true reference size — exact when both
      // sizes are at most 10,000, else asymptotic.
      const d = ksToSketch(ref, s.sorted);
      return { statistic: d, pValue: ksPValue(d, p.count, n).pValue };
    }
    case 'wasserstein': {
      const ref = Float64Array.from(p.sample);
      const w = p.sampleExact ? wassersteinSorted(ref, s.sorted) : wassersteinToSketch(ref, s.sorted);
      return { statistic: p.std > 0 ? w / p.std : w };
    }
    case 'psi':
      return { statistic: psi(p.binProportions, proportions(s.binCounts)) };
    case 'jensenshannon':
      return { statistic: jensenShannon(p.binProportions, s.binCounts) };
    case 'kl':
      return { statistic: klDivergence(p.binProportions, proportions(s.binCounts)) };
    case 'mean-shift': {
      const scale = Math.abs(p.mean) > 0 ? Math.abs(p.mean) : p.std;
      return { statistic: scale > 0 ? Math.abs(s.mean - p.mean) / scale : Math.abs(s.mean - p.mean) };
    }
    case 'std-shift':
      return { statistic: p.std > 0 ? Math.abs(s.std / p.std - 1) : s.std };
    case 'skewness-shift':
      return { statistic: Math.abs(s.skewness - p.skewness) };
    default:
      return { statistic: Number.NaN };
  }
}

function categoricalTest(test: DriftTestName, p: CategoricalFeatureProfile, s: CategoricalSnapshot): TestOutcome {
  switch (test) {
    case 'chisquare': {
      const [ref, cur] = categoricalDistributions(p, s);
      const counts = cur.map((x) => x * s.count);
      return chiSquareAgainstProportions(ref, counts);
    }
    case 'ztest': {
      const first = p.proportions[0] ?? 0;
      return zTestProportions(Math.round(first * p.count), p.count, s.counts[0] ?? 0, s.count);
    }
    case 'jensenshannon': {
      const [ref, cur] = categoricalDistributions(p, s);
      return { statistic: jensenShannon(ref, cur) };
    }
    case 'psi': {
      const [ref, cur] = categoricalDistributions(p, s);
      return { statistic: psi(ref, cur) };
    }
    case 'kl': {
      const [ref, cur] = categoricalDistributions(p, s);
      return { statistic: klDivergence(ref, cur) };
    }
    case 'new-categories':
      return newCategoriesTest(p.count, s);
    default:
      return { statistic: Number.NaN };
  }
}

/**
 * The missing-rate test: statistic = the window's missing rate − the reference's; p-value = the
 * one-sided pooled two-proportion z-test of an increase, P(Z ≥ Δ / √(p̄(1 − p̄)(1/n + 1/N))) with
 * p̄ the pooled missing rate (1 when p̄ is 0 or 1: no evidence either way).
 */
export function missingRateTest(refMissing: number, refTotal: number, missing: number, total: number): TestOutcome {
  const refRate = refTotal > 0 ? refMissing / refTotal : 0;
  const rate = total > 0 ? missing / total : 0;
  const statistic = rate - refRate;
  const pooled = (refMissing + missing) / Math.max(refTotal + total, 1);
  const se = refTotal > 0 && total > 0 ? Math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / refTotal)) : 0;
  return { statistic, pValue: se > 0 ? normalSf(statistic / se) : 1 };
}

/**
 * The new-categories test: statistic = the share of the window's non-missing values in categories
 * the reference never saw; p-value = (n / (n + N))^U, the chance that U values of categories
 * common to both would all fall in the window of n values and none among the N reference values.
 */
export function newCategoriesTest(refCount: number, s: CategoricalSnapshot): TestOutcome {
  let unseen = 0;
  for (const [, c] of s.newCategories) unseen += c;
  if (s.count === 0 || unseen === 0) return { statistic: 0, pValue: 1 };
  return { statistic: unseen / s.count, pValue: (s.count / (s.count + refCount)) ** unseen };
}

/** Runs one test of a window snapshot against a feature profile. */
export function runTest(test: DriftTestName, profile: FeatureProfile, snap: FeatureSnapshot): TestOutcome {
  if (test === 'missing-rate') {
    return missingRateTest(profile.missing, profile.count + profile.missing, snap.missing, snap.count + snap.missing);
  }
  if (profile.type === 'numeric' && snap.type === 'numeric') return numericTest(test, profile, snap);
  if (profile.type === 'categorical' && snap.type === 'categorical') return categoricalTest(test, profile, snap);
  return { statistic: Number.NaN };
}

/** The severity of a result. */
export type Severity = 'none' | 'low' | 'medium' | 'high';

/**
 * Severity of an outcome: p-value tests → low below the threshold, medium below a tenth of it,
 * high below a hundredth; PSI → medium from 0.1, high from 0.25; other statistics (effect tests
 * included, once significant) → low from the threshold, medium from 1.5×, high from 2.5×.
 */
export function severityOf(test: DriftTestName, value: number, threshold: number): Severity {
  if (!Number.isFinite(value) && !(value === Infinity)) return 'none';
  if (P_VALUE_TESTS.has(test)) {
    if (!(value < threshold)) return 'none';
    return value < threshold / 100 ? 'high' : value < threshold / 10 ? 'medium' : 'low';
  }
  if (!(value >= threshold)) return 'none';
  if (test === 'psi') return value >= Math.max(0.25, threshold) ? 'high' : 'medium';
  return value >= 2.5 * threshold ? 'high' : value >= 1.5 * threshold ? 'medium' : 'low';
}
