/** The drift report: per-feature results, the dataset verdict, and how they are computed. */
import {
  DEFAULT_CHECK_ALPHA,
  DEFAULT_THRESHOLDS,
  defaultTest,
  EFFECT_TESTS,
  P_VALUE_TESTS,
  runTest,
  severityOf,
  testApplies,
  type CategoricalSnapshot,
  type DriftTestName,
  type FeatureSnapshot,
  type NumericSnapshot,
  type Severity,
} from './feature-tests.js';
import type { CategoricalFeatureProfile, FeatureProfile, NumericFeatureProfile, ReferenceProfile } from './profile.js';

/** A test and its threshold for one feature. */
export interface TestChoice {
  /** The test. */
  test: DriftTestName;
  /** Its threshold (default: {@link DEFAULT_THRESHOLDS}). */
  threshold?: number;
}

/** Options deciding what a report tests. */
export interface EvaluationOptions {
  /** Per-feature test overrides (default: chosen by type and reference size, see `defaultTest`). */
  tests?: Record<string, DriftTestName | TestChoice>;
  /** The test of the prediction distribution (default: chosen like a feature's). */
  predictionTest?: DriftTestName | TestChoice;
  /** Extra checks run on every feature where they apply, after the default missing-rate and new-categories checks; reported in `checks`, not counted in the share; one naming a default check replaces its threshold (default none). */
  checks?: (DriftTestName | TestChoice)[];
  /** The missing-rate check on every feature: an increase of at least `minIncrease` (default 0.05) over the reference's missing rate, significant at `alpha` (default 0.05) by a one-sided two-proportion z-test; `false` turns it off (default on). */
  missingRate?: false | { minIncrease?: number; alpha?: number };
  /** The unseen-categories check on every categorical feature: categories the reference never saw holding at least `minShare` (default 0.01) of the window's values, significant at `alpha` (default 0.05); `false` turns it off (default on). */
  newCategories?: false | { minShare?: number; alpha?: number };
  /** Share of drifted features from which the dataset drifts (default 0.5). */
  shareThreshold?: number;
  /** Multiple-testing correction of p-value tests across features (default 'none'). */
  correction?: 'none' | 'bonferroni' | 'benjamini-hochberg';
  /** Fewest non-missing values a feature needs in the window to be tested (default 100). */
  minSamples?: number;
}

/** One test's result on one feature. */
export interface TestResultEntry {
  /** The test that ran. */
  test: DriftTestName;
  /** Its statistic (null when it could not be computed). */
  statistic: number | null;
  /** The p-value (p-value tests only). */
  pValue?: number | null;
  /** The p-value after the multiple-testing correction, when one is applied. */
  pValueAdjusted?: number | null;
  /** The threshold: a p-value level for p-value tests, a statistic level (the minimum effect) otherwise. */
  threshold: number;
  /** The level the p-value must be below as well (missing-rate and new-categories only). */
  alpha?: number;
  /** Whether the test says the feature drifted. */
  drifted: boolean;
  /** How far past the threshold (see `severityOf`). */
  severity: Severity;
}

