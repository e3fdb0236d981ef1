import { ValidationError } from '@modelship/core';
import type { MetricDirection } from '@modelship/core/policy';
import { classificationMetrics } from '../metrics/classification.js';
import { regressionMetrics } from '../metrics/regression.js';
import type { Learner, LearnerTask } from '@modelship/core';
import type { Matrix } from '@modelship/core';

/** Predictions of a learner on a test matrix: values (or class indices) and, for classifiers, probabilities. */
export interface TestPredictions {
  /** One prediction per row. */
  values: Float64Array;
  /** Row-major probabilities (rows × numClasses), classifiers with `predictProbaRow` only. */
  proba?: Float64Array;
}

/** Predicts every row of `x` (and the class probabilities when the learner gives them). */
export function predictTest(learner: Learner, x: Matrix, task: LearnerTask, numClasses: number): TestPredictions {
  const values = learner.predict(x);
  if (task !== 'classification' || !learner.predictProbaRow) return { values };
  const proba = new Float64Array(x.rows * numClasses);
  for (let i = 0; i < x.rows; i++)
    proba.set(
      learner.predictProbaRow(x.data.subarray(i * x.cols, (i + 1) * x.cols)).subarray(0, numClasses),
      i * numClasses,
    );
  return { values, proba };
}

/**
 * The metrics of predictions against the truth, as a flat record of numbers named as core's
 * offline gate reads them: regression `r2`, `rmse`, `mae`, `mape`; classification `accuracy`,
 * `precision`, `recall`, `f1` (macro averages) and every other field of `classificationMetrics`.
 */
export function scorePredictions(
  task: LearnerTask,
  yTrue: Float64Array,
  pred: TestPredictions,
  numClasses: number,
): Record<string, number> {
  if (task === 'regression') return { ...regressionMetrics(yTrue, pred.values) };
  const m = classificationMetrics(yTrue, pred.values, numClasses, pred.proba);
  // the offline gate's default names (compareOffline: accuracy, precision, recall, f1), as macro averages
  const out: Record<string, number> = {
    accuracy: m.accuracy,
    precision: m.macroPrecision,
    recall: m.macroRecall,
    f1: m.macroF1,
  };
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * The index of the best result by `selectedBy` (NaN metrics never win; the first result when
 * all are NaN). ValidationError `INVALID_OPTIONS` when the metric was not computed.
 */
export function selectBest(
  results: readonly { readonly metrics: { readonly [name: string]: number } }[],
  selectedBy: { metric: string; direction: MetricDirection },
): number {
  let bestIndex = -1;
  for (let i = 0; i < results.length; i++) {
    const m = results[i]!.metrics[selectedBy.metric];
    if (m === undefined) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `selectBy: metric '${selectedBy.metric}' is not computed; available: ${Object.keys(results[i]!.metrics).join(', ')}`,
        {
          operation: 'Trainer.fit',
          details: { field: 'selectBy' },
        },
      );
    }
    if (Number.isNaN(m)) continue;
    const b = bestIndex < 0 ? undefined : results[bestIndex]!.metrics[selectedBy.metric]!;
    if (b === undefined || (selectedBy.direction === 'maximize' ? m > b : m < b)) bestIndex = i;
  }
  return Math.max(bestIndex, 0);
}
