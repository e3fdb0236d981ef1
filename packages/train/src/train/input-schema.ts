import type { ColumnSpec, Schema } from '@modelship/core';
import type { Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';

/** Input columns that a step imputes (directly, or through a derived column that is imputed). */
function imputedColumns(spec: FeaturePipelineSpec): Set<string> {
  const derived = new Map((spec.derive ?? []).map((d) => [d.name, d]));
  const out = new Set<string>();
  const mark = (name: string): void => {
    const d = derived.get(name);
    if (d === undefined) {
      out.add(name);
      return;
    }
    for (const n of d.op === 'ratio' ? [d.numerator, d.denominator] : d.op === 'product' ? d.columns : [d.column])
      mark(n);
  };
  for (const f of spec.features) {
    if ((f.type === 'numeric' || f.type === 'onehot') && f.impute) mark(f.column);
    // hashes and crosses treat a missing value as "nothing": optional too
    if (f.type === 'hash' || f.type === 'cross') for (const c of f.columns) mark(c);
  }
  return out;
}

/**
 * The input schema stored in an artifact: the pipeline's input columns, typed from the training
 * table, required unless the pipeline imputes them. When `given` is passed its specs are used
 * (the target column left out). Also returns the categories seen in training per categorical column.
 */
export function deriveInputSchema(
  table: Table,
  spec: FeaturePipelineSpec,
  inputColumns: readonly string[],
  given?: Schema,
): { schema: Schema; categories: Record<string, string[]> } {
  const imputed = imputedColumns(spec);
  const columns: Record<string, ColumnSpec> = {};
  const categories: Record<string, string[]> = {};
  for (const name of inputColumns) {
    const col = table.column(name);
    if (col.kind === 'categorical') {
      const seen = new Set<string>();
      for (let i = 0; i < col.codes.length; i++) if (col.codes[i]! >= 0) seen.add(col.dictionary[col.codes[i]!]!);
      categories[name] = [...seen].sort();
    }
    const g = given?.columns[name];
    if (g !== undefined) {
      const { role: _role, ...rest } = g;
      columns[name] = rest;
      continue;
    }
    columns[name] = { type: col.kind, ...(imputed.has(name) ? { required: false } : {}) };
  }
  return { schema: { columns }, categories };
}
