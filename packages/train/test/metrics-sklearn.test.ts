import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationMetrics,
  confusionMatrix,
  f1,
  logLoss,
  precision,
  recall,
  rocAuc,
  rocAucBinary,
} from '../src/metrics/classification.js';
import { mae, mape, r2, regressionMetrics, rmse } from '../src/metrics/regression.js';
import { metricDirection } from '@modelship/core';

// Reference values computed once with scikit-learn 1.x (sklearn.metrics) in
// /tmp/modelship-peer-venv/bin/python on the literal arrays below, and pasted here.

describe('regression metrics match scikit-learn', () => {
  const yt = [3.0, -0.5, 2.0, 7.0, 4.2];
  const yp = [2.5, 0.0, 2.1, 7.8, 3.9];
  it('rmse, mae, r2, mape', () => {
    expect(rmse(yt, yp)).toBeCloseTo(0.49799598391954925, 12); // root_mean_squared_error
    expect(mae(yt, yp)).toBeCloseTo(0.44000000000000006, 12); // mean_absolute_error
    expect(r2(yt, yp)).toBeCloseTo(0.9594665271966527, 12); // r2_score
    expect(mape(yt, yp)).toBeCloseTo(0.2804761904761905, 12); // mean_absolute_percentage_error
    expect(regressionMetrics(Float64Array.from(yt), Float64Array.from(yp)).r2).toBeCloseTo(0.9594665271966527, 12);
  });
  it('rejects arrays of different lengths, naming the problem', () => {
    expect(() => rmse([1, 2], [1])).toThrow(/equal length \(got 2 and 1\)/);
  });
});

describe('classification metrics match scikit-learn', () => {
  const ct = [0, 1, 2, 2, 1, 0, 1, 2, 2, 0];
  const cp = [0, 2, 2, 2, 1, 0, 0, 1, 2, 1];
  const proba = Float64Array.from([
    0.7, 0.2, 0.1, 0.2, 0.3, 0.5, 0.1, 0.2, 0.7, 0.2, 0.2, 0.6, 0.3, 0.5, 0.2, 0.6, 0.3, 0.1, 0.5, 0.4, 0.1, 0.2, 0.5,
    0.3, 0.1, 0.1, 0.8, 0.3, 0.4, 0.3,
  ]);
  it('accuracy, precision / recall / F1 (macro and weighted), confusion matrix', () => {
    expect(accuracy(ct, cp)).toBe(0.6);
    expect(precision(ct, cp, 'macro')).toBeCloseTo(0.5833333333333334, 12);
    expect(recall(ct, cp, 'macro')).toBeCloseTo(0.5833333333333334, 12);
    expect(f1(ct, cp, 'macro')).toBeCloseTo(0.5833333333333334, 12);
    expect(precision(ct, cp, 'weighted')).toBeCloseTo(0.6, 12);
    expect(recall(ct, cp, 'weighted')).toBeCloseTo(0.6, 12);
    expect(f1(ct, cp, 'weighted')).toBeCloseTo(0.6, 12);
    expect(confusionMatrix(ct, cp)).toEqual([
      [2, 1, 0],
      [1, 1, 1],
      [0, 1, 3],
    ]);
  });
  it('log loss and one-vs-rest macro ROC-AUC', () => {
    expect(logLoss(ct, proba, 3)).toBeCloseTo(0.7179501012135565, 12); // log_loss
    expect(rocAuc(ct, proba, 3)).toBeCloseTo(0.8839285714285715, 12); // roc_auc_score(multi_class='ovr', average='macro')
    const all = classificationMetrics(ct, cp, 3, proba);
    expect(all.macroF1).toBeCloseTo(0.5833333333333334, 12);
    expect(all.rocAuc).toBeCloseTo(0.8839285714285715, 12);
  });
  it('binary ROC-AUC with tied scores', () => {
    expect(rocAucBinary([0, 0, 1, 1, 0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.4, 0.2])).toBeCloseTo(0.8125, 12);
    expect(Number.isNaN(rocAucBinary([1, 1], [0.2, 0.3]))).toBe(true);
  });
  it('names a class index out of range', () => {
    expect(() => confusionMatrix([0, 1], [0, 5], 2)).toThrow(
      /confusionMatrix: yPred\[1\]: expected a class index in 0…1, got 5/,
    );
  });
  it('knows which metrics are minimised', () => {
    expect(metricDirection('rmse')).toBe('minimize');
    expect(metricDirection('logLoss')).toBe('minimize');
    expect(metricDirection('r2')).toBe('maximize');
    expect(metricDirection('accuracy')).toBe('maximize');
  });
});
