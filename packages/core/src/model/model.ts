import { ArtifactError, ValidationError } from '../errors.js';
import type { ColumnSpec } from '../data/schema.js';
import { describeValue } from '../data/schema.js';
import type { FeaturePipeline } from '../features/pipeline.js';
import { artifactSha256, checkExpectedSha256, decodeArtifact, encodeArtifact } from '../artifact/codec.js';
import type { InputSchema, ModelArtifact } from '../artifact/model-artifact.js';
import {
  checkLearnerFits,
  checkPipelineFits,
  checkProbePrediction,
  probeRequest,
  restorePipeline,
} from '../artifact/whole-check.js';
import type { Learner, LearnerTask } from '../learners/learner.js';
import { type Explanation, explanationOf } from './explanation.js';
import { restoreLearner } from '../learners/learner-catalog.js';

/** One prediction. */
export interface Prediction {
  /** The predicted value (regression) or class label (classification). */
  readonly value: number | string;
  /** Class probabilities by label (classifiers that give them). */
  readonly probabilities?: { readonly [label: string]: number };
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** The sha256 the artifact bytes must have (e.g. from a registry); default unchecked (the embedded digest is always checked). */
  expectedSha256?: string;
  /** A categorical value not seen in training: `'tolerate'` (the pipeline maps it, e.g. to `other`) or `'error'`; default `'tolerate'`. Closed `categories` in the schema always reject. */
  unseenCategories?: 'tolerate' | 'error';
}

interface Field {
  name: string;
  spec: ColumnSpec;
  numeric: boolean;
  required: boolean;
  allowed: Set<string> | undefined;
}

/**
 * A loaded model: validates a raw input row against the artifact's schema, applies the fitted
 * feature pipeline (into a reused buffer) and the learner. Built by {@link loadModel}.
 */
export class Model {
  /** The artifact this model was loaded from. */
  readonly artifact: ModelArtifact;
  /** sha256 of the artifact's canonical bytes. */
  readonly artifactSha256: string;
  /** The input schema requests are validated against. */
  readonly schema: InputSchema;
  /** Regression or classification. */
  readonly task: LearnerTask;
  /** Class labels in class-index order (classification), else `undefined`. */
  readonly classes: readonly string[] | undefined;
  /** The learner kind, e.g. `'linear'`. */
  readonly learnerKind: string;
  readonly #pipeline: FeaturePipeline;
  readonly #learner: Learner;
  readonly #fields: Field[];
  readonly #buf: Float64Array;
  #sourcesCache: readonly string[] | undefined;

