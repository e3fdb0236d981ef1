import { ValidationError } from '../errors.js';
import type { Table } from '../data/table.js';
import { TableView } from './columns.js';
import { QuantileBinner, quantileClasses, type QuantileBinnerState } from './quantile-classes.js';
import type { TargetSpec } from './spec.js';

/** Fitted state of a pipeline's target, as plain JSON data. */
export type TargetState =
  | {
      /** A numeric target. */
      readonly kind: 'numeric';
    }
  | {
      /** A class target. */
      readonly kind: 'class';
      /** Class labels in index order. */
      readonly classes: readonly string[];
    }
  | {
      /** A quantile-class target. */
      readonly kind: 'quantile';
      /** The fitted binner. */
      readonly binner: QuantileBinnerState;
    };

function targetValues(spec: TargetSpec, table: Table, operation: string): Float64Array {
  const values = new TableView(table, []).numeric(spec.column);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) {
      throw new ValidationError('INVALID_INPUT', `${operation}: row ${i + 1}: the target '${spec.column}' is missing`, {
        operation,
        details: { field: spec.column, row: i + 1 },
      });
    }
  }
  return values;
}

/** Fits the target on training rows (class list or quantile thresholds). */
export function fitTarget(spec: TargetSpec, table: Table): TargetState {
  if (spec.kind === 'numeric') {
    targetValues(spec, table, 'FeaturePipeline.fit');
    return { kind: 'numeric' };
  }
  if (spec.kind === 'quantile') {
    return {
      kind: 'quantile',
      binner: quantileClasses(targetValues(spec, table, 'FeaturePipeline.fit'), spec.quantiles, spec.labels).toJSON(),
    };
  }
  if (spec.classes) return { kind: 'class', classes: [...spec.classes] };
  const keyAt = new TableView(table, []).keys(spec.column);
  const seen = new Set<string>();
  for (let i = 0; i < table.numRows; i++) {
    const k = keyAt(i);
    if (k !== null) seen.add(k);
  }
  if (seen.size === 0) {
    throw new ValidationError(
      'INVALID_INPUT',
      `FeaturePipeline.fit: every training value of the target '${spec.column}' is missing (expected at least one class)`,
      {
        operation: 'FeaturePipeline.fit',
        details: { field: spec.column },
      },
    );
  }
  return { kind: 'class', classes: [...seen].sort() };
}

/** The target of every row: a number, or a class index for `class` and `quantile` targets. */
export function transformTarget(spec: TargetSpec, state: TargetState, table: Table): Float64Array {
  const op = 'FeaturePipeline.transformTarget';
  if (state.kind === 'numeric') {
    const v = targetValues(spec, table, op);
    const d = spec.kind === 'numeric' ? spec.divisor : undefined;
    return d === undefined ? Float64Array.from(v) : v.map((x) => x / d);
  }
  if (state.kind === 'quantile') return QuantileBinner.fromJSON(state.binner).transform(targetValues(spec, table, op));
  const index = new Map(state.classes.map((c, i) => [c, i]));
  const keyAt = new TableView(table, []).keys(spec.column);
  const out = new Float64Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const k = keyAt(i);
    const j = k === null ? undefined : index.get(k);
    if (j === undefined) {
      throw new ValidationError(
        'INVALID_INPUT',
        `${op}: row ${i + 1}: the target '${spec.column}' is ${k === null ? 'missing' : `'${k}', not one of the classes ${state.classes.map((c) => `'${c}'`).join(', ')}`}`,
        { operation: op, details: { field: spec.column, row: i + 1 } },
      );
    }
    out[i] = j;
  }
  return out;
}

/** The class labels of a fitted target (`undefined` for a numeric target). */
export function targetClasses(state: TargetState): readonly string[] | undefined {
  return state.kind === 'class' ? state.classes : state.kind === 'quantile' ? state.binner.labels : undefined;
}
