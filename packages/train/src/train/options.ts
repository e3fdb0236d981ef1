import { z } from 'zod';
import { ValidationError, type Logger } from '@modelship/core';
import type { Schema } from '@modelship/core';
import type { Split } from '../data/split.js';
import type { FeaturePipelineSpec, TargetSpec } from '@modelship/core';
import type { LearnerTask } from '@modelship/core';
import type { Serial } from '@modelship/core';
import type { MetricDirection } from '@modelship/core/policy';
import { parseOrThrow } from '@modelship/core/kit';
import type { SmoteOptions } from './smote.js';

/** One named hyperparameter variant: a learner kind and its params. */
export interface VariantSpec {
  /** A registered learner kind, e.g. `'linear'`, `'logistic'`, `'forest-mljs'`, `'gbdt'`. */
  readonly learner: string;
  /** The learner's hyperparameters; default `{}` (the learner's defaults). */
  readonly params?: { readonly [key: string]: Serial } | undefined;
  /**
   * Oversample the minority classes of the training rows with SMOTE before each fit
   * (classification only): `true` for the defaults of {@link SmoteOptions} (5 neighbours, at most
   * 2× the rows), or the settings. Applied to the encoded training rows of each fit (never to the
   * rows evaluated on) and recorded in the artifact's `params.smote`. Default off.
   */
  readonly smote?: boolean | SmoteOptions | undefined;
}

/** How variants are evaluated. */
export type EvaluationSpec =
  | {
      /** A single train/test split. */
      readonly kind: 'holdout';
      /** Fraction of rows held out for testing; default 0.2 (ignored when `split` is given). */
      readonly testFraction?: number | undefined;
      /** An explicit split (row indices into the table), e.g. from `loadSplit`; default a seeded random one. */
      readonly split?: Split | undefined;
      /** Keep class proportions in the test set (classification); default true. */
      readonly stratify?: boolean | undefined;
    }
  | {
      /** k-fold cross-validation (stratified for classification); metrics are on the out-of-fold predictions. */
      readonly kind: 'kfold';
      /** Number of folds; default 5. */
      readonly k?: number | undefined;
    };

/**
 * The drift reference profile the trainer attaches to the artifact's `profile` field (built with
 * `@modelship/drift`'s `buildProfile`).
 */
export interface TrainerProfileOptions {
  /** The input columns to profile; default every input column of the pipeline (the columns a request carries). */
  readonly columns?: readonly string[] | undefined;
  /** Quantile bins per numeric column; default 10. */
  readonly bins?: number | undefined;
  /** Reference values kept per numeric column for KS and Wasserstein (a quantile sketch beyond it); default 1000. */
  readonly sampleSize?: number | undefined;
}

