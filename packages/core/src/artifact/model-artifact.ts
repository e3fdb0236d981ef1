import { z } from 'zod';
import { ArtifactError, ValidationError } from '../errors.js';
import type { LearnerState, LearnerTask } from '../learners/learner.js';
import type { Serial } from '../types/serial.js';
import { schemaZ, type Schema } from '../data/schema.js';
import { parseOrThrow } from '../data/zod-parse.js';

/** The artifact format version this build writes. */
export const ARTIFACT_FORMAT_VERSION = 1;
/** The artifact format versions this build can read. */
export const SUPPORTED_ARTIFACT_VERSIONS: readonly number[] = [1];

/**
 * The input schema of a model: the data {@link Schema} of the columns a prediction request
 * carries (the target column left out), in pipeline order. Categorical columns with a closed
 * `categories` list reject unseen values at prediction time.
 */
export type InputSchema = Schema;

/** What the model predicts. */
export interface TargetInfo {
  /** The target column of the training data. */
  readonly name: string;
  /** `numeric` for regression, `categorical` for classification. */
  readonly kind: 'numeric' | 'categorical';
  /** Class labels in class-index order (classification only). */
  readonly classes?: readonly string[] | undefined;
}

/** Where the training data came from. */
export interface DatasetInfo {
  /** A dataset name, e.g. `'iris'`. */
  readonly name?: string | undefined;
  /** Rows used to fit the final model. */
  readonly rows: number;
  /** How the metrics were measured, e.g. `{ kind: 'holdout', testRows: 30 }`. */
  readonly evaluation?: Serial | undefined;
}

/**
 * A trained model as data (format version 1). Encoded by `encodeArtifact` into a binary
 * container whose sha256 identifies it; see `packages/core/ARTIFACT.md`. Nothing in it is ever
 * executed: the learner and pipeline are rebuilt from plain numbers, strings and typed arrays.
 */
export interface ModelArtifact {
  /** The format version ({@link ARTIFACT_FORMAT_VERSION} when written by this build). */
  readonly formatVersion: number;
  /** Regression or classification. */
  readonly task: LearnerTask;
  /** The columns a prediction request carries. */
  readonly schema: InputSchema;
  /** The categories seen in training, per categorical input column (for strict serving). */
  readonly categories?: { readonly [column: string]: readonly string[] } | undefined;
  /** The predicted column (and classes). */
  readonly target: TargetInfo;
  /** The fitted feature pipeline (`FeaturePipeline.toJSON()`). */
  readonly pipeline: Serial;
  /** The fitted learner (`Learner.toState()`). */
  readonly learner: LearnerState;
  /** Offline metrics of the chosen variant (e.g. `r2`, `rmse`, `accuracy`). */
  readonly metrics: { readonly [name: string]: number };
  /** Hyperparameters and training settings (variant name, learner params, seed…). */
  readonly params: { readonly [key: string]: Serial };
  /** sha256 fingerprint of the training data (`fingerprint(table)`). */
  readonly fingerprint: string;
  /** Where the training data came from. */
  readonly dataset: DatasetInfo;
  /** Creation time, ISO 8601. */
  readonly createdAt: string;
  /** Optional drift reference profile (Serial data produced by `@modelship/drift`). */
  readonly profile?: Serial | undefined;
  /** Free-form string tags. */
  readonly tags: { readonly [key: string]: string };
}

const serial: z.ZodType<Serial> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.nan(),
    z.string(),
    z.custom<Serial>((v) => ArrayBuffer.isView(v) && !(v instanceof DataView), 'a typed array'),
    z.array(serial),
    z.record(z.string(), serial),
  ]),
);

