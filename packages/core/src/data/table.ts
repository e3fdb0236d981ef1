import { DataError, ValidationError } from '../errors.js';
import type { Schema } from './schema.js';

/** A column of numbers; `NaN` marks a missing value. */
export interface NumericColumn {
  /** Discriminant. */
  readonly kind: 'numeric';
  /** Column name. */
  readonly name: string;
  /** One value per row; `NaN` = missing. */
  readonly values: Float64Array;
}

/** A dictionary-encoded column of strings; code `-1` marks a missing value. */
export interface CategoricalColumn {
  /** Discriminant. */
  readonly kind: 'categorical';
  /** Column name. */
  readonly name: string;
  /** One code per row, an index into `dictionary`; `-1` = missing. */
  readonly codes: Int32Array;
  /** The distinct values; `dictionary[codes[i]]` is the value of row `i`. */
  readonly dictionary: readonly string[];
}

/** A column of a {@link Table}. */
export type Column = NumericColumn | CategoricalColumn;

/** One row as plain values: numbers, strings, or `null` for missing. */
export type RowValue = number | string | null;

/** Builds a {@link NumericColumn} from numbers (`null`/`undefined`/`NaN` become missing). */
export function numericColumn(name: string, values: ArrayLike<number | null | undefined>): NumericColumn {
  if (values instanceof Float64Array) return { kind: 'numeric', name, values };
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : Number.NaN;
  }
  return { kind: 'numeric', name, values: out };
}

/**
 * Builds a {@link CategoricalColumn} from strings (`null`/`undefined` become missing). The
 * dictionary lists `categories` first (when given), then other values in order of appearance.
 */
export function categoricalColumn(
  name: string,
  values: ArrayLike<string | null | undefined>,
  categories?: readonly string[],
): CategoricalColumn {
  const dictionary: string[] = categories ? [...categories] : [];
  const index = new Map<string, number>();
  for (let i = 0; i < dictionary.length; i++) index.set(dictionary[i]!, i);
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, codes, dictionary };
}

/** The length of a column. */
function columnLength(col: Column): number {
  return col.kind === 'numeric' ? col.values.length : col.codes.length;
}

/**
 * An immutable columnar table: numbers in `Float64Array`s, strings dictionary-encoded, missing
 * values explicit (`NaN` / code `-1`).
 *
 * @example
 * ```ts
 * const t = Table.fromRows([{ sqft: 1000, city: 'a' }, { sqft: null, city: 'b' }]);
 * t.column('sqft'); // { kind: 'numeric', values: Float64Array [1000, NaN] }
 * ```
 */
export class Table {
  /** Number of rows. */
  readonly numRows: number;
  /** Column names in order. */
  readonly columnNames: readonly string[];
  readonly #columns: ReadonlyMap<string, Column>;

  private constructor(columns: readonly Column[], numRows: number) {
    this.numRows = numRows;
    this.columnNames = columns.map((c) => c.name);
    this.#columns = new Map(columns.map((c) => [c.name, c]));
  }

  /** Builds a table from columns of equal length with distinct names. */
  static fromColumns(columns: readonly Column[]): Table {
    const seen = new Set<string>();
    const n = columns.length === 0 ? 0 : columnLength(columns[0]!);
    for (const col of columns) {
      if (seen.has(col.name)) {
        throw new ValidationError('INVALID_INPUT', `Table.fromColumns: duplicate column '${col.name}'`, {
          operation: 'Table.fromColumns',
          details: { column: col.name },
        });
      }
      seen.add(col.name);
      if (columnLength(col) !== n) {
        throw new ValidationError(
          'INVALID_INPUT',
          `Table.fromColumns: column '${col.name}' has ${columnLength(col)} rows, expected ${n} like '${columns[0]!.name}'`,
          { operation: 'Table.fromColumns', details: { column: col.name } },
        );
      }
    }
    return new Table(columns, n);
  }

