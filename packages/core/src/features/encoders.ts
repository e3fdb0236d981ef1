import { ValidationError } from '../errors.js';
import { pairwiseSum } from '../data/pairwise-sum.js';
import { hashEncoder } from './hash-encoder.js';
import { rowKey, rowNumber, type TableView } from './columns.js';
import type { FeatureStepSpec, NumericStepSpec, OneHotStepSpec } from './spec.js';

/** Fitted state of one feature step, as plain JSON data. */
export type StepState =
  | {
      /** A numeric step. */
      readonly type: 'numeric';
      /** Fill value for missing values, or `null` when none is configured. */
      readonly impute: number | null;
      /** Training mean subtracted when standardizing (0 otherwise). */
      readonly mean: number;
      /** Training std divided by when standardizing (1 otherwise). */
      readonly scale: number;
    }
  | {
      /** A one-hot step or a one-hot cross. */
      readonly type: 'levels';
      /** Kept levels, sorted (the dropped level included). */
      readonly levels: readonly string[];
      /** Training values rarer than `minFrequency`, mapped to the other level. */
      readonly rare: readonly string[];
      /** The level that rare (and, by default, unseen) values go to, or `null`. */
      readonly otherLevel: string | null;
      /** Fill value for missing values, or `null`. */
      readonly fill: string | null;
    }
  | {
      /** A hashing step or a hashed cross (nothing fitted). */
      readonly type: 'hash';
    };

/** A fitted feature step: writes its `width` output columns for a table or a single row. */
export interface Encoder {
  /** Number of output columns. */
  readonly width: number;
  /** Output feature names. */
  readonly names: readonly string[];
  /** The fitted state. */
  readonly state: StepState;
  /** Writes rows of `view` into a zeroed row-major matrix at column `offset`. */
  fillTable(view: TableView, out: Float64Array, stride: number, offset: number): void;
  /** Writes one row at `offset` of `out` (overwriting its columns). */
  fillRow(row: Record<string, unknown>, derived: Float64Array, out: Float64Array, offset: number): void;
}

function missingError(field: string, where: string, operation: string): never {
  throw new ValidationError('INVALID_INPUT', `${where}: missing value for '${field}' and no imputation is configured for it`, {
    operation,
    details: { field },
  });
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mostFrequent<T extends number | string>(values: Iterable<T>): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = -1;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v < best!)) (best = v), (bestCount = c);
  return best!;
}

/** Fits a numeric step on training values. */
export function fitNumeric(spec: NumericStepSpec, values: Float64Array): StepState {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      if (!spec.impute) missingError(spec.column, `fit: training row ${i + 1}`, 'FeaturePipeline.fit');
    } else present.push(v);
  }
  let impute: number | null = null;
  if (spec.impute) {
    const { strategy, value } = spec.impute;
    if (strategy === 'constant') {
      if (typeof value !== 'number') {
        throw new ValidationError('INVALID_OPTIONS', `fit: '${spec.column}': a numeric column needs a numeric constant, got ${JSON.stringify(value)}`, {
          operation: 'FeaturePipeline.fit',
          details: { field: spec.column },
        });
      }
      impute = value;
    } else {
      if (present.length === 0) missingError(spec.column, 'fit: every training value is missing, nothing to impute from', 'FeaturePipeline.fit');
      impute = strategy === 'median' ? median(present) : strategy === 'mean' ? pairwiseSum(present) / present.length : mostFrequent(present);
    }
  }
  if (!spec.standardize) return { type: 'numeric', impute, mean: 0, scale: 1 };
  const filled = Float64Array.from(values, (v) => (Number.isNaN(v) ? impute! : v));
  const mean = pairwiseSum(filled) / filled.length;
  const sq = filled.map((v) => (v - mean) ** 2);
  const std = Math.sqrt(pairwiseSum(sq) / filled.length);
  return { type: 'numeric', impute, mean, scale: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** The runtime of a fitted numeric step. */
export function numericEncoder(spec: NumericStepSpec, state: Extract<StepState, { type: 'numeric' }>, derivedIndex: number): Encoder {
  const { impute, mean, scale } = state;
  const standardize = spec.standardize === true;
  const col = spec.column;
  const apply = (v: number, where: string, op: string): number => {
    if (Number.isNaN(v)) {
      if (impute === null) missingError(col, where, op);
      v = impute;
    }
    return standardize ? (v - mean) / scale : v;
  };
  return {
    width: 1,
    names: [spec.name ?? col],
    state,
    fillTable(view, out, stride, offset) {
      const values = view.numeric(col);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        out[i * stride + offset] = Number.isNaN(v) ? apply(v, `transform: row ${i + 1}`, 'FeaturePipeline.transform') : standardize ? (v - mean) / scale : v;
      }
    },
    fillRow(row, derived, out, offset) {
      // written inline (no helper returning a double) so the hot path allocates no heap numbers
      if (derivedIndex >= 0) out[offset] = derived[derivedIndex]!;
      else {
        const raw = row[col];
        if (typeof raw === 'number' && raw !== Infinity && raw !== -Infinity) out[offset] = raw;
        else out[offset] = rowNumber(row, col);
      }
      if (Number.isNaN(out[offset]!)) {
        if (impute === null) missingError(col, 'transformRow', 'FeaturePipeline.transformRow');
        out[offset] = impute;
      }
      if (standardize) out[offset] = (out[offset]! - mean) / scale;
    },
  };
}

