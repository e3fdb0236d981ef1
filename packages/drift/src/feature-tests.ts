/**
 * The per-feature drift tests, their documented default thresholds, and the default test chosen
 * by feature type and reference size as Evidently does.
 */
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
 * Default thresholds. p-value tests (ks, chisquare, ztest) drift when p < threshold; the others
 * when the statistic ≥ threshold:
 * - ks, chisquare, ztest: p < 0.05
 * - wasserstein (normed by the reference std), jensenshannon (natural log), kl: 0.1
 * - psi: 0.1 (severity bands: ≥ 0.1 medium, ≥ 0.25 high)
 * - mean-shift: |mean − ref mean| / |ref mean| ≥ 0.2 (by the reference std when the mean is 0)
 * - std-shift: |std / ref std − 1| ≥ 0.2
 * - skewness-shift: |skew − ref skew| ≥ 0.5
 * - missing-rate: missing rate − ref missing rate ≥ 0.05
 * - new-categories: (ref categories + new categories seen) / ref categories ≥ 1.3
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
  'new-categories': 1.3,
};

/** Tests whose decision is on a p-value. */
export const P_VALUE_TESTS: ReadonlySet<DriftTestName> = new Set(['ks', 'chisquare', 'ztest']);

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
      if (p.sampleExact) {
        const r = ksPValue(ksStatisticSorted(ref, s.sorted), ref.length, s.count);
        return { statistic: r.statistic, pValue: r.pValue };
      }
      // Against the quantile sketch: the p-value uses the true reference size (asymptotic).
      const d = ksToSketch(ref, s.sorted);
      return { statistic: d, pValue: ksPValue(d, p.count, s.count, 'asymptotic').pValue };
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
    case 'new-categories': {
      const k = Math.max(p.categories.length, 1);
      return { statistic: (p.categories.length + s.newCategories.length) / k };
    }
    default:
      return { statistic: Number.NaN };
  }
}

/** Runs one test of a window snapshot against a feature profile. */
export function runTest(test: DriftTestName, profile: FeatureProfile, snap: FeatureSnapshot): TestOutcome {
  if (test === 'missing-rate') {
    const refRate = profile.missing / Math.max(profile.count + profile.missing, 1);
    const curRate = snap.missing / Math.max(snap.count + snap.missing, 1);
    return { statistic: curRate - refRate };
  }
  if (profile.type === 'numeric' && snap.type === 'numeric') return numericTest(test, profile, snap);
  if (profile.type === 'categorical' && snap.type === 'categorical') return categoricalTest(test, profile, snap);
  return { statistic: Number.NaN };
}

/** The severity of a result. */
export type Severity = 'none' | 'low' | 'medium' | 'high';

/**
 * Severity of an outcome: p-value tests → low below the threshold, medium below a tenth of it,
 * high below a hundredth; PSI → medium from 0.1, high from 0.25; other distances → low from the
 * threshold, medium from 1.5×, high from 2.5×.
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
