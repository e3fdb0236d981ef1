import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseOrThrow } from '../data/zod-parse.js';

/** How to fill missing values: `median`/`mean` (numeric), `most_frequent`, or a `constant` `value`. */
export interface ImputeSpec {
  /** The strategy. */
  readonly strategy: 'median' | 'mean' | 'most_frequent' | 'constant';
  /** The fill value for `constant` (a number for numeric columns, a string for categorical ones). */
  readonly value?: number | string | undefined;
}

/** `name = numerator / denominator`. */
export interface RatioColumnSpec {
  /** Name of the derived column. */
  readonly name: string;
  /** Operation tag. */
  readonly op: 'ratio';
  /** Dividend column. */
  readonly numerator: string;
  /** Divisor column. */
  readonly denominator: string;
}

/** `name = columns[0] × columns[1] × …`. */
export interface ProductColumnSpec {
  /** Name of the derived column. */
  readonly name: string;
  /** Operation tag. */
  readonly op: 'product';
  /** Two or more factor columns. */
  readonly columns: readonly string[];
}

/** `name = log(1 + column)`. */
export interface Log1pColumnSpec {
  /** Name of the derived column. */
  readonly name: string;
  /** Operation tag. */
  readonly op: 'log1p';
  /** Input column. */
  readonly column: string;
}

/** A derived numeric column computed from other columns before the feature steps. Non-finite results (x/0, log1p(-2)) are missing. */
export type DerivedColumnSpec = RatioColumnSpec | ProductColumnSpec | Log1pColumnSpec;

/** A numeric feature: passthrough, optionally imputed and standardized (population std, as scikit-learn's StandardScaler). */
export interface NumericStepSpec {
  /** Step tag. */
  readonly type: 'numeric';
  /** Input or derived column. */
  readonly column: string;
  /** Output feature name; default the column name. */
  readonly name?: string | undefined;
  /** How to fill missing values; default none (a missing value is a ValidationError). */
  readonly impute?: ImputeSpec | undefined;
  /** Subtract the training mean and divide by the training std; default `false`. */
  readonly standardize?: boolean | undefined;
}

/** One-hot encoding of a categorical (or numeric, as text) column; levels sorted. */
export interface OneHotStepSpec {
  /** Step tag. */
  readonly type: 'onehot';
  /** Input column. */
  readonly column: string;
  /** Levels seen fewer times than this in training go to the `other` level; default 1 (none). */
  readonly minFrequency?: number | undefined;
  /** Unseen values at transform time: `'other'` (the other level if there is one, else all zeros) or `'zeros'`; default `'other'`. Never a throw. */
  readonly unseen?: 'other' | 'zeros' | undefined;
  /** A level whose column is dropped (the reference level; its rows are all zeros); default none. */
  readonly dropLevel?: string | undefined;
  /** Name of the level rare values go to; default `'other'`. */
  readonly otherLevel?: string | undefined;
  /** How to fill missing values (`most_frequent` or `constant`); default none (a missing value is a ValidationError). */
  readonly impute?: ImputeSpec | undefined;
}

/** Feature hashing of one or more columns' values (`column=value` tokens) into a fixed number of buckets. Missing values add nothing. */
export interface HashStepSpec {
  /** Step tag. */
  readonly type: 'hash';
  /** Input columns. */
  readonly columns: readonly string[];
  /** Number of output buckets; default 16384 (2^14). */
  readonly buckets?: number | undefined;
  /** Prefix of the output feature names; default the column names joined with `+`. */
  readonly name?: string | undefined;
  /** Add ±1 by a hash bit instead of +1 (reduces collision bias); default `false`. */
  readonly alternateSign?: boolean | undefined;
}

/** A feature cross of two or more columns (e.g. location × bhk), hashed or one-hot. A missing part gives all zeros. */
export interface CrossStepSpec {
  /** Step tag. */
  readonly type: 'cross';
  /** Input columns crossed together. */
  readonly columns: readonly string[];
  /** `'hash'` (fixed buckets) or `'onehot'` (levels fitted on training rows); default `'hash'`. */
  readonly encoding?: 'hash' | 'onehot' | undefined;
  /** Buckets for `'hash'`; default 16384 (2^14). */
  readonly buckets?: number | undefined;
  /** For `'onehot'`: rarer combinations go to `other`; default 1. */
  readonly minFrequency?: number | undefined;
  /** For `'onehot'`: unseen combinations → `'other'` (if it exists) or `'zeros'`; default `'other'`. */
  readonly unseen?: 'other' | 'zeros' | undefined;
  /** Prefix of the output feature names; default the column names joined with `*`. */
  readonly name?: string | undefined;
}

/** One feature step; each produces one or more output columns, in order. */
export type FeatureStepSpec = NumericStepSpec | OneHotStepSpec | HashStepSpec | CrossStepSpec;

/** A numeric target (regression), optionally divided by a constant. */
export interface NumericTargetSpec {
  /** Target column. */
  readonly column: string;
  /** Target kind tag. */
  readonly kind: 'numeric';
  /** Divide every value by this (e.g. 100000 for California's MedHouseVal); default none. */
  readonly divisor?: number | undefined;
}

/** A categorical target (classification) as class indices. */
export interface ClassTargetSpec {
  /** Target column. */
  readonly column: string;
  /** Target kind tag. */
  readonly kind: 'class';
  /** The classes in index order; default the sorted distinct training values. */
  readonly classes?: readonly string[] | undefined;
}

