import { ValidationError } from '../errors.js';
import { hashEncoder } from './hash-encoder.js';
import { rowKey, type TableView } from './columns.js';
import { allMissingError, missingError, mostFrequent } from './fit-errors.js';
import { fitNumeric, numericEncoder } from './numeric-encoder.js';
import type { FeatureStepSpec, OneHotStepSpec } from './spec.js';
import type { Encoder, StepState } from './encoder.js';

/** Fits level-based encoding (one-hot or a one-hot cross) on training keys. */
export function fitLevels(
  keys: (string | null)[],
  opts: {
    column: string;
    minFrequency?: number | undefined;
    otherLevel?: string | undefined;
    dropLevel?: string | undefined;
    impute?: OneHotStepSpec['impute'];
    allowMissing: boolean;
  },
): StepState {
  let fill: string | null = null;
  if (opts.impute) {
    const present = keys.filter((k): k is string => k !== null);
    if (opts.impute.strategy !== 'constant' && present.length === 0) allMissingError(opts.column, opts.impute.strategy);
    fill = opts.impute.strategy === 'constant' ? String(opts.impute.value) : mostFrequent(present);
  }
  const counts = new Map<string, number>();
  keys.forEach((k, i) => {
    const key = k ?? fill;
    if (key === null) {
      if (!opts.allowMissing) missingError(opts.column, `fit: training row ${i + 1}`, 'FeaturePipeline.fit');
      return;
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const minFrequency = opts.minFrequency ?? 1;
  const levels: string[] = [];
  const rare: string[] = [];
  for (const [k, c] of counts) (c >= minFrequency ? levels : rare).push(k);
  const other = opts.otherLevel ?? 'other';
  const rareOnly = rare.filter((r) => r !== other);
  if (rare.length > 0 && !levels.includes(other)) levels.push(other);
  levels.sort();
  rareOnly.sort();
  if (opts.dropLevel !== undefined && !levels.includes(opts.dropLevel)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `fit: dropLevel '${opts.dropLevel}' is not a level of '${opts.column}' in the training rows`,
      {
        operation: 'FeaturePipeline.fit',
        details: { field: opts.column },
      },
    );
  }
  return { type: 'levels', levels, rare: rareOnly, otherLevel: levels.includes(other) ? other : null, fill };
}

/** The runtime of fitted level-based encoding; `key` reads a row's key, `keysOf` a table's. */
export function levelsEncoder(
  state: Extract<StepState, { type: 'levels' }>,
  opts: {
    prefix: string;
    field: string;
    dropLevel?: string | undefined;
    unseen?: 'other' | 'zeros' | undefined;
    missingIsZero: boolean;
    rowKey: (row: Record<string, unknown>, derived: Float64Array) => string | null;
    tableKeys: (view: TableView) => (i: number) => string | null;
  },
): Encoder {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const l of state.levels) {
    if (l === opts.dropLevel) index.set(l, -1);
    else {
      index.set(l, names.length);
      names.push(`${opts.prefix}=${l.replaceAll('\u001f', '&')}`);
    }
  }
  if (state.otherLevel !== null && !index.has(state.otherLevel)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `'${opts.field}': the other level '${state.otherLevel}' is not among the levels`,
      {
        operation: 'FeaturePipeline.fromJSON',
        details: { field: opts.field },
      },
    );
  }
  const otherIdx = state.otherLevel === null ? -1 : index.get(state.otherLevel)!;
  for (const r of state.rare) index.set(r, otherIdx);
  const unseenIdx = (opts.unseen ?? 'other') === 'other' ? otherIdx : -1;
  const width = names.length;
  const lookup = (key: string | null, where: string, op: string): number => {
    if (key === null) {
      if (state.fill !== null) key = state.fill;
      else if (opts.missingIsZero) return -1;
      else missingError(opts.field, where, op);
    }
    const j = index.get(key);
    return j === undefined ? unseenIdx : j;
  };
  return {
    width,
    names,
    state,
    fillTable(view, out, stride, offset) {
      const keyAt = opts.tableKeys(view);
      for (let i = 0; i < view.numRows; i++) {
        const j = lookup(keyAt(i), `transform: row ${i + 1}`, 'FeaturePipeline.transform');
        if (j >= 0) out[i * stride + offset + j] = 1;
      }
    },
    fillRow(row, derived, out, offset) {
      out.fill(0, offset, offset + width);
      const j = lookup(opts.rowKey(row, derived), 'transformRow', 'FeaturePipeline.transformRow');
      if (j >= 0) out[offset + j] = 1;
    },
  };
}

/** Builds the runtime of one step from its spec and fitted state. */
export function makeEncoder(spec: FeatureStepSpec, state: StepState, derivedIndex: (name: string) => number): Encoder {
  if (spec.type === 'numeric' && state.type === 'numeric')
    return numericEncoder(spec, state, derivedIndex(spec.column));
  if (spec.type === 'hash' || (spec.type === 'cross' && (spec.encoding ?? 'hash') === 'hash')) return hashEncoder(spec);
  if (spec.type === 'onehot' && state.type === 'levels') {
    const di = derivedIndex(spec.column);
    return levelsEncoder(state, {
      prefix: spec.column,
      field: spec.column,
      dropLevel: spec.dropLevel,
      unseen: spec.unseen,
      missingIsZero: false,
      rowKey: di >= 0 ? (_row, d) => (Number.isNaN(d[di]!) ? null : String(d[di])) : (row) => rowKey(row, spec.column),
      tableKeys: (view) => view.keys(spec.column),
    });
  }
  if (spec.type === 'cross' && state.type === 'levels') {
    const join = (parts: (string | null)[]): string | null => (parts.includes(null) ? null : parts.join('\u001f'));
    return levelsEncoder(state, {
      prefix: spec.name ?? spec.columns.join('*'),
      field: spec.columns.join(', '),
      unseen: spec.unseen,
      missingIsZero: true,
      rowKey: (row) => join(spec.columns.map((c) => rowKey(row, c))),
      tableKeys: (view) => {
        const readers = spec.columns.map((c) => view.keys(c));
        return (i) => join(readers.map((r) => r(i)));
      },
    });
  }
  throw new ValidationError(
    'INVALID_INPUT',
    `fitted state of type '${state.type}' does not match a '${spec.type}' step`,
    {
      operation: 'FeaturePipeline.fromJSON',
    },
  );
}

/** Fits one step on the training view and returns its state. */
export function fitStep(spec: FeatureStepSpec, view: TableView): StepState {
  if (spec.type === 'numeric') return fitNumeric(spec, view.numeric(spec.column));
  if (spec.type === 'hash') {
    for (const c of spec.columns) view.column(c);
    return { type: 'hash' };
  }
  const cols = spec.type === 'onehot' ? [spec.column] : spec.columns;
  const readers = cols.map((c) => view.keys(c));
  if (spec.type === 'cross' && (spec.encoding ?? 'hash') === 'hash') return { type: 'hash' };
  const keys: (string | null)[] = new Array(view.numRows);
  for (let i = 0; i < view.numRows; i++) {
    const parts = readers.map((r) => r(i));
    keys[i] = parts.includes(null) ? null : parts.join('\u001f');
  }
  return spec.type === 'onehot'
    ? fitLevels(keys, {
        column: spec.column,
        minFrequency: spec.minFrequency,
        otherLevel: spec.otherLevel,
        dropLevel: spec.dropLevel,
        impute: spec.impute,
        allowMissing: false,
      })
    : fitLevels(keys, { column: spec.columns.join(', '), minFrequency: spec.minFrequency, allowMissing: true });
}
