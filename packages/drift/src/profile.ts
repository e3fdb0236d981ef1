/**
 * The reference profile: a compact, JSON-able summary of the training data (per feature its type,
 * quantile bin edges and histogram, a sorted sample or quantile sketch, category frequencies,
 * missing rate, mean, std and skewness; per model the prediction distribution). It is stored in
 * the model artifact's `profile` field.
 */
import type { Column, Serial, Table } from '@modelship/core';
import { z } from 'zod';
import { DriftError } from './errors.js';
import { quantileSorted } from './stats/quantile.js';
import { toCategory, toNumber } from './values.js';

/** A feature's kind: numbers, or categories compared by their string form. */
export type FeatureType = 'numeric' | 'categorical';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** The zod schema of a numeric feature profile. */
export const numericSchema = z.object({
  /** Always `'numeric'`. */
  type: z.literal('numeric'),
  /** Non-missing values. */
  count: z.number().int().nonnegative(),
  /** Missing values (those that do not read as a finite number). */
  missing: z.number().int().nonnegative(),
  /** Mean of the non-missing values (0 when none). */
  mean: finite,
  /** Population standard deviation (0 when none). */
  std: finite,
  /** Population skewness (0 when the std is 0). */
  skewness: finite,
  /** Smallest value (0 when none). */
  min: finite,
  /** Largest value (0 when none). */
  max: finite,
  /** Inner bin edges: the quantiles at 1/bins … (bins−1)/bins (empty when there are no values). */
  edges: z.array(finite),
  /** Share of the values in each bin (one more than the edges). */
  binProportions: z.array(finite),
  /** The sorted values, or evenly spaced quantiles of them when there are more than the sample size. */
  sample: z.array(finite),
  /** Whether `sample` holds every value (otherwise it is a quantile sketch of them). */
  sampleExact: z.boolean(),
});

/** The zod schema of a categorical feature profile. */
export const categoricalSchema = z.object({
  /** Always `'categorical'`. */
  type: z.literal('categorical'),
  /** Non-missing values. */
  count: z.number().int().nonnegative(),
  /** Missing values. */
  missing: z.number().int().nonnegative(),
  /** The categories seen, by decreasing frequency. */
  categories: z.array(z.string()),
  /** Share of the non-missing values in each category, in `categories` order. */
  proportions: z.array(finite),
});

/** The zod schema of any feature profile. */
export const featureSchema = z.discriminatedUnion('type', [numericSchema, categoricalSchema]);

/** The zod schema of a {@link ReferenceProfile}. */
export const referenceProfileSchema = z.object({
  /** Identifies a reference profile. */
  kind: z.literal('modelship.drift.profile'),
  /** Format version. */
  version: z.literal(1),
  /** Rows profiled. */
  rows: z.number().int().nonnegative(),
  /** The profile of each feature, by name. */
  features: z.record(z.string(), featureSchema),
  /** The profile of the model's predictions on the reference rows, when given. */
  prediction: featureSchema.optional(),
});

/** The profile of a numeric feature. */
export type NumericFeatureProfile = z.infer<typeof numericSchema>;
/** The profile of a categorical feature. */
export type CategoricalFeatureProfile = z.infer<typeof categoricalSchema>;
/** The profile of one feature. */
export type FeatureProfile = z.infer<typeof featureSchema>;
/** A reference profile: plain JSON data, kilobytes in size. */
export type ReferenceProfile = z.infer<typeof referenceProfileSchema>;

/** Rows as records, columns as arrays keyed by feature name, or core's `Table`. */
export type TableInput = readonly Record<string, unknown>[] | Readonly<Record<string, ArrayLike<unknown>>> | Table;

const optionsSchema = z.object({
  features: z
    .record(z.string(), z.enum(['numeric', 'categorical']))
    .refine((f) => Object.keys(f).length > 0, 'needs at least one feature'),
  bins: z.number().int().min(2).max(100).default(10),
  sampleSize: z.number().int().min(10).max(100_000).default(1000),
  predictions: z.object({ type: z.enum(['numeric', 'categorical']), values: z.any() }).optional(),
});

/** Options of {@link buildProfile}. */
export interface BuildProfileOptions {
  /** The features to profile and their type. */
  features: Record<string, FeatureType>;
  /** Quantile bins per numeric feature (default 10). */
  bins?: number;
  /** Reference values kept per numeric feature for KS and Wasserstein: all of them when there are at most this many, else this many quantiles at evenly spaced probabilities from 0 to 1 (default 1000). */
  sampleSize?: number;
  /** The model's predictions on the reference rows, profiled as the prediction distribution. */
  predictions?: {
    /** How to profile the predictions. */
    type: FeatureType;
    /** One prediction per reference row. */
    values: ArrayLike<unknown>;
  };
}

