/**
 * A dense numeric matrix stored row-major in one `Float64Array`: the value of row `i`, column
 * `j` is `data[i * cols + j]`. Missing values are `NaN`.
 */
export interface Matrix {
  /** Row-major values, `rows * cols` long. */
  readonly data: Float64Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
}
