import { checkFinite, checkSameLength } from './check-input.js';

/** Numbers accepted by the metric functions. */
export type NumericArray = Float64Array | readonly number[];

/** Throws ValidationError `INVALID_INPUT` unless both are non-empty arrays of equal length holding finite numbers. */
function checkPair(metric: string, yTrue: NumericArray, yPred: NumericArray): void {
  checkSameLength(metric, yTrue, yPred);
  checkFinite(metric, 'yTrue', yTrue);
  checkFinite(metric, 'yPred', yPred);
}

/** Root mean squared error. */
export function rmse(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('rmse', yTrue, yPred);
  return Math.sqrt(mse(yTrue, yPred));
}

/** Mean squared error. */
export function mse(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('mse', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const e = yTrue[i]! - yPred[i]!;
    s += e * e;
  }
  return s / yTrue.length;
}

/** Mean absolute error. */
export function mae(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('mae', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/** Coefficient of determination R² = 1 − SSres / SStot (1 for a perfect fit; 0 when SStot is 0 and predictions are imperfect). */
export function r2(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('r2', yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const e = yTrue[i]! - yPred[i]!;
    const d = yTrue[i]! - mean;
    res += e * e;
    tot += d * d;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/** Mean absolute percentage error as a fraction (0.1 = 10 %), with |yTrue| floored at machine epsilon as in scikit-learn. */
export function mape(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('mape', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++)
    s += Math.abs(yTrue[i]! - yPred[i]!) / Math.max(Math.abs(yTrue[i]!), Number.EPSILON);
  return s / yTrue.length;
}

/** Every regression metric at once. */
export interface RegressionMetrics {
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /** Coefficient of determination. */
  r2: number;
  /** Mean absolute percentage error (fraction). */
  mape: number;
}

/** Computes RMSE, MAE, R² and MAPE. */
export function regressionMetrics(yTrue: NumericArray, yPred: NumericArray): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred), mape: mape(yTrue, yPred) };
}