/** The result of one feature. */
export interface FeatureDriftResult extends TestResultEntry {
  /** The feature name ('prediction' for the prediction distribution). */
  feature: string;
  /** The feature type from the profile. */
  type: 'numeric' | 'categorical';
  /** 'ok', or 'insufficient-data' when the window has fewer than `minSamples` values of it. */
  status: 'ok' | 'insufficient-data';
  /** Non-missing values in the window. */
  count: number;
  /** Missing values in the window. */
  missing: number;
  /** missing / (count + missing). */
  missingRate: number;
  /** The reference's missing rate. */
  referenceMissingRate: number;
  /** Categories the reference never saw, with their counts in the window (categorical only). */
  newCategories?: [string, number][];
  /** Results of the checks: the default missing-rate and new-categories checks, then the extra ones. */
  checks?: TestResultEntry[];
  /**
   * The reference against the window, bin by bin, as shares of the non-missing values (each of
   * `reference` and `live` sums to 1); present only when `status` is `'ok'`. Numeric features: the
   * profile's quantile bins, labelled from its edges — `(−∞, e₁)`, `[e₁, e₂)` … `[eₖ, ∞)`, the outer
   * two catching the values beyond the inner edges — with `reference` the profile's bin proportions
   * and `live` the window's values in the same bins. Categorical features: the profile's 20
   * categories of largest reference share, in that order, then `(other)` for the rest of the
   * profile's categories (only when it has more than 20) and `(new)` for the categories the
   * reference never saw (reference share 0). So the report stays small: one entry per profile bin
   * (at most 100 from `buildProfile`), or at most 22 for a categorical feature.
   */
  histogram?: {
    /** The bin or category of each entry. */
    labels: string[];
    /** The reference's share in each bin or category. */
    reference: number[];
    /** The window's share in each bin or category. */
    live: number[];
  };
}

/** Facts about the window a report covers. */
export interface WindowInfo {
  /** Count or time window of a monitor, or a batch of `detectDrift`. */
  kind: 'count' | 'time' | 'batch';
  /** Count windows: tumbling or sliding. */
  mode?: 'tumbling' | 'sliding';
  /** Count windows: rows per window. */
  size?: number;
  /** Time windows: length in milliseconds. */
  ms?: number;
  /** Rows in the window. */
  rows: number;
  /** Windows closed before this one. */
  index: number;
  /** Window start as an ISO time (time windows and monitors). */
  start?: string;
  /** Window end as an ISO time (time windows and monitors). */
  end?: string;
}

/** Concept drift on the error stream. */
export interface ConceptDriftInfo {
  /** Errors observed so far. */
  errors: number;
  /** Page–Hinkley: whether the last error signalled a change, and changes so far. */
  pageHinkley: {
    /** Whether the last error signalled a change. */
    drifted: boolean;
    /** Changes signalled so far. */
    detections: number;
  };
  /** ADWIN: the same, plus its current window length and mean error. */
  adwin: {
    /** Whether the last error signalled a change. */
    drifted: boolean;
    /** Changes signalled so far. */
    detections: number;
    /** Current window length. */
    width: number;
    /** Mean error over the window. */
    mean: number;
  };
}

/** The verdict of a report. */
export type DriftVerdict = 'drift' | 'no-drift' | 'insufficient-data';

/** A drift report (plain JSON). */
export interface DriftReport {
  /** Identifies a drift report. */
  kind: 'modelship.drift.report';
  /** Format version. */
  version: 1;
  /** When the report was made (ISO time, by the injected clock). */
  createdAt: string;
  /** The window the report covers. */
  window: WindowInfo;
  /** One result per profiled feature, in profile order. */
  features: FeatureDriftResult[];
  /** The prediction distribution's result, when the profile and the window have predictions. */
  prediction?: FeatureDriftResult;
  /** Concept drift on the error stream (monitors only). */
  concept?: ConceptDriftInfo;
  /** Features seen in the input but absent from the profile (ignored; at most 100, from the first 1,000 rows of a batch of rows). */
  ignoredFeatures: string[];
  /** The summary: dataset drift (the share of drifted features), feature alarms (any feature at high severity), and the verdict from both. */
  summary: {
    /** Features in the profile. */
    features: number;
    /** Features with enough data to test. */
    evaluated: number;
    /** Evaluated features that drifted. */
    drifted: number;
    /** drifted / evaluated (0 when none was evaluated). */
    shareDrifted: number;
    /** The share from which the dataset drifts. */
    shareThreshold: number;
    /** Whether the dataset drifted: at least `shareThreshold` of the evaluated features drifted. */
    datasetDrift: boolean;
    /** Features with a result at high severity — their drift test or one of their checks (missing rate, new categories, extra checks) — in profile order. */
    featureAlarms: string[];
    /** Whether the prediction distribution drifted (not counted in the share). */
    predictionDrift: boolean;
    /** The multiple-testing correction applied. */
    correction: 'none' | 'bonferroni' | 'benjamini-hochberg';
    /** 'insufficient-data' when the window is below `minSamples` rows; else 'drift' when the dataset drifted or any feature raised an alarm; else 'insufficient-data' when no feature could be tested; else 'no-drift'. */
    verdict: DriftVerdict;
  };
}

