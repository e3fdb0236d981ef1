/**
 * The whole-artifact check: that the parts of a model artifact fit together (the input schema, the
 * feature pipeline, the learner and the class labels), so that a model which loads predicts every
 * valid row. Run once per load (`loadModel`, and the pipeline part in `decodeArtifact`), never per
 * prediction. Every failure is an ArtifactError `INVALID_ARTIFACT` whose message starts with the
 * path of the part that does not fit, e.g. `learner.state.coef: expected 241 features (the
 * pipeline's output width), got 242`.
 */
import { ArtifactError } from '../errors.js';
import type { StepState } from '../features/encoder.js';
import { FeaturePipeline, type FeaturePipelineState } from '../features/pipeline.js';
import { derivedInputs } from '../features/columns.js';
import type { Learner } from '../learners/learner.js';
import type { ModelArtifact } from './model-artifact.js';

function misfit(operation: string, field: string, message: string, cause?: unknown): never {
  throw new ArtifactError('INVALID_ARTIFACT', `${operation}: ${field}: ${message}`, {
    operation,
    details: { field },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** True when the artifact's pipeline is a modelship feature pipeline (by its format tag). */
export function isFeaturePipelineState(pipeline: unknown): boolean {
  return (
    typeof pipeline === 'object' &&
    pipeline !== null &&
    (pipeline as { format?: unknown }).format === 'modelship.feature-pipeline'
  );
}

/** Rebuilds the artifact's feature pipeline, or throws ArtifactError `INVALID_ARTIFACT` naming `pipeline`. */
export function restorePipeline(artifact: ModelArtifact, operation: string): FeaturePipeline {
  try {
    return FeaturePipeline.fromJSON(artifact.pipeline);
  } catch (cause) {
    return misfit(operation, 'pipeline', `cannot be loaded: ${(cause as Error).message}`, cause);
  }
}

/** How one step reads one input column. */
interface Reader {
  /** e.g. `pipeline.spec.features[2] (numeric)`. */
  where: string;
  /** Read with `rowNumber` (a string there throws). */
  numeric: boolean;
  /** A missing value is imputed or ignored (else the pipeline throws). */
  toleratesMissing: boolean;
}

/**
 * Checks that the input schema gives the pipeline what it reads: every input column the pipeline
 * reads is a feature column of the schema; a column read as a number is numeric; an optional column
 * is imputed (or ignored when missing) by every step that reads it. Also checks that the pipeline's
 * target agrees with the artifact's task and class labels.
 */
export function checkPipelineFits(artifact: ModelArtifact, pipeline: FeaturePipeline, operation: string): void {
  const { spec } = pipeline;
  const steps = (artifact.pipeline as unknown as FeaturePipelineState).steps as readonly StepState[];
  const derive = spec.derive ?? [];
  const derivedAt = new Map(derive.map((d, i) => [d.name, i]));
  // whether a missing value of derived column k is imputed by everything that reads it
  const derivedTolerates: boolean[] = new Array(derive.length).fill(true);
  const inputs = new Map<string, Reader[]>();
  const read = (column: string, r: Reader): void => {
    const list = inputs.get(column);
    if (list) list.push(r);
    else inputs.set(column, [r]);
  };
  spec.features.forEach((f, i) => {
    const where = `pipeline.spec.features[${i}] (${f.type})`;
    const state = steps[i];
    if (f.type === 'numeric' || f.type === 'onehot') {
      const tolerates =
        state?.type === 'numeric' ? state.impute !== null : state?.type === 'levels' ? state.fill !== null : false;
      const k = derivedAt.get(f.column);
      if (k !== undefined) derivedTolerates[k] = derivedTolerates[k]! && tolerates;
      else read(f.column, { where, numeric: f.type === 'numeric', toleratesMissing: tolerates });
    } else {
      for (const c of f.columns) read(c, { where, numeric: false, toleratesMissing: true });
    }
  });
  // a derived value is NaN when an input is missing: it propagates to later derived columns
  for (let k = derive.length - 1; k >= 0; k--) {
    const d = derive[k]!;
    for (const n of derivedInputs(d)) {
      const j = derivedAt.get(n);
      if (j !== undefined && j < k) derivedTolerates[j] = derivedTolerates[j]! && derivedTolerates[k]!;
      else
        read(n, {
          where: `pipeline.spec.derive[${k}] (${d.op} '${d.name}')`,
          numeric: true,
          toleratesMissing: derivedTolerates[k]!,
        });
    }
  }
  const columns = artifact.schema.columns;
  for (const [name, readers] of inputs) {
    const col = Object.hasOwn(columns, name) ? columns[name] : undefined;
    if (col === undefined || col.role === 'target' || col.role === 'id') {
      misfit(
        operation,
        `schema.columns.${name}`,
        `${col === undefined ? 'missing' : `has role '${col.role}', not a feature`}; the pipeline reads it (${readers[0]!.where})`,
      );
    }
    const asNumber = readers.find((r) => r.numeric);
    if (asNumber && col.type !== 'numeric') {
      misfit(
        operation,
        `schema.columns.${name}`,
        `is ${col.type}, but the pipeline reads it as a number (${asNumber.where})`,
      );
    }
    const strict = readers.find((r) => !r.toleratesMissing);
    if (strict && col.required === false) {
      misfit(
        operation,
        `schema.columns.${name}`,
        `is optional (required: false), but the pipeline has no fill for a missing value (${strict.where})`,
      );
    }
  }
  const target = spec.target;
  if (target !== undefined) {
    const pipelineTask = target.kind === 'numeric' ? 'regression' : 'classification';
    if (pipelineTask !== artifact.task) {
      misfit(
        operation,
        'pipeline.spec.target',
        `a ${target.kind} target gives ${pipelineTask}, but the artifact's task is ${artifact.task}`,
      );
    }
    const want = pipeline.targetClasses;
    const got = artifact.target.classes;
    if (want !== undefined && got !== undefined && (want.length !== got.length || want.some((c, i) => c !== got[i]))) {
      misfit(
        operation,
        'target.classes',
        `${list(got)} do not match the pipeline's target classes ${list(want)} (pipeline.target)`,
      );
    }
  }
}

function list(classes: readonly string[]): string {
  const shown = classes.slice(0, 8).map((c) => `'${c}'`);
  return `[${shown.join(', ')}${classes.length > 8 ? `, … (${classes.length})` : ''}]`;
}

/** Where a built-in learner keeps its input width and class count, for the error message. */
const LEARNER_FIELDS: { readonly [kind: string]: { readonly width: string; readonly classes: string } } = {
  linear: { width: 'learner.state.coef', classes: 'learner.state' },
  'linear-mljs': { width: 'learner.state.coef', classes: 'learner.state' },
  logistic: { width: 'learner.state.numFeatures', classes: 'learner.state.numClasses' },
  gbdt: { width: 'learner.state.ensemble.numFeatures', classes: 'learner.state.ensemble.numClasses' },
  forest: { width: 'learner.state.ensemble.numFeatures', classes: 'learner.state.ensemble.numClasses' },
};

/** The learner's own dimensions when it exposes them (`numFeatures`, `numClasses` as numbers). */
function dimension(learner: Learner, key: 'numFeatures' | 'numClasses'): number | undefined {
  const v = (learner as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Checks that the learner fits the pipeline and the target: its task is the artifact's, its input
 * width is the pipeline's output width, its class count is the number of class labels; then one
 * probe prediction on a row of zeros (of the pipeline's width) must give a finite value, a class
 * index in range, and one finite probability per class. The probe covers learner kinds that do not
 * expose their dimensions.
 */
export function checkLearnerFits(
  artifact: ModelArtifact,
  pipeline: FeaturePipeline,
  learner: Learner,
  operation: string,
): void {
  const fields = LEARNER_FIELDS[artifact.learner.kind] ?? { width: 'learner', classes: 'learner' };
  if (learner.task !== artifact.task) {
    misfit(operation, 'learner.state', `a ${learner.task} learner, but the artifact's task is ${artifact.task}`);
  }
  const width = pipeline.numFeatures;
  const n = dimension(learner, 'numFeatures');
  if (n !== undefined && n !== width) {
    misfit(operation, fields.width, `expected ${width} features (the pipeline's output width), got ${n}`);
  }
  const classes = artifact.target.classes;
  const k = classes?.length ?? 0;
  if (artifact.task === 'classification') {
    const c = dimension(learner, 'numClasses');
    if (c !== undefined && c !== k) {
      misfit(operation, fields.classes, `expected ${k} classes (target.classes ${list(classes!)}), got ${c}`);
    }
  }
  const row = new Float64Array(width);
  let value: number;
  let proba: Float64Array | undefined;
  try {
    value = learner.predictRow(row);
    if (artifact.task === 'classification' && learner.predictProbaRow) proba = learner.predictProbaRow(row);
  } catch (cause) {
    misfit(
      operation,
      'learner',
      `a probe prediction on ${width} features (the pipeline's output width) failed: ${(cause as Error).message}`,
      cause,
    );
  }
  if (artifact.task === 'regression') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      misfit(operation, 'learner', `a probe prediction on a row of zeros gave ${String(value)}, not a finite number`);
    return;
  }
  if (!Number.isInteger(value) || value < 0 || value >= k) {
    misfit(operation, 'learner', `a probe prediction gave class index ${String(value)}, expected 0…${k - 1}`);
  }
  if (proba !== undefined) {
    if (!(proba instanceof Float64Array) || proba.length !== k) {
      const got = proba instanceof Float64Array ? `${proba.length}` : typeof proba;
      misfit(operation, fields.classes, `expected ${k} class probabilities (target.classes), got ${got}`);
    }
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(proba[i]!))
        misfit(operation, 'learner', `a probe prediction gave probability ${proba[i]} for class '${classes![i]}'`);
    }
  }
}

/**
 * A request that the input schema accepts, for the probe at load: numbers inside `[min, max]`
 * (1 when unbounded, so ratios and logs stay defined), whole when `integer`, the first allowed
 * category (closed `categories`, else the training `categories`), every optional column present.
 */
export function probeRequest(artifact: ModelArtifact): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(artifact.schema.columns)) {
    if (c.role === 'target' || c.role === 'id') continue;
    if (c.type === 'categorical') {
      row[name] = c.categories?.[0] ?? artifact.categories?.[name]?.[0] ?? 'probe';
      continue;
    }
    let v = 1;
    if (c.min !== undefined && v < c.min) v = c.integer ? Math.ceil(c.min) : c.min;
    if (c.max !== undefined && v > c.max) v = c.integer ? Math.floor(c.max) : c.max;
    row[name] = v;
  }
  return row;
}

/** Throws ArtifactError `INVALID_ARTIFACT` when the probe request failed or gave no usable prediction. */
export function checkProbePrediction(
  artifact: ModelArtifact,
  request: Record<string, unknown>,
  predict: (row: Record<string, unknown>) => { value: number | string },
  operation: string,
): void {
  const shown = JSON.stringify(request);
  let value: number | string;
  try {
    value = predict(request).value;
  } catch (cause) {
    misfit(
      operation,
      'schema, pipeline and learner',
      `a probe request that the schema accepts (${shown}) failed: ${(cause as Error).message}`,
      cause,
    );
  }
  if (artifact.task === 'regression' ? !Number.isFinite(value) : !artifact.target.classes?.includes(value as string)) {
    misfit(
      operation,
      'schema, pipeline and learner',
      `a probe request that the schema accepts (${shown}) gave ${String(value)}, not ${artifact.task === 'regression' ? 'a finite number' : 'a class label'}`,
    );
  }
}
