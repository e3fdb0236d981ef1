/**
 * The retraining rules on a drift report, with the seeds' thresholds as defaults: any feature's
 * PSI above 0.25, prediction drift above 0.15, a category-cardinality ratio above 1.3, or at
 * least two high-severity feature alerts. The PSI rules read the PSI of each feature: its test
 * when that is `psi`, else a `psi` entry of its checks (give the drift monitor `checks: ['psi']`).
 */
import type { DriftReport } from '@modelship/drift';

/** Thresholds of {@link driftReasons}; every rule can be turned off with `false`. */
export interface DriftRules {
  /** Retrain when any feature's PSI exceeds this; default 0.25. */
  psi: number | false;
  /** Retrain when the prediction's drift statistic (PSI) exceeds this; default 0.15. */
  prediction: number | false;
  /**
   * Retrain when a categorical feature's window shows this many times the categories it had in
   * training (1 + new categories / known categories); default 1.3. The known-category count is
   * that of the served version's reference profile (`referenceCategories` of {@link driftReasons};
   * the controller reads it from the artifact).
   */
  cardinalityRatio: number | false;
  /** Retrain when at least this many features are at high severity; default 2. */
  highSeverity: number | false;
  /** Retrain on the report's dataset drift verdict (share of drifted features); default false. */
  datasetDrift: boolean;
}

/** The seeds' rules. */
export const DEFAULT_DRIFT_RULES: DriftRules = {
  psi: 0.25,
  prediction: 0.15,
  cardinalityRatio: 1.3,
  highSeverity: 2,
  datasetDrift: false,
};

/**
 * The reasons to retrain a report gives under `rules` (empty: none). `referenceCategories` is
 * the category count of each categorical feature in the reference profile (for the cardinality rule).
 */
export function driftReasons(
  report: DriftReport,
  rules: DriftRules = DEFAULT_DRIFT_RULES,
  referenceCategories: Readonly<Record<string, number>> = {},
): string[] {
  const out: string[] = [];
  if (report.summary.verdict === 'insufficient-data') return out;
  const psiOf = (f: DriftReport['features'][number]): number | null => {
    if (f.test === 'psi') return f.statistic;
    const c = f.checks?.find((x) => x.test === 'psi');
    return c ? c.statistic : null;
  };
  if (rules.psi !== false) {
    for (const f of report.features) {
      const p = psiOf(f);
      if (p !== null && p > rules.psi) out.push(`${f.feature}: PSI ${p.toFixed(3)} > ${rules.psi}`);
    }
  }
  if (rules.prediction !== false && report.prediction) {
    const p = psiOf(report.prediction);
    if (p !== null && p > rules.prediction) out.push(`prediction drift ${p.toFixed(3)} > ${rules.prediction}`);
  }
  if (rules.cardinalityRatio !== false) {
    for (const f of report.features) {
      if (f.type !== 'categorical' || !f.newCategories || f.newCategories.length === 0) continue;
      const known = referenceCategories[f.feature];
      if (known === undefined || known <= 0) continue;
      const ratio = 1 + f.newCategories.length / known;
      if (ratio > rules.cardinalityRatio) {
        out.push(
          `${f.feature}: ${f.newCategories.length} new categories (cardinality × ${ratio.toFixed(2)} > ${rules.cardinalityRatio})`,
        );
      }
    }
  }
  if (rules.highSeverity !== false) {
    const high = report.features.filter((f) => f.severity === 'high').map((f) => f.feature);
    if (high.length >= rules.highSeverity) out.push(`${high.length} features at high severity (${high.join(', ')})`);
  }
  if (rules.datasetDrift && report.summary.datasetDrift) {
    out.push(`dataset drift: ${report.summary.drifted} of ${report.summary.evaluated} features`);
  }
  return out;
}