/** Categories shown by name in a categorical feature's histogram (the rest are summed in `(other)`). */
export const HISTOGRAM_CATEGORIES = 20;
/** The histogram label of the profile's categories beyond the first {@link HISTOGRAM_CATEGORIES}. */
export const HISTOGRAM_OTHER = '(other)';
/** The histogram label of the categories the reference never saw. */
export const HISTOGRAM_NEW = '(new)';

/** A bin edge as a short label: six significant digits, no trailing zeros. */
const edgeLabel = (x: number): string => String(Number(x.toPrecision(6)));

function numericHistogram(p: NumericFeatureProfile, s: NumericSnapshot): FeatureDriftResult['histogram'] {
  const e = p.edges;
  const labels: string[] = [];
  for (let i = 0; i <= e.length; i++) {
    const lo = i === 0 ? '(−∞' : `[${edgeLabel(e[i - 1]!)}`;
    const hi = i === e.length ? '∞)' : `${edgeLabel(e[i]!)})`;
    labels.push(`${lo}, ${hi}`);
  }
  const n = s.count;
  return {
    labels,
    reference: labels.map((_, i) => p.binProportions[i] ?? 0),
    live: labels.map((_, i) => (n > 0 ? (s.binCounts[i] ?? 0) / n : 0)),
  };
}

function categoricalHistogram(p: CategoricalFeatureProfile, s: CategoricalSnapshot): FeatureDriftResult['histogram'] {
  const order = p.categories.map((_, i) => i);
  // Stable: categories of equal share keep the profile's order.
  order.sort((a, b) => (p.proportions[b] ?? 0) - (p.proportions[a] ?? 0));
  const top = order.slice(0, HISTOGRAM_CATEGORIES);
  const rest = order.slice(HISTOGRAM_CATEGORIES);
  const n = s.count;
  const share = (c: number): number => (n > 0 ? c / n : 0);
  const labels = top.map((i) => p.categories[i]!);
  const reference = top.map((i) => p.proportions[i] ?? 0);
  const live = top.map((i) => share(s.counts[i] ?? 0));
  if (rest.length > 0) {
    labels.push(HISTOGRAM_OTHER);
    reference.push(rest.reduce((a, i) => a + (p.proportions[i] ?? 0), 0));
    live.push(share(rest.reduce((a, i) => a + (s.counts[i] ?? 0), 0)));
  }
  labels.push(HISTOGRAM_NEW);
  reference.push(0);
  live.push(share(s.newCategories.reduce((a, [, c]) => a + c, 0)));
  return { labels, reference, live };
}

/** The reference against the window, bin by bin (see `FeatureDriftResult.histogram`). */
export function histogramOf(profile: FeatureProfile, snap: FeatureSnapshot): FeatureDriftResult['histogram'] {
  if (profile.type === 'numeric' && snap.type === 'numeric') return numericHistogram(profile, snap);
  if (profile.type === 'categorical' && snap.type === 'categorical') return categoricalHistogram(profile, snap);
  return undefined;
}

const finiteOrNull = (x: number | undefined): number | null =>
  x === undefined || !Number.isFinite(x) ? (x === Infinity ? Number.MAX_VALUE : null) : x;

/** A resolved test: its threshold, and the level of an effect test. */
interface ResolvedChoice {
  test: DriftTestName;
  threshold: number;
  alpha: number;
}

