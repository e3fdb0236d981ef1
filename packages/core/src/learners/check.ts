import { TrainingError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';

/** Checks that `x` and `y` agree in size and hold only finite numbers; names the first bad cell. */
export function checkFitInput(kind: string, x: Matrix, y: Float64Array, classification = false, numClasses?: number): void {
  const op = `${kind}.fit`;
  if (x.rows === 0) throw new TrainingError('INVALID_DATA', `${kind}: cannot fit on zero rows`, { operation: op });
  if (x.data.length !== x.rows * x.cols) {
    throw new TrainingError('INVALID_DATA', `${kind}: matrix data has ${x.data.length} values, expected rows*cols = ${x.rows * x.cols}`, { operation: op });
  }
  if (y.length !== x.rows) {
    throw new TrainingError('INVALID_DATA', `${kind}: y has ${y.length} values but x has ${x.rows} rows`, { operation: op });
  }
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      const row = Math.floor(i / x.cols);
      const col = i % x.cols;
      throw new TrainingError('INVALID_DATA', `${kind}: x[${row}][${col}] is ${d[i]}; expected a finite number (impute missing values first)`, {
        operation: op,
        details: { row, column: col },
      });
    }
  }
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v) || (classification && (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)))) {
      throw new TrainingError('INVALID_DATA', `${kind}: y[${i}] is ${v}; expected ${classification ? 'a class index' : 'a finite number'}`, {
        operation: op,
        details: { row: i },
      });
    }
  }
}

/** Throws TrainingError `NOT_FITTED` when a learner is used before fit. */
export function notFitted(kind: string): never {
  throw new TrainingError('NOT_FITTED', `${kind}: call fit() (or restore a fitted state) before predicting`, { operation: `${kind}.predict` });
}

/** The number of classes: `numClasses` if given, else max(y) + 1. */
export function classCount(y: Float64Array, numClasses?: number): number {
  if (numClasses !== undefined) return numClasses;
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > m) m = y[i]!;
  return m + 1;
}
