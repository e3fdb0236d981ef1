/**
 * Reference profiles, per-feature drift tests, streaming windows and drift reports.
 *
 * @module
 */
export { DriftError, type DriftErrorCode } from './errors.js';
export {
  buildProfile,
  parseProfile,
  profileToJSON,
  profileNumeric,
  profileCategorical,
  referenceProfileSchema,
  numericSchema as numericFeatureSchema,
  categoricalSchema as categoricalFeatureSchema,
  featureSchema as featureProfileSchema,
  type BuildProfileOptions,
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type FeatureType,
  type NumericFeatureProfile,
  type ReferenceProfile,
  type TableInput,
} from './profile.js';
export {
  DEFAULT_THRESHOLDS,
  DRIFT_TESTS,
  defaultTest,
  runTest,
  severityOf,
  type CategoricalSnapshot,
  type DriftTestName,
  type FeatureSnapshot,
  type NumericSnapshot,
  type Severity,
  type TestOutcome,
} from './feature-tests.js';
export {
  applyCorrection,
  type ConceptDriftInfo,
  type DriftReport,
  type DriftVerdict,
  type EvaluationOptions,
  type FeatureDriftResult,
  type TestChoice,
  type TestResultEntry,
  type WindowInfo,
} from './report.js';
export { renderDriftReport } from './render.js';
export { detectDrift, type DetectDriftOptions } from './detect-drift.js';
export {
  createDriftMonitor,
  DriftMonitor,
  type CountWindow,
  type DriftLogger,
  type DriftMonitorEvents,
  type DriftMonitorOptions,
  type TimeWindow,
} from './drift-monitor.js';
export { PageHinkley, type PageHinkleyOptions } from './concept/page-hinkley.js';
export { Adwin, type AdwinOptions } from './concept/adwin.js';
export { ksTwoSample, ksPValue, type KsResult } from './stats/ks.js';
export { kolmogorovSf, smirnov } from './stats/kolmogorov.js';
export { wasserstein } from './stats/wasserstein.js';
export { psi, jensenShannon, klDivergence } from './stats/divergence.js';
export { psiFromSamples, type PsiSamplesResult } from './stats/psi-samples.js';
export { chiSquare, zTestProportions, type TestResult } from './stats/chi-square.js';
export { gammaP, gammaQ, chiSquareSf, logGamma, normalSf } from './stats/special.js';
export { countBins, countCategories } from './stats/histogram.js';
export { sortFinite } from './stats/sort.js';