const artifactZ = z.object({
  formatVersion: z.number().int().positive(),
  task: z.enum(['regression', 'classification']),
  schema: schemaZ,
  categories: z.record(z.string(), z.array(z.string())).optional(),
  target: z.object({
    name: z.string().min(1),
    kind: z.enum(['numeric', 'categorical']),
    classes: z.array(z.string()).optional(),
  }),
  pipeline: serial,
  learner: z.object({ kind: z.string().min(1), params: z.record(z.string(), serial), state: serial }),
  metrics: z.record(z.string(), z.union([z.number(), z.nan()])),
  params: z.record(z.string(), serial),
  fingerprint: z.string(),
  dataset: z.object({
    name: z.string().optional(),
    rows: z.number().int().nonnegative(),
    evaluation: serial.optional(),
  }),
  createdAt: z.iso.datetime({ offset: true }),
  profile: serial.optional(),
  tags: z.record(z.string(), z.string()),
});

/** The zod schema an artifact is validated with when it is created, encoded or decoded. */
export const modelArtifactSchema: z.ZodType<unknown> = artifactZ;

/** What {@link createArtifact} needs; `formatVersion`, `createdAt` and `tags` have defaults. */
export type ArtifactInput = Omit<ModelArtifact, 'formatVersion' | 'createdAt' | 'tags'> & {
  /** Creation time; default now. */
  createdAt?: string | Date | undefined;
  /** Free-form tags; default none. */
  tags?: { readonly [key: string]: string } | undefined;
};

/** Validates a parsed artifact; `operation` names the caller in the error. */
export function validateArtifact(value: unknown, operation: string): ModelArtifact {
  const a = parseOrThrow(artifactZ, value, operation, 'model artifact', (m, o) =>
    operation === 'createArtifact'
      ? new ValidationError('INVALID_INPUT', m, o)
      : new ArtifactError('INVALID_ARTIFACT', m, o),
  ) as ModelArtifact;
  function bad(field: string, message: string): never {
    const msg = `${operation}: invalid model artifact: ${field}: ${message}`;
    if (operation === 'createArtifact')
      throw new ValidationError('INVALID_INPUT', msg, { operation, details: { field } });
    throw new ArtifactError('INVALID_ARTIFACT', msg, { operation, details: { field } });
  }
  const { kind, classes } = a.target;
  if (a.task === 'classification') {
    if (classes === undefined || classes.length < 2)
      bad('target.classes', 'must list at least two classes for classification');
    if (kind !== 'categorical') bad('target.kind', `expected 'categorical' for classification, got '${kind}'`);
    const seen = new Set<string>();
    for (const c of classes) {
      if (seen.has(c)) bad('target.classes', `class '${c}' is listed twice`);
      seen.add(c);
    }
  } else {
    if (kind !== 'numeric') bad('target.kind', `expected 'numeric' for regression, got '${kind}'`);
    if (classes !== undefined) bad('target.classes', 'a regression artifact has no classes');
  }
  return a;
}

/**
 * Builds a validated {@link ModelArtifact} of the current format version.
 *
 * @example
 * ```ts
 * const artifact = createArtifact({ task: 'regression', schema, target: { name: 'price', kind: 'numeric' },
 *   pipeline: pipeline.toJSON() as unknown as Serial, learner: learner.toState(), metrics: { r2: 0.86 }, params: {},
 *   fingerprint: fingerprint(train), dataset: { name: 'bangalore', rows: train.numRows } });
 * const bytes = encodeArtifact(artifact);
 * ```
 */
export function createArtifact(input: ArtifactInput): ModelArtifact {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError(
      'INVALID_INPUT',
      `createArtifact: input: expected an object, got ${input === null ? 'null' : typeof input}`,
      { operation: 'createArtifact', details: { field: 'input' } },
    );
  }
  const createdAt =
    input.createdAt instanceof Date ? input.createdAt.toISOString() : (input.createdAt ?? new Date().toISOString());
  return validateArtifact(
    { ...input, formatVersion: ARTIFACT_FORMAT_VERSION, createdAt, tags: input.tags ?? {} },
    'createArtifact',
  );
}
