import { ValidationError } from '../errors.js';
import { describeValue } from '../data/schema.js';
import type { Column, Table } from '../data/table.js';
import type { DerivedColumnSpec } from './spec.js';

function bad(message: string, field: string, operation: string): never {
  throw new ValidationError('INVALID_INPUT', message, { operation, details: { field } });
}

/**
 * A row's numeric field: a finite number, or `NaN` when absent/`null`/`NaN` (missing). Throws
 * ValidationError for strings, ±Infinity and other types.
 */
export function rowNumber(row: Record<string, unknown>, name: string): number {
  const v = row[name];
  if (typeof v === 'number') {
    if (v === Infinity || v === -Infinity)
      bad(`field '${name}': expected a finite number, got ${v}`, name, 'transformRow');
    return v;
  }
  if (v === undefined || v === null) return Number.NaN;
  return bad(`field '${name}': expected a number, got ${typeof v} ${describeValue(v)}`, name, 'transformRow');
}

/** A row's categorical field as text (numbers become their shortest form); `null` when missing. */
export function rowKey(row: Record<string, unknown>, name: string): string | null {
  const v = row[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return null;
    if (!Number.isFinite(v))
      bad(`field '${name}': expected a string or a finite number, got ${v}`, name, 'transformRow');
    return String(v);
  }
  if (v === undefined || v === null) return null;
  return bad(`field '${name}': expected a string, got ${typeof v} ${describeValue(v)}`, name, 'transformRow');
}

/** Computes one derived value from `inputs` into `out[at]` (no heap-number allocation; non-finite → NaN). */
export function deriveInto(spec: DerivedColumnSpec, inputs: Float64Array, out: Float64Array, at: number): void {
  if (spec.op === 'ratio') out[at] = inputs[0]! / inputs[1]!;
  else if (spec.op === 'log1p') out[at] = Math.log1p(inputs[0]!);
  else {
    out[at] = inputs[0]!;
    for (let i = 1; i < inputs.length; i++) out[at] = out[at]! * inputs[i]!;
  }
  if (out[at] === Infinity || out[at] === -Infinity) out[at] = Number.NaN;
}

/** The input column names a derived column reads. */
export function derivedInputs(spec: DerivedColumnSpec): readonly string[] {
  return spec.op === 'ratio'
    ? [spec.numerator, spec.denominator]
    : spec.op === 'product'
      ? spec.columns
      : [spec.column];
}

/** A table plus the derived columns computed over it. */
export class TableView {
  readonly numRows: number;
  readonly #table: Table;
  readonly #derived = new Map<string, Column>();

  constructor(table: Table, derive: readonly DerivedColumnSpec[]) {
    this.#table = table;
    this.numRows = table.numRows;
    for (const d of derive) {
      const ins = derivedInputs(d).map((n) => this.numeric(n));
      const out = new Float64Array(this.numRows);
      const buf = new Float64Array(ins.length);
      for (let i = 0; i < this.numRows; i++) {
        for (let j = 0; j < ins.length; j++) buf[j] = ins[j]![i]!;
        deriveInto(d, buf, out, i);
      }
      this.#derived.set(d.name, { kind: 'numeric', name: d.name, values: out });
    }
  }

  /** A column by name (derived first); DataError `MISSING_COLUMN` when absent. */
  column(name: string): Column {
    return this.#derived.get(name) ?? this.#table.column(name);
  }

  /** A numeric column's values; ValidationError when the column is categorical or holds ±Infinity. */
  numeric(name: string): Float64Array {
    const col = this.column(name);
    if (col.kind !== 'numeric')
      bad(`column '${name}': expected a numeric column, got a categorical one`, name, 'transform');
    for (let i = 0; i < col.values.length; i++) {
      const v = col.values[i]!;
      if (v === Infinity || v === -Infinity)
        bad(`column '${name}', row ${i + 1}: expected a finite number, got ${v}`, name, 'transform');
    }
    return col.values;
  }

  /** A reader of a column's values as text keys (`null` when missing). */
  keys(name: string): (i: number) => string | null {
    const col = this.column(name);
    if (col.kind === 'categorical') {
      const { codes, dictionary } = col;
      return (i) => (codes[i]! < 0 ? null : dictionary[codes[i]!]!);
    }
    const { values } = col;
    return (i) => (Number.isNaN(values[i]!) ? null : String(values[i]));
  }
}
