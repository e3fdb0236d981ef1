/**
 * A model trained elsewhere at scale, as a modelship artifact: LightGBM's text model format (what
 * `Booster.save_model` and a LightGBM cluster write) wrapped with a feature pipeline over its input
 * columns, offline metrics measured on rows the caller gives, and the drift reference profile — so
 * it is registered, gated, rolled out and rolled back like a model of our own trainer.
 */
import {
  createArtifact,
  createFeaturePipeline,
  ValidationError,
  type FeaturePipelineSpec,
  type ModelArtifact,
  type Schema,
  type Serial,
  type Table,
} from '@modelship/core';
import { importLightGbm, isTreesError } from '@modelship/trees';
import { fingerprint } from '../data/fingerprint.js';
import { classificationMetrics } from '../metrics/classification.js';
import { regressionMetrics } from '../metrics/regression.js';
import type { TrainerProfileOptions } from '../train/options.js';
import { deriveInputSchema } from '../train/input-schema.js';
import { profileSettings, trainingProfile } from '../train/profile.js';

/** Options of {@link artifactFromLightGbm}. */
export interface LightGbmImportOptions {
  /** The model file's text, in LightGBM's format (`Booster.save_model`, `model_to_string`). */
  readonly text: string;
  /** The target column of `evaluation` (and of the artifact). */
  readonly target: string;
  /**
   * The input columns in the model's feature order; default the `feature_names` line of the file.
   * Every one must be a numeric column of `evaluation`.
   */
  readonly features?: readonly string[] | undefined;
  /**
   * Rows with the input columns and the target, not used to train the model (a holdout): the
   * artifact's offline metrics (`rmse`, `mae`, `r2`, or `accuracy`, `f1`, …) are measured on them,
   * which the controller's offline gate compares.
   */
  readonly evaluation: Table;
  /** The rows the drift reference profile is built from (the training rows); default `evaluation`. */
  readonly reference?: Table | undefined;
  /** Class labels of a classifier, in the model's class order; default `evaluation`'s target levels, sorted. */
  readonly classes?: readonly string[] | undefined;
  /** The input schema (ranges, integers); default derived from `evaluation`'s columns. */
  readonly schema?: Schema | undefined;
  /** The drift reference profile; default on. */
  readonly profile?: boolean | TrainerProfileOptions | undefined;
  /** The dataset name recorded in the artifact; default none. */
  readonly datasetName?: string | undefined;
}

function bad(field: string, message: string): never {
  throw new ValidationError('INVALID_OPTIONS', `artifactFromLightGbm: ${field}: ${message}`, {
    operation: 'artifactFromLightGbm',
    details: { field },
  });
}

/** The `feature_names=` line of a LightGBM model file. */
function featureNamesOf(text: string): string[] | undefined {
  const line = /^feature_names=(.*)$/m.exec(text)?.[1];
  return line === undefined ? undefined : line.trim().split(/\s+/);
}

/**
 * Wraps a LightGBM text model (regression, binary or multiclass) as a {@link ModelArtifact}: the
 * trees imported by `@modelship/trees`' `importLightGbm` (exact: the same splits, missing-value
 * directions and leaf values), a pipeline that passes the named numeric columns through in the
 * model's feature order, offline metrics measured on `evaluation`, and the drift reference profile
 * of `reference`. The artifact's learner kind is `gbdt`, so a serving replica needs nothing but
 * `@modelship/core`. Categorical splits of LightGBM and one-hot columns are not supported here:
 * give numeric columns (ValidationError naming the field otherwise).
 *
 * @example
 * ```ts
 * const artifact = artifactFromLightGbm({ text: readFileSync('model.txt', 'utf8'), target: 'price', evaluation: holdout });
 * await registry.register('house-prices', artifact, { description: 'LightGBM, trained on the cluster' });
 * ```
 */