/** Whether a value has the public shape of core's `Table` (duck-typed: drift imports no value from core). */
function isTable(input: unknown): input is Table {
  const t = input as Partial<Record<'numRows' | 'columnNames' | 'has' | 'column', unknown>> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.numRows === 'number' &&
    Array.isArray(t.columnNames) &&
    typeof t.has === 'function' &&
    typeof t.column === 'function'
  );
}

/** A table column's cells as plain values: numbers (NaN missing) or strings (null missing). */
function tableColumn(col: Column): ArrayLike<unknown> {
  if (col.kind === 'numeric') return col.values;
  const out = new Array<string | null>(col.codes.length);
  for (let i = 0; i < col.codes.length; i++) {
    const c = col.codes[i]!;
    out[i] = c < 0 ? null : (col.dictionary[c] ?? null);
  }
  return out;
}

/** Input read through one interface: its row count, its column names, and a column by name. */
export interface InputReader {
  /** Rows in the input. */
  rows: number;
  /** The names the input holds (rows: the keys of the first 1,000 rows). */
  names(): string[];
  /** The column of that name (undefined when absent). */
  column(name: string): ArrayLike<unknown> | undefined;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

const isArrayLike = (x: unknown): x is ArrayLike<unknown> =>
  Array.isArray(x) || (ArrayBuffer.isView(x) && typeof (x as { length?: unknown }).length === 'number');

const describeValue = (x: unknown): string =>
  x === null
    ? 'null'
    : Array.isArray(x)
      ? 'an array'
      : typeof x === 'object'
        ? (x.constructor?.name ?? 'an object')
        : typeof x;

/**
 * Reads rows, columns or a `Table`; throws DriftError `INVALID_INPUT` naming what is wrong for
 * anything else (a row that is not an object, a column that is not an array or typed array).
 */
export function readInput(input: unknown, operation: string): InputReader {
  const fail = (message: string, details?: Record<string, unknown>): never => {
    throw new DriftError('INVALID_INPUT', `${operation}: ${message}`, {
      operation,
      ...(details ? { details } : {}),
    });
  };
  if (isTable(input)) {
    return {
      rows: input.numRows,
      names: () => [...input.columnNames],
      column: (name) => (input.has(name) ? tableColumn(input.column(name)) : undefined),
    };
  }
  if (Array.isArray(input)) {
    const rows = input as unknown[];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        fail(`row ${i}: expected an object of fields, got ${describeValue(rows[i])}`, { row: i });
      }
    }
    const records = rows as Record<string, unknown>[];
    return {
      rows: records.length,
      names: () => {
        const seen = new Set<string>();
        for (let i = 0; i < Math.min(records.length, 1000); i++) for (const k of Object.keys(records[i]!)) seen.add(k);
        return [...seen];
      },
      column: (name) => records.map((r) => r[name]),
    };
  }
  if (!isPlainObject(input)) {
    return fail(`input must be an array of rows, an object of columns or a Table, got ${describeValue(input)}`);
  }
  let rows = 0;
  for (const [name, col] of Object.entries(input)) {
    if (!isArrayLike(col))
      fail(`column "${name}": expected an array or a typed array, got ${describeValue(col)}`, { column: name });
    rows = Math.max(rows, (col as ArrayLike<unknown>).length);
  }
  const cols = input as Record<string, ArrayLike<unknown>>;
  return { rows, names: () => Object.keys(cols), column: (name) => cols[name] };
}

