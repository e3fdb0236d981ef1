/**
 * Drift step of the Bangalore pipeline: a live window compared with the reference profile stored
 * in the served artifact, by mean shift on sqft, bath, bhk and the prediction.
 */
import { loadModel, type ModelArtifact, type Table } from '@modelship/core';
import { detectDrift, parseProfile, renderDriftReport, type DriftReport } from '@modelship/drift';
import { DRIFT_FEATURES, requestOf } from './train-models.js';

/** One drift check: the window's name, its report and the rendered text. */
export interface DriftCheck {
  /** What the window is, e.g. `'test rows, unshifted'`. */
  window: string;
  /** The report of `detectDrift`. */
  report: DriftReport;
  /** `renderDriftReport(report)`. */
  text: string;
  /** The features (and `prediction`) flagged as drifted. */
  drifted: string[];
}

/**
 * Checks a live window of `rows` (each row's `total_sqft` multiplied by `sqftFactor`) against the
 * profile in `artifact`, predicting with the artifact's model. `now` dates the report.
 */
export function checkDrift(
  artifact: ModelArtifact,
  rows: Table,
  sqftFactor: number,
  window: string,
  now: Date,
): DriftCheck {
  if (artifact.profile === undefined) throw new Error('the served artifact carries no drift profile');
  const profile = parseProfile(artifact.profile);
  const model = loadModel(artifact);
  const columns: Record<string, Float64Array> = {};
  for (const f of DRIFT_FEATURES) columns[f] = Float64Array.from(rows.numeric(f).values);
  columns.total_sqft = columns.total_sqft!.map((x) => x * sqftFactor);
  const predictions = new Float64Array(rows.numRows);
  for (let i = 0; i < rows.numRows; i++) {
    predictions[i] = model.predict({ ...requestOf(rows, i), total_sqft: columns.total_sqft[i] }).value as number;
  }
  const report = detectDrift(profile, columns, {
    tests: Object.fromEntries(DRIFT_FEATURES.map((f) => [f, 'mean-shift'])),
    predictionTest: 'mean-shift',
    predictions,
    now,
  });
  const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
  if (report.prediction?.drifted) drifted.push('prediction');
  return { window, report, text: renderDriftReport(report), drifted };
}
