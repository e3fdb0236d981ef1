import { TrainingError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { LearnerState } from './learner.js';

/** Largest class index a classifier accepts when `numClasses` is not given (guards against huge labels). */
export const MAX_INFERRED_CLASSES = 65_536;

/** Throws TrainingError `INVALID_DATA` unless `x` is a {@link Matrix} whose `data` holds `rows × cols` numbers. */
export function checkMatrix(kind: string, x: Matrix, op: string, cols?: number): void {
  if (
    typeof x !== 'object' ||
    x === null ||
    !(x.data instanceof Float64Array) ||
    !Number.isInteger(x.rows) ||
    !Number.isInteger(x.cols) ||
    x.rows < 0 ||
    x.cols < 0
  ) {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: x: expected a matrix { data: Float64Array, rows, cols }, got ${x === null ? 'null' : typeof x}`,
      {
        operation: op,
        details: { field: 'x' },
      },
    );
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: matrix data has ${x.data.length} values, expected rows*cols = ${x.rows * x.cols}`,
      { operation: op, details: { field: 'x' } },
    );
  }
  if (cols !== undefined && x.cols !== cols) {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: x has ${x.cols} columns, expected ${cols} (the number of features it was fitted on)`,
      {
        operation: op,
        details: { field: 'x', expected: cols, received: x.cols },
      },
    );
  }
}

/** Throws TrainingError `INVALID_DATA` unless `row` is a Float64Array of `width` features (any length when `width` is undefined). */
export function checkRow(kind: string, row: Float64Array, width?: number): void {
  if (!(row instanceof Float64Array) || (width !== undefined && row.length !== width)) {
    const got = row instanceof Float64Array ? `${row.length} values` : row === null ? 'null' : typeof row;
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: row: expected a Float64Array of ${width ?? 'the fitted number of'} features, got ${got}`,
      {
        operation: `${kind}.predict`,
        details: { field: 'row', expected: width },
      },
    );
  }
}

/** Throws TrainingError `INVALID_DATA` naming the first non-finite feature of `row` (call it when a prediction came out non-finite). */
export function checkRowFinite(kind: string, row: Float64Array): void {
  for (let j = 0; j < row.length; j++) {
    if (!Number.isFinite(row[j]!)) {
      throw new TrainingError(
        'INVALID_DATA',
        `${kind}: row[${j}] is ${row[j]}; expected a finite number (impute missing values first)`,
        {
          operation: `${kind}.predict`,
          details: { field: 'row', column: j },
        },
      );
    }
  }
}

/** Predicts every row of `x` with `predictRow` (after checking `x`), one subarray view per row. */
export function predictRows(
  kind: string,
  x: Matrix,
  predictRow: (row: Float64Array) => number,
  cols?: number,
): Float64Array {
  checkMatrix(kind, x, `${kind}.predict`, cols);
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = predictRow(x.data.subarray(i * x.cols, (i + 1) * x.cols));
  return out;
}

/** Checks that `x` and `y` agree in size and hold only finite numbers; names the first bad cell. */
export function checkFitInput(
  kind: string,
  x: Matrix,
  y: Float64Array,
  classification = false,
  numClasses?: number,
): void {
  const op = `${kind}.fit`;
  checkMatrix(kind, x, op);
  if (x.rows === 0) throw new TrainingError('INVALID_DATA', `${kind}: cannot fit on zero rows`, { operation: op });
  if (typeof y !== 'object' || y === null || typeof y.length !== 'number') {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: y: expected one target per row (a Float64Array), got ${y === null ? 'null' : typeof y}`,
      { operation: op, details: { field: 'y' } },
    );
  }
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses >= 1)) {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: numClasses: expected a positive integer, got ${String(numClasses)}`,
      { operation: op, details: { field: 'numClasses' } },
    );
  }
  if (y.length !== x.rows) {
    throw new TrainingError('INVALID_DATA', `${kind}: y has ${y.length} values but x has ${x.rows} rows`, {
      operation: op,
    });
  }
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      const row = Math.floor(i / x.cols);
      const col = i % x.cols;
      throw new TrainingError(
        'INVALID_DATA',
        `${kind}: x[${row}][${col}] is ${d[i]}; expected a finite number (impute missing values first)`,
        {
          operation: op,
          details: { row, column: col },
        },
      );
    }
  }
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (
      !Number.isFinite(v) ||
      (classification && (!Number.isInteger(v) || v < 0 || v >= (numClasses ?? MAX_INFERRED_CLASSES)))
    ) {
      const expected = classification
        ? `a class index in 0…${(numClasses ?? MAX_INFERRED_CLASSES) - 1}`
        : 'a finite number';
      throw new TrainingError('INVALID_DATA', `${kind}: y[${i}] is ${v}; expected ${expected}`, {
        operation: op,
        details: { row: i },
      });
    }
  }
}

/** Throws TrainingError `NOT_FITTED` when a learner is used before fit. */
export function notFitted(kind: string): never {
  throw new TrainingError('NOT_FITTED', `${kind}: call fit() (or restore a fitted state) before predicting`, {
    operation: `${kind}.predict`,
  });
}

/** The number of classes: `numClasses` if given, else max(y) + 1. */
export function classCount(y: Float64Array, numClasses?: number): number {
  if (numClasses !== undefined) return numClasses;
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > m) m = y[i]!;
  return m + 1;
}

/** Throws TrainingError `INVALID_DATA` naming the malformed field of a learner state (`<kind>: state.<field>: <message>`). */
export function invalidState(kind: string, field: string, message: string): never {
  throw new TrainingError('INVALID_DATA', `${kind}: state.${field}: ${message}`, {
    operation: 'restoreLearner',
    details: { field: `state.${field}` },
  });
}

/** Index of the first non-finite value of `a`, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** Reads the `{ coef, intercept }` state of a linear learner (`linear`, `linear-mljs`); TrainingError `INVALID_DATA` when malformed. */
export function readCoefState(
  kind: string,
  state: LearnerState,
): {
  /** The coefficients, one per feature column. */
  coef: Float64Array;
  /** The intercept. */
  intercept: number;
} {
  const s = state?.state as { coef?: unknown; intercept?: unknown } | null | undefined;
  if (
    !(s?.coef instanceof Float64Array) ||
    typeof s.intercept !== 'number' ||
    !Number.isFinite(s.intercept) ||
    !s.coef.every(Number.isFinite)
  ) {
    throw new TrainingError(
      'INVALID_DATA',
      `${kind}: state needs coef (Float64Array of finite numbers) and intercept (a finite number)`,
      { operation: 'restoreLearner' },
    );
  }
  return { coef: s.coef, intercept: s.intercept };
}

/** Returns `sw` after checking it holds `rows` finite non-negative weights (TrainingError `INVALID_DATA` when not). */
export function checkSampleWeight(kind: string, sw: Float64Array | undefined, rows: number): Float64Array | undefined {
  if (
    sw !== undefined &&
    (typeof sw !== 'object' ||
      sw === null ||
      sw.length !== rows ||
      !Array.prototype.every.call(sw, (w: number) => w >= 0 && Number.isFinite(w)))
  ) {
    throw new TrainingError('INVALID_DATA', `${kind}: sampleWeight must hold ${rows} finite non-negative weights`, {
      operation: `${kind}.fit`,
      details: { field: 'sampleWeight' },
    });
  }
  return sw;
}