/** Options of {@link createTrainer}. */
export interface TrainerOptions {
  /** `'regression'` or `'classification'`. */
  readonly task: LearnerTask;
  /** The target column (or a full target spec); default the `target` of `features`. */
  readonly target?: string | TargetSpec | undefined;
  /** The feature pipeline spec (fitted on training rows only). */
  readonly features: FeaturePipelineSpec;
  /** Named variants, e.g. `{ deep_forest: { learner: 'forest', params: { maxDepth: 12 } } }`. */
  readonly variants: { readonly [name: string]: VariantSpec };
  /** How variants are compared; default `{ kind: 'holdout', testFraction: 0.2 }`. */
  readonly evaluation?: EvaluationSpec | undefined;
  /** The metric that picks the best variant, optionally with its direction; default `'r2'` (regression) or `'accuracy'` (classification). */
  readonly selectBy?:
    | string
    | {
        /** The metric name. */
        readonly metric: string;
        /** `'maximize'` or `'minimize'`; default by the metric name. */
        readonly direction?: MetricDirection;
      };
  /** Seed of splits and learners; default 42. */
  readonly seed?: number | undefined;
  /** Refit the best variant on every row before packaging; default false for holdout (the evaluated model is kept), always true for k-fold. */
  readonly refit?: boolean | undefined;
  /**
   * The data schema whose specs the artifact's input schema keeps for each input column — type,
   * `required`, `min`, `max`, `integer` and closed `categories` (its `role` is dropped), so the
   * served model rejects what the data schema rejects (e.g. `total_rooms: -5` against `min: 0`).
   * Default: derived from the table, keeping types and required-ness only (a column the pipeline
   * imputes is optional); no range is derived from the training rows, whose observed min and max
   * are not bounds on valid input (the drift profile watches the distribution instead).
   */
  readonly schema?: Schema | undefined;
  /**
   * Attach the drift reference profile of the training rows to the artifact (`artifact.profile`):
   * the input columns and the model's predictions on those rows (the profile's `prediction`
   * entry, which `createDriftMonitor` tests as prediction drift; class labels for classifiers).
   * The rows are those the packaged model was fitted on: the training split for holdout (never
   * the test rows), every row when the model is refitted (`refit`, k-fold). `true` uses the
   * defaults of {@link TrainerProfileOptions}; default `true` (one profiling pass and one
   * prediction pass over the training rows per packaged variant).
   */
  readonly profile?: boolean | TrainerProfileOptions | undefined;
  /** A dataset name stored in the artifact; default none. */
  readonly datasetName?: string | undefined;
  /** Tags stored in the artifact; default none. */
  readonly tags?: { readonly [key: string]: string } | undefined;
  /** A pino-compatible logger; default silent. */
  readonly logger?: Logger | undefined;
  /** The clock for `createdAt`; default `() => new Date()`. */
  readonly now?: (() => Date) | undefined;
}

const serialish = z.custom<Serial>(() => true);
const optionsZ = z.strictObject({
  task: z.enum(['regression', 'classification']),
  target: z
    .union([
      z.string().min(1),
      z.object({ column: z.string().min(1), kind: z.enum(['numeric', 'class', 'quantile']) }).loose(),
    ])
    .optional(),
  features: z.object({ features: z.array(z.unknown()).min(1) }).loose(),
  variants: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'variant names use letters, digits, _ . -'),
      z.strictObject({
        learner: z.string().min(1),
        params: z.record(z.string(), serialish).optional(),
        smote: z
          .union([
            z.boolean(),
            z.strictObject({
              k: z.number().int().min(1).max(100).optional(),
              maxGrowth: z.number().min(1).max(100).optional(),
            }),
          ])
          .optional(),
      }),
    )
    .refine((v) => Object.keys(v).length > 0, 'at least one variant is required'),
  evaluation: z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('holdout'),
        testFraction: z.number().gt(0).lt(1).optional(),
        split: z
          .object({
            train: z.custom<ArrayLike<number>>((v) => ArrayBuffer.isView(v) || Array.isArray(v)),
            test: z.custom<ArrayLike<number>>((v) => ArrayBuffer.isView(v) || Array.isArray(v)),
          })
          .optional(),
        stratify: z.boolean().optional(),
      }),
      z.strictObject({ kind: z.literal('kfold'), k: z.number().int().min(2).optional() }),
    ])
    .optional(),
  selectBy: z
    .union([
      z.string().min(1),
      z.strictObject({ metric: z.string().min(1), direction: z.enum(['maximize', 'minimize']).optional() }),
    ])
    .optional(),
  seed: z.number().int().optional(),
  refit: z.boolean().optional(),
  schema: z
    .object({ columns: z.record(z.string(), z.unknown()) })
    .loose()
    .optional(),
  profile: z
    .union([
      z.boolean(),
      z.strictObject({
        columns: z.array(z.string().min(1)).min(1).optional(),
        bins: z.number().int().min(2).max(100).optional(),
        sampleSize: z.number().int().min(10).max(100_000).optional(),
      }),
    ])
    .optional(),
  datasetName: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  logger: z
    .custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).info === 'function')
    .optional(),
  now: z.custom<() => Date>((v) => typeof v === 'function').optional(),
});

/** Validates trainer options; ValidationError `INVALID_OPTIONS` names the bad field. */
export function parseTrainerOptions(options: unknown): TrainerOptions {
  parseOrThrow(optionsZ, options, 'createTrainer', 'options', (m, o) => new ValidationError('INVALID_OPTIONS', m, o));
  return options as TrainerOptions;
}