/** A regression target reframed into ordered classes at training quantiles (see `quantileClasses`). */
export interface QuantileTargetSpec {
  /** Target column. */
  readonly column: string;
  /** Target kind tag. */
  readonly kind: 'quantile';
  /** Ascending quantiles in (0, 1), e.g. `[0.4, 0.8]`. */
  readonly quantiles: readonly number[];
  /** Ordered labels, one more than quantiles, e.g. `['Low', 'Medium', 'High']`. */
  readonly labels: readonly string[];
}

/** How the target is extracted: a number (optionally divided), a class index, or quantile classes. */
export type TargetSpec = NumericTargetSpec | ClassTargetSpec | QuantileTargetSpec;

/** A feature pipeline as plain data: derived columns, feature steps and an optional target. */
export interface FeaturePipelineSpec {
  /** Derived numeric columns, computed in order (later ones may use earlier ones); default none. */
  readonly derive?: readonly DerivedColumnSpec[] | undefined;
  /** The feature steps. */
  readonly features: readonly FeatureStepSpec[];
  /** The target; default none. */
  readonly target?: TargetSpec | undefined;
}

const name = z.string().min(1);
const imputeZ = z
  .strictObject({
    strategy: z.enum(['median', 'mean', 'most_frequent', 'constant']),
    value: z.union([z.number().refine(Number.isFinite, 'must be finite'), z.string()]).optional(),
  })
  .refine((i) => i.strategy !== 'constant' || i.value !== undefined, {
    message: "strategy 'constant' needs a 'value'",
    path: ['value'],
  });
const buckets = z
  .number()
  .int()
  .min(1)
  .max(1 << 24);

const derivedZ = z.discriminatedUnion('op', [
  z.strictObject({ name, op: z.literal('ratio'), numerator: name, denominator: name }),
  z.strictObject({ name, op: z.literal('product'), columns: z.array(name).min(2) }),
  z.strictObject({ name, op: z.literal('log1p'), column: name }),
]);

const stepZ = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('numeric'),
    column: name,
    name: name.optional(),
    impute: imputeZ.optional(),
    standardize: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('onehot'),
    column: name,
    minFrequency: z.number().int().min(1).optional(),
    unseen: z.enum(['other', 'zeros']).optional(),
    dropLevel: z.string().optional(),
    otherLevel: name.optional(),
    impute: imputeZ
      .refine((i) => i.strategy === 'most_frequent' || i.strategy === 'constant', {
        message: "categorical imputation is 'most_frequent' or 'constant'",
      })
      .optional(),
  }),
  z.strictObject({
    type: z.literal('hash'),
    columns: z.array(name).min(1),
    buckets: buckets.optional(),
    name: name.optional(),
    alternateSign: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('cross'),
    columns: z.array(name).min(2),
    encoding: z.enum(['hash', 'onehot']).optional(),
    buckets: buckets.optional(),
    minFrequency: z.number().int().min(1).optional(),
    unseen: z.enum(['other', 'zeros']).optional(),
    name: name.optional(),
  }),
]);

const targetZ = z.discriminatedUnion('kind', [
  z.strictObject({
    column: name,
    kind: z.literal('numeric'),
    divisor: z
      .number()
      .refine((d) => Number.isFinite(d) && d !== 0, 'must be finite and non-zero')
      .optional(),
  }),
  z.strictObject({ column: name, kind: z.literal('class'), classes: z.array(z.string()).min(1).optional() }),
  z
    .strictObject({
      column: name,
      kind: z.literal('quantile'),
      quantiles: z.array(z.number().gt(0).lt(1)).min(1),
      labels: z.array(z.string()).min(2),
    })
    .refine((t) => t.labels.length === t.quantiles.length + 1, {
      message: 'labels must be one more than quantiles',
      path: ['labels'],
    }),
]);

/** The zod schema of a {@link FeaturePipelineSpec}. */
export const featurePipelineSpecZ: z.ZodType<FeaturePipelineSpec> = z
  .strictObject({ derive: z.array(derivedZ).optional(), features: z.array(stepZ).min(1), target: targetZ.optional() })
  .superRefine((s, ctx) => {
    const derived = new Set<string>();
    (s.derive ?? []).forEach((d, i) => {
      if (derived.has(d.name))
        ctx.addIssue({ code: 'custom', path: ['derive', i, 'name'], message: `duplicate derived column '${d.name}'` });
      derived.add(d.name);
    });
    s.features.forEach((f, i) => {
      if (f.type !== 'hash' && f.type !== 'cross') return;
      f.columns.forEach((c, j) => {
        if (derived.has(c))
          ctx.addIssue({
            code: 'custom',
            path: ['features', i, 'columns', j],
            message: `'${c}' is a derived column; hashing and crosses read input columns only`,
          });
      });
    });
  });

/** Validates a spec; ValidationError `INVALID_OPTIONS` with the zod text naming the bad field. */
export function parseFeatureSpec(spec: unknown, operation = 'createFeaturePipeline'): FeaturePipelineSpec {
  return parseOrThrow(
    featurePipelineSpecZ,
    spec,
    operation,
    'feature pipeline spec',
    (m, o) => new ValidationError('INVALID_OPTIONS', m, o),
  ) as FeaturePipelineSpec;
}