export function artifactFromLightGbm(options: LightGbmImportOptions): ModelArtifact {
  if (typeof options !== 'object' || options === null) bad('options', 'expected an object');
  if (typeof options.text !== 'string' || options.text.length === 0) bad('text', 'expected the model file text');
  const evaluation = options.evaluation;
  if (evaluation === undefined || typeof (evaluation as Table).column !== 'function')
    bad('evaluation', 'expected a Table of holdout rows');
  if (typeof options.target !== 'string' || !evaluation.columnNames.includes(options.target))
    bad('target', `expected a column of evaluation (${evaluation.columnNames.join(', ')})`);
  let ensemble: ReturnType<typeof importLightGbm>;
  try {
    ensemble = importLightGbm(options.text);
  } catch (err) {
    if (isTreesError(err)) bad('text', err.message);
    throw err;
  }
  const features = options.features ?? featureNamesOf(options.text);
  if (!features || features.length === 0) bad('features', 'expected the input columns (the file has no feature_names)');
  if (features.length !== ensemble.numFeatures)
    bad('features', `expected ${ensemble.numFeatures} columns (the model's features), got ${features.length}`);
  const reference = options.reference ?? evaluation;
  for (const [i, c] of features.entries()) {
    for (const [field, t] of [
      ['evaluation', evaluation],
      ['reference', reference],
    ] as const) {
      if (!t.columnNames.includes(c)) bad(`features[${i}]`, `'${c}' is not a column of ${field}`);
      if (t.column(c).kind !== 'numeric') bad(`features[${i}]`, `'${c}' is not numeric in ${field}`);
    }
  }
  const task = ensemble.task;
  const targetColumn = evaluation.column(options.target);
  if (task === 'regression' && targetColumn.kind !== 'numeric')
    bad('target', `expected a numeric target for a regression model, '${options.target}' is categorical`);
  const spec: FeaturePipelineSpec = {
    features: features.map((column) => ({ type: 'numeric' as const, column })),
    target:
      task === 'classification'
        ? { column: options.target, kind: 'class', ...(options.classes ? { classes: [...options.classes] } : {}) }
        : { column: options.target, kind: 'numeric' },
  };
  const pipeline = createFeaturePipeline(spec).fit(evaluation);
  const classes = task === 'classification' ? pipeline.targetClasses : undefined;
  if (classes && classes.length !== ensemble.numClasses)
    bad('classes', `expected ${ensemble.numClasses} labels (the model's classes), got ${classes.length}`);

  const x = pipeline.transform(evaluation);
  const y = pipeline.transformTarget(evaluation);
  // values (regression) or class indices (classification), as Model.predict answers
  const predicted = ensemble.predict(x);
  const metrics: Record<string, number> =
    task === 'regression'
      ? { ...regressionMetrics(y, predicted) }
      : ({
          ...classificationMetrics(y, predicted, ensemble.numClasses, ensemble.predictProba(x)),
        } as unknown as Record<string, number>);
  const { schema, categories } = deriveInputSchema(evaluation, spec, pipeline.inputColumns, options.schema);
  const profile = profileSettings(options.profile);
  const refPredicted = reference === evaluation ? predicted : ensemble.predict(pipeline.transform(reference));
  return createArtifact({
    task,
    schema,
    categories,
    target: {
      name: options.target,
      kind: task === 'classification' ? 'categorical' : 'numeric',
      ...(classes ? { classes: [...classes] } : {}),
    },
    pipeline: pipeline.toJSON() as unknown as Serial,
    learner: { kind: 'gbdt', params: {}, state: { task, ensemble: ensemble.toSerial() as unknown as Serial } },
    metrics,
    params: { variant: 'lightgbm', learner: 'gbdt', imported: 'lightgbm', trees: ensemble.numTrees },
    fingerprint: fingerprint(reference),
    dataset: { ...(options.datasetName ? { name: options.datasetName } : {}), rows: reference.numRows },
    ...(profile
      ? {
          profile: trainingProfile(reference, pipeline.inputColumns, profile, refPredicted, classes),
        }
      : {}),
  });
}