  /**
   * Builds a table from plain row objects. With a `schema`, column types (and category order)
   * come from it; otherwise a column is numeric when every present value is a number, else
   * categorical (numbers are then written as strings). `null`, `undefined`, `NaN` and `''` are
   * missing. Values are not range-checked here: use `validateRow` or `parseCsv` for that.
   */
  static fromRows(rows: readonly Record<string, unknown>[], schema?: Schema): Table {
    if (!Array.isArray(rows)) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Table.fromRows: rows: expected an array of row objects, got ${rows === null ? 'null' : typeof rows}`,
        {
          operation: 'Table.fromRows',
          details: { field: 'rows' },
        },
      );
    }
    const bad = rows.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
    if (bad >= 0) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Table.fromRows: row ${bad + 1}: expected an object of fields, got ${rows[bad] === null ? 'null' : Array.isArray(rows[bad]) ? 'an array' : typeof rows[bad]}`,
        {
          operation: 'Table.fromRows',
          details: { field: 'rows', row: bad + 1 },
        },
      );
    }
    const names: string[] = schema ? Object.keys(schema.columns) : [];
    if (!schema) {
      const seen = new Set<string>();
      for (const row of rows) {
        for (const k of Object.keys(row)) {
          if (seen.has(k)) continue;
          seen.add(k);
          names.push(k);
        }
      }
    }
    const columns: Column[] = names.map((name) => {
      const spec = schema?.columns[name];
      const raw = rows.map((r) => r[name]);
      const isMissing = (v: unknown): boolean =>
        v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
      const numeric = spec ? spec.type === 'numeric' : raw.every((v) => isMissing(v) || typeof v === 'number');
      if (numeric) {
        return numericColumn(
          name,
          raw.map((v, i) => {
            if (isMissing(v)) return Number.NaN;
            if (typeof v === 'number') return v;
            const num = typeof v === 'string' ? Number(v.trim()) : Number.NaN;
            if (!Number.isFinite(num)) {
              throw new ValidationError(
                'INVALID_INPUT',
                `row ${i + 1}, column '${name}': expected a number, got ${JSON.stringify(v)}`,
                { operation: 'Table.fromRows', details: { row: i + 1, column: name, expected: 'number' } },
              );
            }
            return num;
          }),
        );
      }
      return categoricalColumn(
        name,
        raw.map((v) => (isMissing(v) ? null : String(v))),
        spec?.categories,
      );
    });
    return Table.fromColumns(columns).#withRows(rows.length);
  }

  #withRows(n: number): Table {
    return this.columnNames.length === 0 ? new Table([], n) : this;
  }

  /** True when the table has a column of that name. */
  has(name: string): boolean {
    return this.#columns.has(name);
  }

  /** The column of that name; throws DataError `MISSING_COLUMN` naming it and the columns there are. */
  column(name: string): Column {
    const col = this.#columns.get(name);
    if (!col) {
      throw new DataError(
        'MISSING_COLUMN',
        `column '${name}' is missing; the table has columns: ${this.columnNames.map((c) => `'${c}'`).join(', ') || '(none)'}`,
        { operation: 'Table.column', details: { column: name, columns: [...this.columnNames] } },
      );
    }
    return col;
  }

  /** The numeric column of that name; throws DataError `BAD_VALUE` when it is categorical. */
  numeric(name: string): NumericColumn {
    const col = this.column(name);
    if (col.kind !== 'numeric') {
      throw new DataError('BAD_VALUE', `column '${name}': expected a numeric column, got a categorical one`, {
        operation: 'Table.numeric',
        details: { column: name, expected: 'numeric' },
      });
    }
    return col;
  }

  /** Every column, in order. */
  columns(): Column[] {
    return this.columnNames.map((n) => this.#columns.get(n)!);
  }

  /** A new table with the given rows (in the given order; repeats allowed). */
  select(rowIndices: ArrayLike<number>): Table {
    const m = rowIndices.length;
    for (let i = 0; i < m; i++) {
      const r = rowIndices[i]!;
      if (!Number.isInteger(r) || r < 0 || r >= this.numRows) {
        throw new ValidationError(
          'INVALID_INPUT',
          `Table.select: row index ${r} at position ${i} is not in 0…${this.numRows - 1}`,
          {
            operation: 'Table.select',
            details: { position: i, index: r },
          },
        );
      }
    }
    const cols = this.columns().map((col): Column => {
      if (col.kind === 'numeric') {
        const values = new Float64Array(m);
        for (let i = 0; i < m; i++) values[i] = col.values[rowIndices[i]!]!;
        return { kind: 'numeric', name: col.name, values };
      }
      const codes = new Int32Array(m);
      for (let i = 0; i < m; i++) codes[i] = col.codes[rowIndices[i]!]!;
      return { kind: 'categorical', name: col.name, codes, dictionary: col.dictionary };
    });
    return cols.length === 0 ? new Table([], m) : new Table(cols, m);
  }

  /** Row `i` as a plain object (`null` for missing values). */
  row(i: number): Record<string, RowValue> {
    if (!Number.isInteger(i) || i < 0 || i >= this.numRows) {
      throw new ValidationError('INVALID_INPUT', `Table.row: index ${i} is not in 0…${this.numRows - 1}`, {
        operation: 'Table.row',
        details: { index: i },
      });
    }
    const out: Record<string, RowValue> = {};
    for (const name of this.columnNames) out[name] = cellValue(this.#columns.get(name)!, i);
    return out;
  }

  /** Every row as a plain object. */
  toRows(): Record<string, RowValue>[] {
    const out: Record<string, RowValue>[] = [];
    for (let i = 0; i < this.numRows; i++) out.push(this.row(i));
    return out;
  }

  /** A new table with `col` added (or replacing the column of the same name). */
  withColumn(col: Column): Table {
    if (this.columnNames.length > 0 && columnLength(col) !== this.numRows) {
      throw new ValidationError(
        'INVALID_INPUT',
        `Table.withColumn: column '${col.name}' has ${columnLength(col)} rows, expected ${this.numRows}`,
        { operation: 'Table.withColumn', details: { column: col.name } },
      );
    }
    const cols = this.columns();
    const at = cols.findIndex((c) => c.name === col.name);
    if (at >= 0) cols[at] = col;
    else cols.push(col);
    return new Table(cols, columnLength(col));
  }

  /** A new table with only the named columns, in that order. */
  project(names: readonly string[]): Table {
    return names.length === 0 ? new Table([], this.numRows) : Table.fromColumns(names.map((n) => this.column(n)));
  }
}

/** The value of row `i` of a column (`null` when missing). */
export function cellValue(col: Column, i: number): RowValue {
  if (col.kind === 'numeric') {
    const v = col.values[i]!;
    return Number.isNaN(v) ? null : v;
  }
  const c = col.codes[i]!;
  return c < 0 ? null : col.dictionary[c]!;
}
