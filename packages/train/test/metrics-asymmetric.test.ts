/**
 * Pins precision against recall (issue 11, "Why" item 8): the confusion matrix here is
 * asymmetric (false positives ≠ false negatives per class, unequal supports), so swapping
 * precision and recall, or transposing the confusion matrix, changes every figure.
 * Expected values worked out by hand from the matrix (scikit-learn's definitions, zero_division=0).
 */
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationMetrics,
  confusionMatrix,
  f1,
  perClassScores,
  precision,
  recall,
} from '../src/metrics/classification.js';

// class 0: support 5, 3 right, 2 predicted as 1; class 1: support 4, 1 right, 3 predicted as 0.
const yt = [1, 1, 1, 1, 0, 0, 0, 0, 0];
const yp = [1, 0, 0, 0, 1, 1, 0, 0, 0];

describe('classification metrics on an asymmetric confusion matrix', () => {
  it('confusion matrix: rows are truth, columns are prediction', () => {
    expect(confusionMatrix(yt, yp)).toEqual([
      [3, 2],
      [3, 1],
    ]);
  });

  it('per-class precision = TP / predicted, recall = TP / actual', () => {
    const s = perClassScores(yt, yp);
    expect(s.precision[0]).toBeCloseTo(3 / 6, 12);
    expect(s.precision[1]).toBeCloseTo(1 / 3, 12);
    expect(s.recall[0]).toBeCloseTo(3 / 5, 12);
    expect(s.recall[1]).toBeCloseTo(1 / 4, 12);
    expect(s.f1[0]).toBeCloseTo((2 * 0.5 * 0.6) / 1.1, 12);
    expect(s.f1[1]).toBeCloseTo(2 / 7, 12);
    expect(s.support).toEqual([5, 4]);
  });

  it('macro and weighted precision, recall and F1', () => {
    expect(precision(yt, yp, 'macro')).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    expect(recall(yt, yp, 'macro')).toBeCloseTo((3 / 5 + 1 / 4) / 2, 12);
    expect(precision(yt, yp, 'weighted')).toBeCloseTo((5 * (1 / 2) + 4 * (1 / 3)) / 9, 12);
    expect(recall(yt, yp, 'weighted')).toBeCloseTo(4 / 9, 12);
    expect(precision(yt, yp)).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    expect(recall(yt, yp)).toBeCloseTo((3 / 5 + 1 / 4) / 2, 12);
    expect(f1(yt, yp, 'macro')).toBeCloseTo((6 / 11 + 2 / 7) / 2, 12);
    expect(f1(yt, yp, 'weighted')).toBeCloseTo((5 * (6 / 11) + 4 * (2 / 7)) / 9, 12);
    expect(accuracy(yt, yp)).toBeCloseTo(4 / 9, 12);
  });

  it('classificationMetrics reports the same figures under the right names', () => {
    const m = classificationMetrics(yt, yp, 2);
    expect(m.macroPrecision).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    expect(m.macroRecall).toBeCloseTo((3 / 5 + 1 / 4) / 2, 12);
    expect(m.weightedPrecision).toBeCloseTo((5 * (1 / 2) + 4 * (1 / 3)) / 9, 12);
    expect(m.weightedRecall).toBeCloseTo(4 / 9, 12);
    expect(m.macroF1).toBeCloseTo((6 / 11 + 2 / 7) / 2, 12);
    expect(m.weightedF1).toBeCloseTo((5 * (6 / 11) + 4 * (2 / 7)) / 9, 12);
    expect(m.accuracy).toBeCloseTo(4 / 9, 12);
  });

  it('a class never predicted has precision 0 (zero_division=0), and one never true has recall 0', () => {
    const s = perClassScores([0, 0, 1, 1], [0, 0, 0, 0], 3);
    expect(s.precision).toEqual([0.5, 0, 0]);
    expect(s.recall).toEqual([1, 0, 0]);
    expect(s.f1[1]).toBe(0);
    expect(s.support).toEqual([2, 2, 0]);
  });
});
