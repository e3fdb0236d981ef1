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
  type BuildProfileOptions,
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type FeatureType,
  type NumericFeatureProfile,
  type ReferenceProfile,
  type TableInput,
} from './profile.js';
export { DEFAULT_THRESHOLDS, DRIFT_TESTS, type DriftTestName, type Severity } from './feature-tests.js';
export type {
  ConceptDriftInfo,
  DriftReport,
  DriftVerdict,
  EvaluationOptions,
  FeatureDriftResult,
  TestChoice,
  TestResultEntry,
  WindowInfo,
} from './report.js';
export { renderDriftReport } from './render.js';
export { detectDrift, type DetectDriftOptions } from './detect-drift.js';
export {
  createDriftMonitor,
  DriftMonitor,
  type DriftMonitorEvents,
  type DriftMonitorOptions,
} from './drift-monitor.js';
export {
  createDriftSink,
  DriftSink,
  type DriftSinkEvent,
  type DriftSinkEvents,
  type DriftSinkOptions,
  type DriftSinkServed,
} from './drift-sink.js';
export type { CountWindow, TimeWindow } from './windows.js';
export { PageHinkley, type PageHinkleyOptions } from './concept/page-hinkley.js';
export { Adwin, type AdwinOptions } from './concept/adwin.js';
export { ksTwoSample, type KsResult } from './stats/ks.js';
export { wasserstein } from './stats/wasserstein.js';
export { psi, jensenShannon, klDivergence } from './stats/divergence.js';
export { psiFromSamples, type PsiSamplesResult } from './stats/psi-samples.js';
export { chiSquare, zTestProportions, type TestResult } from './stats/chi-square.js';
export { countBins, countCategories } from './stats/histogram.js';
