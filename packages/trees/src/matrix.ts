import { TreesError } from './errors.js';

/**
 * A dense numeric matrix stored row-major: the value of row `i`, column `j` is
 * `data[i * cols + j]`. Structurally identical to `@modelship/core`'s `Matrix`. `NaN` is a
 * missing value; `±Infinity` is treated as an extreme value.
 */
export interface TreesMatrix {
  /** Row-major values, `rows * cols` long. */
  readonly data: Float64Array | Float32Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
}

/** Builds a {@link TreesMatrix} from an array of rows (a convenience for tests and small data). */
export function matrixFromRows(rows: readonly (readonly number[])[]): TreesMatrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = rows[i]!;
    if (row.length !== c) {
      throw new TreesError('INVALID_INPUT', `rows[${i}] has ${row.length} values, expected ${c} like rows[0]`, {
        operation: 'matrixFromRows',
      });
    }
    for (let j = 0; j < c; j++) data[i * c + j] = row[j]!;
  }
  return { data, rows: r, cols: c };
}

/** Throws a clear error unless `x` is a well-formed, non-empty matrix and `y` one finite target per row. */
export function checkTrainingData(x: TreesMatrix, y: ArrayLike<number>, operation: string): void {
  if (x === null || typeof x !== 'object' || !(x.data instanceof Float64Array || x.data instanceof Float32Array)) {
    throw new TreesError('INVALID_INPUT', 'x: expected a matrix { data: Float64Array | Float32Array, rows, cols }', {
      operation,
    });
  }
  if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 0) {
    throw new TreesError('INVALID_INPUT', `x: rows and cols must be non-negative integers, got ${x.rows}×${x.cols}`, {
      operation,
    });
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new TreesError(
      'INVALID_INPUT',
      `x.data: expected rows*cols = ${x.rows * x.cols} values, got ${x.data.length}`,
      {
        operation,
      },
    );
  }
  if (x.rows === 0)
    throw new TreesError('INVALID_INPUT', 'x: zero rows, expected at least one training row', { operation });
  if (x.cols === 0)
    throw new TreesError('INVALID_INPUT', 'x: zero columns, expected at least one feature', { operation });
  if (y.length !== x.rows) {
    throw new TreesError('INVALID_INPUT', `y: expected ${x.rows} targets (one per row of x), got ${y.length}`, {
      operation,
    });
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new TreesError('INVALID_INPUT', `y[${i}]: expected a finite number, got ${y[i]}`, {
        operation,
        details: { row: i },
      });
    }
  }
}

/** Throws unless every `y` is a class index in `0 … numClasses-1`; returns the weighted count of each class. */
export function checkClassTargets(y: ArrayLike<number>, numClasses: number, operation: string): Float64Array {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new TreesError('INVALID_OPTIONS', `numClasses: expected an integer ≥ 2, got ${numClasses}`, { operation });
  }
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new TreesError('INVALID_INPUT', `y[${i}]: expected a class index in 0…${numClasses - 1}, got ${v}`, {
        operation,
        details: { row: i },
      });
    }
    counts[v]!++;
  }
  let present = 0;
  for (let k = 0; k < numClasses; k++) if (counts[k]! > 0) present++;
  if (present < 2) {
    throw new TreesError('INVALID_INPUT', `y: only one class is present, expected at least two classes to learn from`, {
      operation,
    });
  }
  return counts;
}