function choice(c: DriftTestName | TestChoice, options: EvaluationOptions): ResolvedChoice {
  const t = typeof c === 'string' ? { test: c } : c;
  const level =
    t.test === 'missing-rate' ? options.missingRate : t.test === 'new-categories' ? options.newCategories : undefined;
  const alpha = (level ? level.alpha : undefined) ?? DEFAULT_CHECK_ALPHA;
  return { test: t.test, threshold: t.threshold ?? DEFAULT_THRESHOLDS[t.test], alpha };
}

/** The checks of a feature: the default missing-rate and new-categories checks, then the extra ones. */
function checksFor(options: EvaluationOptions, type: 'numeric' | 'categorical'): ResolvedChoice[] {
  const out: ResolvedChoice[] = [];
  if (options.missingRate !== false) {
    const threshold = options.missingRate?.minIncrease ?? DEFAULT_THRESHOLDS['missing-rate'];
    out.push(choice({ test: 'missing-rate', threshold }, options));
  }
  if (options.newCategories !== false && type === 'categorical') {
    const threshold = options.newCategories?.minShare ?? DEFAULT_THRESHOLDS['new-categories'];
    out.push(choice({ test: 'new-categories', threshold }, options));
  }
  for (const c of options.checks ?? []) {
    const r = choice(c, options);
    if (!testApplies(r.test, type)) continue;
    const at = out.findIndex((x) => x.test === r.test);
    if (at >= 0) out[at] = r;
    else out.push(r);
  }
  return out;
}

function runEntry(c: ResolvedChoice, profile: FeatureProfile, snap: FeatureSnapshot): TestResultEntry {
  const out = runTest(c.test, profile, snap);
  const isP = P_VALUE_TESTS.has(c.test);
  const isEffect = EFFECT_TESTS.has(c.test);
  const value = isP ? (out.pValue ?? Number.NaN) : out.statistic;
  const significant = !isEffect || (out.pValue ?? Number.NaN) < c.alpha;
  const drifted = isP ? value < c.threshold : value >= c.threshold && significant;
  const entry: TestResultEntry = {
    test: c.test,
    statistic: finiteOrNull(out.statistic),
    threshold: c.threshold,
    drifted,
    severity: significant ? severityOf(c.test, value, c.threshold) : 'none',
  };
  if (isP || isEffect) entry.pValue = finiteOrNull(out.pValue);
  if (isEffect) entry.alpha = c.alpha;
  return entry;
}

/** Evaluates one feature's snapshot against its profile. */
export function evaluateFeature(
  feature: string,
  profile: FeatureProfile,
  snap: FeatureSnapshot,
  options: EvaluationOptions,
  override?: DriftTestName | TestChoice,
): FeatureDriftResult {
  let c = choice(override ?? defaultTest(profile), options);
  if (!testApplies(c.test, profile.type)) c = choice(defaultTest(profile), options);
  const minSamples = options.minSamples ?? 100;
  const total = snap.count + snap.missing;
  const base = {
    feature,
    type: profile.type,
    count: snap.count,
    missing: snap.missing,
    missingRate: total ? snap.missing / total : 0,
    referenceMissingRate: profile.missing / Math.max(profile.count + profile.missing, 1),
    ...(snap.type === 'categorical' ? { newCategories: snap.newCategories.slice(0, 20) } : {}),
  };
  let checks = checksFor(options, profile.type);
  let res: FeatureDriftResult;
  if (snap.count < minSamples || profile.count === 0) {
    res = {
      ...base,
      test: c.test,
      statistic: null,
      threshold: c.threshold,
      drifted: false,
      severity: 'none',
      status: 'insufficient-data',
    };
    // The missing rate is still measured on an all-missing window.
    checks = total >= minSamples ? checks.filter((x) => x.test === 'missing-rate') : [];
  } else res = { ...base, ...runEntry(c, profile, snap), status: 'ok' };
  if (checks.length) res.checks = checks.map((x) => runEntry(x, profile, snap));
  if (res.status === 'ok') {
    const histogram = histogramOf(profile, snap);
    if (histogram) res.histogram = histogram;
  }
  return res;
}

