import { DataError, ValidationError } from '@modelship/core';
import { Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';

/** Columns the spec reads as numbers (numeric steps and derived-column inputs), derived names excluded. */
function numericInputs(spec: FeaturePipelineSpec): Set<string> {
  const derived = new Set((spec.derive ?? []).map((d) => d.name));
  const out = new Set<string>();
  for (const d of spec.derive ?? [])
    for (const n of d.op === 'ratio' ? [d.numerator, d.denominator] : d.op === 'product' ? d.columns : [d.column])
      out.add(n);
  for (const f of spec.features) if (f.type === 'numeric') out.add(f.column);
  for (const d of derived) out.delete(d);
  return out;
}

/**
 * Checks a training table before anything is fitted, so that bad data gives one clear error
 * naming the column: an empty table (DataError `EMPTY`), a missing column (`MISSING_COLUMN`),
 * text in a column read as numbers, or NaN / ±Infinity where no imputation is configured (`BAD_VALUE`).
 */
export function preflight(table: Table, spec: FeaturePipelineSpec, inputColumns: readonly string[]): void {
  const op = 'Trainer.fit';
  if (!(table instanceof Table)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `Trainer.fit: table: expected a Table (e.g. from readCsv), got ${table === null ? 'null' : typeof table}`,
      {
        operation: op,
        details: { field: 'table' },
      },
    );
  }
  if (table.numRows === 0) {
    throw new DataError('EMPTY', 'the training table has no rows', { operation: op });
  }
  const needed = [...inputColumns, spec.target!.column];
  const missing = needed.filter((c) => !table.has(c));
  if (missing.length > 0) {
    throw new DataError(
      'MISSING_COLUMN',
      `the training table lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}; it has: ${table.columnNames.map((c) => `'${c}'`).join(', ')}`,
      { operation: op, details: { column: missing[0], missing, columns: [...table.columnNames] } },
    );
  }
  const imputed = new Set(
    spec.features
      .filter((f) => (f.type === 'numeric' || f.type === 'onehot') && f.impute)
      .map((f) => (f as { column: string }).column),
  );
  const derivedInputsOf = new Set<string>();
  for (const d of spec.derive ?? [])
    for (const n of d.op === 'ratio' ? [d.numerator, d.denominator] : d.op === 'product' ? d.columns : [d.column])
      derivedInputsOf.add(n);
  const numeric = numericInputs(spec);
  if (spec.target!.kind !== 'class') numeric.add(spec.target!.column);
  for (const name of numeric) {
    const col = table.column(name);
    if (col.kind === 'categorical') {
      let example = '';
      let row = 0;
      for (let i = 0; i < col.codes.length; i++) {
        const c = col.codes[i]!;
        if (c >= 0 && Number.isNaN(Number(col.dictionary[c]))) {
          example = col.dictionary[c]!;
          row = i + 1;
          break;
        }
      }
      throw new DataError(
        'BAD_VALUE',
        `column '${name}' must be numeric but holds text${example ? `, e.g. '${example}' at row ${row}` : ''}`,
        { operation: op, details: { column: name, expected: 'numeric', ...(row ? { row, value: example } : {}) } },
      );
    }
    // NaN in a column read directly by a numeric step (or the target) with no imputation
    if (
      imputed.has(name) ||
      (derivedInputsOf.has(name) && !spec.features.some((f) => f.type === 'numeric' && f.column === name))
    )
      continue;
    for (let i = 0; i < col.values.length; i++) {
      const v = col.values[i]!;
      if (!Number.isFinite(v)) {
        const what = Number.isNaN(v) ? 'a missing value (NaN)' : String(v);
        const hint =
          name === spec.target!.column
            ? ''
            : "; add impute: { strategy: 'median' } to its feature step, or drop those rows";
        throw new DataError('BAD_VALUE', `column '${name}' has ${what} at row ${i + 1}${hint}`, {
          operation: op,
          details: { column: name, row: i + 1 },
        });
      }
    }
  }
}