  /** Use {@link loadModel}. */
  constructor(artifact: ModelArtifact, sha256: string, options: LoadModelOptions = {}) {
    this.artifact = artifact;
    this.artifactSha256 = sha256;
    this.schema = artifact.schema;
    this.task = artifact.task;
    this.classes = artifact.target.classes;
    this.learnerKind = artifact.learner.kind;
    this.#pipeline = restorePipeline(artifact, 'loadModel');
    checkPipelineFits(artifact, this.#pipeline, 'loadModel');
    try {
      this.#learner = restoreLearner(artifact.learner);
    } catch (cause) {
      throw new ArtifactError(
        'INVALID_ARTIFACT',
        `loadModel: the artifact's learner cannot be loaded: ${(cause as Error).message}`,
        {
          operation: 'loadModel',
          details: { field: 'learner' },
          cause,
        },
      );
    }
    // once per load, never per predict: every part's dimensions agree, or an ArtifactError names the part
    checkLearnerFits(artifact, this.#pipeline, this.#learner, 'loadModel');
    this.#buf = new Float64Array(this.#pipeline.numFeatures);
    const strict = options.unseenCategories === 'error';
    this.#fields = Object.entries(artifact.schema.columns)
      .filter(([, spec]) => spec.role !== 'target' && spec.role !== 'id')
      .map(([name, spec]) => {
        const closed = spec.categories ?? (strict ? artifact.categories?.[name] : undefined);
        return {
          name,
          spec,
          numeric: spec.type === 'numeric',
          required: spec.required !== false,
          allowed: closed ? new Set(closed) : undefined,
        };
      });
    // and one request the schema accepts goes through the whole model
    checkProbePrediction(artifact, probeRequest(artifact), (row) => this.predict(row), 'loadModel');
  }

  /** Output feature names of the pipeline. */
  get featureNames(): readonly string[] {
    return this.#pipeline.featureNames;
  }

  #invalid(field: string, message: string): never {
    throw new ValidationError('INVALID_INPUT', `field '${field}': ${message}`, {
      operation: 'Model.predict',
      details: { field },
    });
  }

  #validate(input: Record<string, unknown>): void {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ValidationError('INVALID_INPUT', `predict: expected an object of fields, got ${describeValue(input)}`, {
        operation: 'Model.predict',
      });
    }
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = input[f.name];
      if (v === undefined || v === null) {
        if (f.required) this.#invalid(f.name, `required, expected ${f.numeric ? 'a number' : 'a string'}`);
        continue;
      }
      if (f.numeric) {
        if (typeof v !== 'number') this.#invalid(f.name, `expected a number, got ${typeof v} ${describeValue(v)}`);
        if (!Number.isFinite(v))
          this.#invalid(
            f.name,
            `expected a finite number, got ${v}${Number.isNaN(v) ? ' (leave the field out or send null for a missing value)' : ''}`,
          );
        const { min, max, integer } = f.spec;
        if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
          this.#invalid(
            f.name,
            `expected a number${min !== undefined ? ` >= ${min}` : ''}${max !== undefined ? `${min !== undefined ? ' and' : ''} <= ${max}` : ''}, got ${v} (out of range)`,
          );
        }
        if (integer && !Number.isInteger(v)) this.#invalid(f.name, `expected an integer, got ${v}`);
      } else {
        if (typeof v !== 'string') this.#invalid(f.name, `expected a string, got ${typeof v} ${describeValue(v)}`);
        if (f.allowed !== undefined && !f.allowed.has(v)) {
          const list = [...f.allowed]
            .slice(0, 10)
            .map((c) => `'${c}'`)
            .join(', ');
          this.#invalid(
            f.name,
            `unseen category ${describeValue(v)}; expected one of ${list}${f.allowed.size > 10 ? ', ...' : ''}`,
          );
        }
      }
    }
  }

  /**
   * Predicts one raw input row (a request body). For classifiers with probabilities the label is
   * the most probable class (the first on ties), as the learners' own `predictRow`. Throws ValidationError `INVALID_INPUT` naming
   * the field: missing, wrong type, NaN or ±Infinity, out of range, or an unseen category when
   * the schema is closed.
   */
  predict(input: Record<string, unknown>): Prediction {
    this.#validate(input);
    const x = this.#pipeline.transformRow(input, this.#buf);
    if (this.task === 'regression') return { value: this.#learner.predictRow(x) };
    const classes = this.classes!;
    if (this.#learner.predictProbaRow) {
      const p = this.#learner.predictProbaRow(x);
      let best = 0;
      const probabilities: Record<string, number> = {};
      for (let c = 0; c < classes.length; c++) {
        probabilities[classes[c]!] = p[c] ?? 0;
        if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
      }
      return { value: classes[best]!, probabilities };
    }
    return { value: classes[this.#learner.predictRow(x)]! };
  }

  /**
   * Explains the prediction of one raw input row: per input column (and per encoded feature)
   * contributions plus the expected value, for every raw output, additive to it (see
   * {@link Explanation}; exact path-dependent TreeSHAP for `gbdt` and `forest`, exact linear SHAP
   * against the training means for `logistic`). The input is validated as by {@link Model.predict}.
   * Throws ValidationError `NOT_EXPLAINABLE` naming the learner kind for a learner that cannot
   * explain (`linear`, whose artifact keeps no training means, the ml-* kinds), a logistic model
   * fitted without `standardize`, or a tree model saved before node covers were kept.
   *
   * @example
   * ```ts
   * const e = model.explain({ MedInc: 8.3, HouseAge: 41, ocean_proximity: 'NEAR BAY' });
   * e.outputs[0]?.columns; // { MedInc: 0.93, HouseAge: 0.08, ocean_proximity: 0.21, … }
   * ```
   */
  explain(input: Record<string, unknown>): Explanation {
    const learner = this.#learner;
    if (!learner.explainRow) {
      throw new ValidationError(
        'NOT_EXPLAINABLE',
        `explain: learner kind '${this.learnerKind}' cannot explain its predictions (gbdt, forest and logistic can)`,
        { operation: 'Model.explain', details: { learner: this.learnerKind } },
      );
    }
    this.#validate(input);
    const x = this.#pipeline.transformRow(input, this.#buf);
    const e = learner.explainRow(x);
    const classes = this.classes ?? [];
    const names = this.task === 'regression' ? ['value'] : e.expectedValue.length === 1 ? [classes[1] ?? '1'] : classes;
    return explanationOf(e, this.#pipeline.featureNames, this.#sources, names);
  }

  get #sources(): readonly string[] {
    this.#sourcesCache ??= this.#pipeline.featureSources;
    return this.#sourcesCache;
  }

  /** Predicts many rows; the first bad row throws (its message names the row index and the field). */
  predictBatch(inputs: readonly Record<string, unknown>[]): Prediction[] {
    if (!Array.isArray(inputs))
      throw new ValidationError('INVALID_INPUT', 'predictBatch: expected an array of rows', {
        operation: 'Model.predictBatch',
      });
    const out: Prediction[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      try {
        out[i] = this.predict(inputs[i]!);
      } catch (err) {
        if (err instanceof ValidationError) {
          throw new ValidationError(err.code, `row ${i}: ${err.message}`, {
            operation: 'Model.predictBatch',
            details: { ...err.details, row: i },
            cause: err,
          });
        }
        throw err;
      }
    }
    return out;
  }
}

/**
 * Loads a model from an artifact or its encoded bytes (verifying the embedded sha256, and
 * `expectedSha256` when given). Never executes code from the artifact. Before returning it checks
 * once that the parts fit together — the input schema gives the pipeline every column it reads
 * (typed and required as it reads them), the pipeline's output width is the learner's input width,
 * the learner's state is consistent in itself (typed-array lengths, tree outputs, finite values),
 * its task and class count match the target's classes, and a probe prediction succeeds — else an
 * ArtifactError `INVALID_ARTIFACT` names the part (e.g. `learner.state.coef: expected 241 features
 * (the pipeline's output width), got 242`).
 *
 * @example
 * ```ts
 * const model = loadModel(bytes, { expectedSha256: sha });
 * model.predict({ location: 'Whitefield', total_sqft: 1200, bath: 2, bhk: 2 }); // { value: 61.3 }
 * ```
 */
export function loadModel(source: ModelArtifact | Uint8Array, options: LoadModelOptions = {}): Model {
  checkExpectedSha256(options, 'loadModel');
  if (source instanceof Uint8Array) {
    const artifact = decodeArtifact(
      source,
      options.expectedSha256 !== undefined ? { expectedSha256: options.expectedSha256 } : {},
    );
    return new Model(artifact, artifactSha256(source), options);
  }
  const bytes = encodeArtifact(source);
  const sha = artifactSha256(bytes);
  if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== sha) {
    throw new ArtifactError('INTEGRITY', `artifact sha256 is ${sha}, expected ${options.expectedSha256}`, {
      operation: 'loadModel',
    });
  }
  return new Model(source, sha, options);
}