/** Profiles one numeric column. */
export function profileNumeric(values: ArrayLike<unknown>, bins = 10, sampleSize = 1000): NumericFeatureProfile {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = toNumber(values[i]);
    if (!Number.isNaN(x)) xs.push(x);
  }
  const n = xs.length;
  const sorted = Float64Array.from(xs).sort();
  let mean = 0;
  for (const x of sorted) mean += x;
  mean = n ? mean / n : 0;
  let m2 = 0;
  let m3 = 0;
  for (const x of sorted) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 = n ? m2 / n : 0;
  m3 = n ? m3 / n : 0;
  const std = Math.sqrt(m2);
  const skewness = m2 > 0 ? m3 / m2 ** 1.5 : 0;
  const edges: number[] = [];
  const binProportions = new Array<number>(bins).fill(0);
  if (n > 0) {
    for (let i = 1; i < bins; i++) edges.push(quantileSorted(sorted, i / bins));
    let b = 0;
    for (const x of sorted) {
      while (b < edges.length && edges[b]! <= x) b++;
      binProportions[b]!++;
    }
    for (let i = 0; i < bins; i++) binProportions[i] = binProportions[i]! / n;
  }
  let sample: number[];
  const exact = n <= sampleSize;
  if (exact) sample = Array.from(sorted);
  else {
    sample = new Array(sampleSize);
    for (let i = 0; i < sampleSize; i++) sample[i] = quantileSorted(sorted, i / (sampleSize - 1));
  }
  return {
    type: 'numeric',
    count: n,
    missing: values.length - n,
    mean,
    std,
    skewness,
    min: n ? sorted[0]! : 0,
    max: n ? sorted[n - 1]! : 0,
    edges,
    binProportions,
    sample,
    sampleExact: exact,
  };
}

/** Profiles one categorical column (categories ordered by decreasing frequency). */
export function profileCategorical(values: ArrayLike<unknown>): CategoricalFeatureProfile {
  const counts = new Map<string, number>();
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const c = toCategory(values[i]);
    if (c === undefined) continue;
    n++;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    type: 'categorical',
    count: n,
    missing: values.length - n,
    categories: entries.map((e) => e[0]),
    proportions: entries.map((e) => e[1] / n),
  };
}

/**
 * Builds the reference profile of training rows, columns or a core `Table`. Throws DriftError
 * `INVALID_OPTIONS` on bad options and `INVALID_INPUT` on input of the wrong type or a missing column.
 * @example
 * ```ts
 * const profile = buildProfile(trainRows, { features: { sqft: 'numeric', location: 'categorical' } });
 * ```
 */
export function buildProfile(input: TableInput, options: BuildProfileOptions): ReferenceProfile {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DriftError('INVALID_OPTIONS', `buildProfile: invalid options\n${z.prettifyError(parsed.error)}`, {
      operation: 'buildProfile',
    });
  }
  const { features, bins, sampleSize } = parsed.data;
  const reader = readInput(input, 'buildProfile');
  const out: ReferenceProfile['features'] = {};
  for (const [name, type] of Object.entries(features)) {
    const col = reader.column(name);
    if (col === undefined || typeof col.length !== 'number') {
      throw new DriftError('INVALID_INPUT', `buildProfile: column "${name}" is missing from the input`, {
        operation: 'buildProfile',
        details: { feature: name },
      });
    }
    out[name] = type === 'numeric' ? profileNumeric(col, bins, sampleSize) : profileCategorical(col);
  }
  const profile: ReferenceProfile = {
    kind: 'modelship.drift.profile',
    version: 1,
    rows: reader.rows,
    features: out,
  };
  const p = options.predictions;
  if (p)
    profile.prediction =
      p.type === 'numeric' ? profileNumeric(p.values, bins, sampleSize) : profileCategorical(p.values);
  return profile;
}

/** Reads a profile back from an artifact's `profile` field (or any JSON), validating it. */
export function parseProfile(serial: Serial | unknown): ReferenceProfile {
  const res = referenceProfileSchema.safeParse(serial);
  if (!res.success) {
    throw new DriftError(
      'INVALID_PROFILE',
      `parseProfile: not a drift reference profile\n${z.prettifyError(res.error)}`,
      {
        operation: 'parseProfile',
      },
    );
  }
  for (const [name, f] of Object.entries(res.data.features)) {
    if (f.type === 'numeric' && f.binProportions.length !== f.edges.length + 1 && f.count > 0) {
      throw new DriftError(
        'INVALID_PROFILE',
        `parseProfile: feature "${name}" has ${f.edges.length} edges but ${f.binProportions.length} bins`,
        {
          operation: 'parseProfile',
        },
      );
    }
    if (f.type === 'categorical' && f.categories.length !== f.proportions.length) {
      throw new DriftError(
        'INVALID_PROFILE',
        `parseProfile: feature "${name}" has ${f.categories.length} categories but ${f.proportions.length} proportions`,
        {
          operation: 'parseProfile',
        },
      );
    }
  }
  return res.data;
}

/** The profile as plain JSON data for the artifact's `profile` field. */
export function profileToJSON(profile: ReferenceProfile): Serial {
  return JSON.parse(JSON.stringify(profile)) as Serial;
}
