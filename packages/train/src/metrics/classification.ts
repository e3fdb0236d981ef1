import { ValidationError } from '@modelship/core';
import { checkArray, checkFinite, checkLabels, checkNumClasses, checkSameLength } from './check-input.js';
import type { NumericArray } from './regression.js';

/** Checks a pair of label arrays (class indices, below `numClasses` when given) and returns the number of classes. */
function checkLabelPair(metric: string, yTrue: NumericArray, yPred: NumericArray, numClasses?: number): number {
  checkSameLength(metric, yTrue, yPred);
  checkNumClasses(metric, numClasses);
  const m = Math.max(checkLabels(metric, 'yTrue', yTrue, numClasses), checkLabels(metric, 'yPred', yPred, numClasses));
  return numClasses ?? m + 1;
}

/** Checks `proba` (row-major `yTrue.length × numClasses`, finite) and `yTrue` (class indices below `numClasses`). */
function checkProba(
  metric: string,
  yTrue: NumericArray,
  proba: Float64Array | readonly number[],
  numClasses: number,
): void {
  checkNumClasses(metric, numClasses);
  checkArray(metric, 'yTrue', yTrue);
  checkArray(metric, 'proba', proba);
  if (proba.length !== yTrue.length * numClasses) {
    throw new ValidationError(
      'INVALID_INPUT',
      `${metric}: proba: expected yTrue.length × numClasses = ${yTrue.length * numClasses} values, got ${proba.length}`,
      {
        operation: metric,
        details: { field: 'proba', expected: yTrue.length * numClasses, received: proba.length },
      },
    );
  }
  checkLabels(metric, 'yTrue', yTrue, numClasses);
  checkFinite(metric, 'proba', proba);
}

/** Fraction of rows whose predicted class index equals the true one. */
export function accuracy(yTrue: NumericArray, yPred: NumericArray): number {
  checkLabelPair('accuracy', yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/**
 * The confusion matrix: `matrix[t][p]` counts rows of true class `t` predicted as `p`
 * (rows = truth, columns = prediction, as in scikit-learn). Classes are indices `0 … k-1`.
 */
export function confusionMatrix(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): number[][] {
  const k = checkLabelPair('confusionMatrix', yTrue, yPred, numClasses);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    m[yTrue[i]!]![yPred[i]!]!++;
  }
  return m;
}

/** Per-class precision, recall, F1 and support (0 where undefined, as scikit-learn's zero_division=0). */
export interface PerClassScores {
  /** Precision per class. */
  precision: number[];
  /** Recall per class. */
  recall: number[];
  /** F1 per class. */
  f1: number[];
  /** Number of true rows per class. */
  support: number[];
}

/** Precision, recall, F1 and support of every class. */
export function perClassScores(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): PerClassScores {
  const m = confusionMatrix(yTrue, yPred, numClasses);
  const k = m.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  for (let c = 0; c < k; c++) {
    let predicted = 0;
    let actual = 0;
    for (let o = 0; o < k; o++) {
      predicted += m[o]![c]!;
      actual += m[c]![o]!;
    }
    const tp = m[c]![c]!;
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    precision.push(p);
    recall.push(r);
    f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

/** How per-class scores are averaged: unweighted mean, or weighted by support. */
export type Averaging = 'macro' | 'weighted';

function average(values: number[], support: number[], avg: Averaging): number {
  if (avg === 'macro') return values.reduce((a, b) => a + b, 0) / values.length;
  const total = support.reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : values.reduce((a, v, i) => a + v * support[i]!, 0) / total;
}

/** Precision averaged over classes (`'macro'` by default, or `'weighted'` by support). */
export function precision(
  yTrue: NumericArray,
  yPred: NumericArray,
  avg: Averaging = 'macro',
  numClasses?: number,
): number {
  const s = perClassScores(yTrue, yPred, numClasses);
  return average(s.precision, s.support, avg);
}

/** Recall averaged over classes (`'macro'` by default, or `'weighted'` by support). */
export function recall(
  yTrue: NumericArray,
  yPred: NumericArray,
  avg: Averaging = 'macro',
  numClasses?: number,
): number {
  const s = perClassScores(yTrue, yPred, numClasses);
  return average(s.recall, s.support, avg);
}

/** F1 averaged over classes (`'macro'` by default, or `'weighted'` by support). */
export function f1(yTrue: NumericArray, yPred: NumericArray, avg: Averaging = 'macro', numClasses?: number): number {
  const s = perClassScores(yTrue, yPred, numClasses);
  return average(s.f1, s.support, avg);
}

/**
 * Multiclass log loss (cross-entropy): the mean of −ln p(true class), probabilities clipped
 * to [1e-15, 1 − 1e-15]. `proba` is row-major, `yTrue.length × numClasses`.
 */
export function logLoss(yTrue: NumericArray, proba: Float64Array | readonly number[], numClasses: number): number {
  checkProba('logLoss', yTrue, proba, numClasses);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let rowSum = 0;
    for (let c = 0; c < numClasses; c++) rowSum += proba[i * numClasses + c]!;
    const p = proba[i * numClasses + yTrue[i]!]! / (rowSum || 1);
    s -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p)));
  }
  return s / yTrue.length;
}