/** Fits level-based encoding (one-hot or a one-hot cross) on training keys. */
export function fitLevels(
  keys: (string | null)[],
  opts: { column: string; minFrequency?: number; otherLevel?: string; dropLevel?: string; impute?: OneHotStepSpec['impute']; allowMissing: boolean },
): StepState {
  let fill: string | null = null;
  if (opts.impute) {
    fill = opts.impute.strategy === 'constant' ? String(opts.impute.value) : mostFrequent(keys.filter((k): k is string => k !== null));
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
    throw new ValidationError('INVALID_OPTIONS', `fit: dropLevel '${opts.dropLevel}' is not a level of '${opts.column}' in the training rows`, {
      operation: 'FeaturePipeline.fit',
      details: { field: opts.column },
    });
  }
  return { type: 'levels', levels, rare: rareOnly, otherLevel: levels.includes(other) ? other : null, fill };
}

/** The runtime of fitted level-based encoding; `key` reads a row's key, `keysOf` a table's. */
export function levelsEncoder(
  state: Extract<StepState, { type: 'levels' }>,
  opts: {
    prefix: string;
    field: string;
    dropLevel?: string;
    unseen?: 'other' | 'zeros';
    missingIsZero: boolean;
    rowKey: (row: Record<string, unknown>, derived: Float64Array) => string | null;
    tableKeys: (view: TableView) => (i: number) => string | null;
  },
): Encoder {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const l of state.levels) {
    if (l === opts.dropLevel) index.set(l, -1);
    else (index.set(l, names.length), names.push(`${opts.prefix}=${l.replaceAll('\u001f', '&')}`));
  }
  if (state.otherLevel !== null && !index.has(state.otherLevel)) {
    throw new ValidationError('INVALID_INPUT', `'${opts.field}': the other level '${state.otherLevel}' is not among the levels`, {
      operation: 'FeaturePipeline.fromJSON',
      details: { field: opts.field },
    });
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
  if (spec.type === 'numeric' && state.type === 'numeric') return numericEncoder(spec, state, derivedIndex(spec.column));
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
  throw new ValidationError('INVALID_INPUT', `fitted state of type '${state.type}' does not match a '${spec.type}' step`, {
    operation: 'FeaturePipeline.fromJSON',
  });
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
    ? fitLevels(keys, { column: spec.column, minFrequency: spec.minFrequency, otherLevel: spec.otherLevel, dropLevel: spec.dropLevel, impute: spec.impute, allowMissing: false })
    : fitLevels(keys, { column: spec.columns.join(', '), minFrequency: spec.minFrequency, allowMissing: true });
}
