/**
 * The reference profile: a compact, JSON-able summary of the training data (per feature its type,
 * quantile bin edges and histogram, a sorted sample or quantile sketch, category frequencies,
 * missing rate, mean, std and skewness; per model the prediction distribution). It is stored in
 * the model artifact's `profile` field.
 */
import type { Serial } from '@modelship/core';
import { z } from 'zod';
import { DriftError } from './errors.js';
import { quantileSorted } from './stats/quantile.js';
import { toCategory, toNumber } from './values.js';

/** A feature's kind: numbers, or categories compared by their string form. */
export type FeatureType = 'numeric' | 'categorical';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** The zod schema of a numeric feature profile. */
export const numericSchema = z.object({
  type: z.literal('numeric'),
  count: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  mean: finite,
  std: finite,
  skewness: finite,
  min: finite,
  max: finite,
  edges: z.array(finite),
  binProportions: z.array(finite),
  sample: z.array(finite),
  sampleExact: z.boolean(),
});

/** The zod schema of a categorical feature profile. */
export const categoricalSchema = z.object({
  type: z.literal('categorical'),
  count: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  categories: z.array(z.string()),
  proportions: z.array(finite),
});

/** The zod schema of any feature profile. */
export const featureSchema = z.discriminatedUnion('type', [numericSchema, categoricalSchema]);

/** The zod schema of a {@link ReferenceProfile}. */
export const referenceProfileSchema = z.object({
  kind: z.literal('modelship.drift.profile'),
  version: z.literal(1),
  rows: z.number().int().nonnegative(),
  features: z.record(z.string(), featureSchema),
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

/** Rows as records, or columns as arrays keyed by feature name. */
export type TableInput = readonly Record<string, unknown>[] | Readonly<Record<string, ArrayLike<unknown>>>;

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
  predictions?: { type: FeatureType; values: ArrayLike<unknown> };
}

/** Reads one column out of rows or columns. */
export function column(input: TableInput, name: string): ArrayLike<unknown> | undefined {
  if (Array.isArray(input)) return (input as Record<string, unknown>[]).map((r) => r?.[name]);
  const col = (input as Record<string, ArrayLike<unknown>>)[name];
  return col;
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

function tableLength(input: TableInput): number {
  if (Array.isArray(input)) return input.length;
  const cols = Object.values(input as Record<string, ArrayLike<unknown>>);
  return cols.length ? cols[0]!.length : 0;
}

/**
 * Builds the reference profile of training rows (or columns).
 * @example
 * const profile = buildProfile(trainRows, { features: { sqft: 'numeric', location: 'categorical' } });
 */
export function buildProfile(input: TableInput, options: BuildProfileOptions): ReferenceProfile {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DriftError('INVALID_OPTIONS', `buildProfile: invalid options\n${z.prettifyError(parsed.error)}`, {
      operation: 'buildProfile',
    });
  }
  const { features, bins, sampleSize } = parsed.data;
  if (input === null || typeof input !== 'object') {
    throw new DriftError('INVALID_INPUT', 'buildProfile: input must be an array of rows or an object of columns', {
      operation: 'buildProfile',
    });
  }
  const out: ReferenceProfile['features'] = {};
  for (const [name, type] of Object.entries(features)) {
    const col = column(input, name);
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
    rows: tableLength(input),
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