/**
 * Binary ROC-AUC: the probability that a random positive (label 1) scores above a random
 * negative, ties counting one half (Mann–Whitney with average ranks). NaN when only one class
 * is present.
 */
export function rocAucBinary(yTrue: NumericArray, scores: NumericArray): number {
  checkSameLength('rocAuc', yTrue, scores, 'scores');
  checkFinite('rocAuc', 'yTrue', yTrue);
  checkFinite('rocAuc', 'scores', scores);
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (yTrue[order[t]!] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * ROC-AUC from class probabilities (row-major `n × numClasses`): for two classes the binary AUC
 * of class 1; for more, the one-vs-rest AUC of each class averaged without weights (macro),
 * skipping classes absent from `yTrue`.
 */
export function rocAuc(yTrue: NumericArray, proba: Float64Array | readonly number[], numClasses: number): number {
  checkProba('rocAuc', yTrue, proba, numClasses);
  const n = yTrue.length;
  const column = (c: number): Float64Array => {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = proba[i * numClasses + c]!;
    return s;
  };
  if (numClasses === 2) return rocAucBinary(yTrue, column(1));
  let sum = 0;
  let used = 0;
  for (let c = 0; c < numClasses; c++) {
    const bin = new Float64Array(n);
    for (let i = 0; i < n; i++) bin[i] = yTrue[i] === c ? 1 : 0;
    const auc = rocAucBinary(bin, column(c));
    if (!Number.isNaN(auc)) {
      sum += auc;
      used++;
    }
  }
  return used === 0 ? Number.NaN : sum / used;
}

/** Every classification metric at once (macro and weighted averages). */
export interface ClassificationMetrics {
  /** Fraction correct. */
  accuracy: number;
  /** Macro-averaged precision. */
  macroPrecision: number;
  /** Macro-averaged recall. */
  macroRecall: number;
  /** Macro-averaged F1. */
  macroF1: number;
  /** Support-weighted precision. */
  weightedPrecision: number;
  /** Support-weighted recall. */
  weightedRecall: number;
  /** Support-weighted F1. */
  weightedF1: number;
  /** Log loss, when probabilities were given. */
  logLoss?: number;
  /** ROC-AUC (binary, or one-vs-rest macro), when probabilities were given. */
  rocAuc?: number;
}

/** Computes accuracy, macro / weighted precision, recall and F1, and (with probabilities) log loss and ROC-AUC. */
export function classificationMetrics(
  yTrue: NumericArray,
  yPred: NumericArray,
  numClasses: number,
  proba?: Float64Array,
): ClassificationMetrics {
  const s = perClassScores(yTrue, yPred, numClasses);
  const out: ClassificationMetrics = {
    accuracy: accuracy(yTrue, yPred),
    macroPrecision: average(s.precision, s.support, 'macro'),
    macroRecall: average(s.recall, s.support, 'macro'),
    macroF1: average(s.f1, s.support, 'macro'),
    weightedPrecision: average(s.precision, s.support, 'weighted'),
    weightedRecall: average(s.recall, s.support, 'weighted'),
    weightedF1: average(s.f1, s.support, 'weighted'),
  };
  if (proba !== undefined) {
    out.logLoss = logLoss(yTrue, proba, numClasses);
    const auc = rocAuc(yTrue, proba, numClasses);
    if (!Number.isNaN(auc)) out.rocAuc = auc;
  }
  return out;
}