/** Applies a multiple-testing correction to the p-value results in place. */
export function applyCorrection(
  results: FeatureDriftResult[],
  method: 'none' | 'bonferroni' | 'benjamini-hochberg',
): void {
  if (method === 'none') return;
  const tested = results.filter(
    (r) => r.status === 'ok' && P_VALUE_TESTS.has(r.test) && typeof r.pValue === 'number' && !Number.isNaN(r.pValue),
  );
  const m = tested.length;
  if (m === 0) return;
  if (method === 'bonferroni') {
    for (const r of tested) r.pValueAdjusted = Math.min(1, r.pValue! * m);
  } else {
    const order = [...tested].sort((a, b) => a.pValue! - b.pValue!);
    let prev = 1;
    for (let i = m - 1; i >= 0; i--) {
      prev = Math.min(prev, (order[i]!.pValue! * m) / (i + 1));
      order[i]!.pValueAdjusted = Math.min(1, prev);
    }
  }
  for (const r of tested) {
    r.drifted = r.pValueAdjusted! < r.threshold;
    r.severity = severityOf(r.test, r.pValueAdjusted!, r.threshold);
  }
}

/** Whether a feature raises an alarm: its drift test or one of its checks drifted at high severity. */
export function isFeatureAlarm(f: FeatureDriftResult): boolean {
  if (f.status === 'ok' && f.drifted && f.severity === 'high') return true;
  return f.checks?.some((c) => c.drifted && c.severity === 'high') ?? false;
}

/** Assembles a report from per-feature snapshots. */
export function buildReport(
  profile: ReferenceProfile,
  snapshots: Map<string, FeatureSnapshot>,
  window: WindowInfo,
  options: EvaluationOptions,
  extra: { createdAt: string; prediction?: FeatureSnapshot; concept?: ConceptDriftInfo; ignoredFeatures?: string[] },
): DriftReport {
  const features: FeatureDriftResult[] = [];
  for (const [name, fp] of Object.entries(profile.features)) {
    const snap = snapshots.get(name);
    if (snap) features.push(evaluateFeature(name, fp, snap, options, options.tests?.[name]));
  }
  const correction = options.correction ?? 'none';
  applyCorrection(features, correction);
  const evaluated = features.filter((f) => f.status === 'ok');
  const drifted = evaluated.filter((f) => f.drifted).length;
  const share = evaluated.length ? drifted / evaluated.length : 0;
  const shareThreshold = options.shareThreshold ?? 0.5;
  const minSamples = options.minSamples ?? 100;
  const datasetDrift = evaluated.length > 0 && share >= shareThreshold;
  const prediction =
    profile.prediction && extra.prediction
      ? evaluateFeature('prediction', profile.prediction, extra.prediction, options, options.predictionTest)
      : undefined;
  const featureAlarms = features.filter(isFeatureAlarm).map((f) => f.feature);
  const verdict: DriftVerdict =
    window.rows < minSamples
      ? 'insufficient-data'
      : datasetDrift || featureAlarms.length > 0
        ? 'drift'
        : evaluated.length === 0
          ? 'insufficient-data'
          : 'no-drift';
  const report: DriftReport = {
    kind: 'modelship.drift.report',
    version: 1,
    createdAt: extra.createdAt,
    window,
    features,
    ignoredFeatures: extra.ignoredFeatures ?? [],
    summary: {
      features: Object.keys(profile.features).length,
      evaluated: evaluated.length,
      drifted,
      shareDrifted: share,
      shareThreshold,
      datasetDrift: window.rows >= minSamples && datasetDrift,
      featureAlarms: window.rows >= minSamples ? featureAlarms : [],
      predictionDrift: prediction?.drifted ?? false,
      correction,
      verdict,
    },
  };
  if (prediction) report.prediction = prediction;
  if (extra.concept) report.concept = extra.concept;
  return report;
}
