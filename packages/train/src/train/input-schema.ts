import type { ColumnSpec, Schema } from '@modelship/core';
import type { Table } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';

/**
 * Input columns that may be missing at serving time: those every reader tolerates — each step that
 * reads the column (directly, or through a derived column) imputes it, or is a hash or cross step
 * (which treat a missing value as "nothing"). A column read by one step that imputes and another
 * that does not stays required.
 */
function imputedColumns(spec: FeaturePipelineSpec): Set<string> {
  const derived = new Map((spec.derive ?? []).map((d) => [d.name, d]));
  const tolerated = new Set<string>();
  const required = new Set<string>();
  const mark = (name: string, into: Set<string>): void => {
    const d = derived.get(name);
    if (d === undefined) {
      into.add(name);
      return;
    }
    for (const n of d.op === 'ratio' ? [d.numerator, d.denominator] : d.op === 'product' ? d.columns : [d.column])
      mark(n, into);
  };
  for (const f of spec.features) {
    if (f.type === 'numeric' || f.type === 'onehot') mark(f.column, f.impute ? tolerated : required);
    else for (const c of f.columns) mark(c, tolerated);
  }
  for (const c of required) tolerated.delete(c);
  return tolerated;
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
