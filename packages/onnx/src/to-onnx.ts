import type { Model, ModelArtifact } from '@modelship/core/artifact';
import { FeaturePipeline, type FeaturePipelineState } from '@modelship/core/features';
import { type LinearLearner, restoreLearner } from '@modelship/core/learners';
import { type EnsembleParts, TreeEnsemble } from '@modelship/trees';
import { OnnxError } from './errors.js';
import { GraphBuilder, ML_DOMAIN } from './graph-builder.js';
import { DataType, encodeModel } from './onnx-proto.js';
import { exportPipeline } from './pipeline-export.js';
import { exportTreeEnsemble5, exportTreeEnsembleRegressor3 } from './tree-export.js';

/**
 * The operator sets an export targets: `'ml5'` writes trees as `TreeEnsemble` of `ai.onnx.ml` 5
 * (with `ai.onnx` 21, IR version 10; the tests run it on onnxruntime 1.30); `'ml3'` writes
 * `TreeEnsembleRegressor` of `ai.onnx.ml` 3 (with `ai.onnx` 15, IR version 8) for runtimes whose
 * `ai.onnx.ml` opset is at most 4.
 */
export type OnnxOpset = 'ml5' | 'ml3';

/**
 * The numeric precision of the graph: `'double'` takes `tensor(double)` numeric inputs and keeps
 * every tree threshold and leaf value exact, so each split decides as ours on every input;
 * `'float'` takes `tensor(float)` inputs and compares in float32 (thresholds rounded down to
 * float32: exact for float32 feature values, but a feature the graph computes — standardised,
 * derived — may land within one float32 step of a threshold and go the other way). The pipeline
 * and the linear learners compute in double either way.
 */
export type OnnxPrecision = 'double' | 'float';

/** Options of {@link toOnnx}. */
export interface OnnxExportOptions {
  /** The operator sets to target (see {@link OnnxOpset}); default `'ml5'`. */
  opset?: OnnxOpset | undefined;
  /** Numeric inputs and tree splits in double or float32 (see {@link OnnxPrecision}); default `'double'`. */
  precision?: OnnxPrecision | undefined;
  /** The graph name; default `'modelship'`. */
  graphName?: string | undefined;
  /** The model's doc string; default none. */
  docString?: string | undefined;
}

const OPSETS: Record<OnnxOpset, { ir: number; onnx: number; ml: number }> = {
  ml5: { ir: 10, onnx: 21, ml: 5 },
  ml3: { ir: 8, onnx: 15, ml: 3 },
};

const OP = 'toOnnx';

function readOptions(options: OnnxExportOptions): {
  opset: OnnxOpset;
  precision: OnnxPrecision;
  graphName: string;
  docString: string | undefined;
} {
  if (typeof options !== 'object' || options === null) {
    throw new OnnxError('INVALID_OPTIONS', 'toOnnx: options: expected an object', { operation: OP });
  }
  const { opset = 'ml5', precision = 'double', graphName = 'modelship', docString } = options;
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new OnnxError('INVALID_OPTIONS', `toOnnx: ${field}: expected ${expected}, got ${JSON.stringify(got)}`, {
      operation: OP,
      details: { field },
    });
  };
  if (opset !== 'ml5' && opset !== 'ml3') bad('opset', "'ml5' or 'ml3'", opset);
  if (precision !== 'double' && precision !== 'float') bad('precision', "'double' or 'float'", precision);
  if (typeof graphName !== 'string' || graphName === '') bad('graphName', 'a non-empty string', graphName);
  if (docString !== undefined && typeof docString !== 'string') bad('docString', 'a string', docString);
  for (const k of Object.keys(options))
    if (!['opset', 'precision', 'graphName', 'docString'].includes(k)) bad(k, 'no such option', k);
  return { opset, precision, graphName, docString };
}

function invalid(what: string, cause: unknown): never {
  throw new OnnxError(
    'INVALID_ARTIFACT',
    `toOnnx: the artifact's ${what} cannot be loaded: ${(cause as Error).message}`,
    {
      operation: OP,
      details: { field: what },
      cause,
    },
  );
}

/**
 * Exports a trained model — its fitted feature pipeline and its learner — as an ONNX model
 * (`.onnx` bytes), so that onnxruntime (Python, C++, `onnxruntime-node`, the browser) or any ONNX
 * runtime predicts what `loadModel(artifact).predict(row)` predicts.
 *
 * The graph has one input per source column the pipeline reads, shape `[N, 1]`: `tensor(float)`
 * for numeric columns (NaN for a missing value), `tensor(string)` for categorical ones. A
 * regression model has one output `variable` (`float [N, 1]`); a classifier has `label`
 * (`string [N]`, the most probable class, the first on ties) and `probabilities`
 * (`float [N, classes]`, in the order of `artifact.target.classes`).
 *
 * Learners: `gbdt` and `forest` (regression, binary and multiclass) as `ai.onnx.ml` trees (see
 * {@link OnnxOpset}; thresholds exact in double precision, or rounded down to float32 with
 * `precision: 'float'` — see {@link OnnxPrecision}; missing values follow each node's default
 * direction), `linear` and
 * `logistic` as `MatMul` + `Add` (+ `Softmax`) in double precision. Pipeline steps: derived
 * columns, numeric imputation and standardisation, one-hot of categorical columns (rare and
 * unseen values as ours). Feature hashing, crosses and one-hot of numeric columns, ml-* learners
 * and LightGBM zero-as-missing splits throw OnnxError `NOT_EXPORTABLE` naming the step. The input
 * checks of `Model.predict` (required fields, ranges, closed categories) are not part of the graph.
 *
 * @param source - the model artifact, or a loaded {@link Model} (its artifact is exported).
 * @param options - see {@link OnnxExportOptions}.
 * @returns the ONNX `ModelProto` bytes.
 * @throws OnnxError `NOT_EXPORTABLE`, `INVALID_OPTIONS` or `INVALID_ARTIFACT`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { toOnnx } from '@modelship/onnx';
 *
 * writeFileSync('california.onnx', toOnnx(artifact)); // TreeEnsemble, ai.onnx.ml 5
 * writeFileSync('california-ml3.onnx', toOnnx(artifact, { opset: 'ml3' })); // TreeEnsembleRegressor
 * writeFileSync('california-f32.onnx', toOnnx(artifact, { precision: 'float' })); // float32 inputs
 * // Python: onnxruntime.InferenceSession('california.onnx').run(None, {'median_income': x, ...})
 * ```
 */
export function toOnnx(source: ModelArtifact | Model, options: OnnxExportOptions = {}): Uint8Array {
  const { opset, precision, graphName, docString } = readOptions(options);
  const double = precision === 'double';
  const o = OPSETS[opset];
  if (typeof source !== 'object' || source === null) {
    throw new OnnxError('INVALID_ARTIFACT', 'toOnnx: expected a model artifact or a loaded Model', { operation: OP });
  }
  const artifact: ModelArtifact = 'learner' in source ? source : source.artifact;
  let pipeline: FeaturePipeline;
  try {
    pipeline = FeaturePipeline.fromJSON(artifact.pipeline);
  } catch (cause) {
    return invalid('pipeline', cause);
  }
  const state: FeaturePipelineState = pipeline.toJSON();
  const g = new GraphBuilder();
  const { features, width } = exportPipeline(g, state, artifact.schema, double ? DataType.DOUBLE : DataType.FLOAT);
  const { kind } = artifact.learner;
  const classification = artifact.task === 'classification';
  const classes = artifact.target.classes ?? [];
  // every learner writes a double tensor: the regression value [N, 1] or class probabilities [N, C]
  let result: string;
  if (kind === 'gbdt' || kind === 'forest') {
    const s = artifact.learner.state as { ensemble?: unknown } | null;
    let parts: EnsembleParts;
    try {
      parts = TreeEnsemble.fromSerial(s?.ensemble);
    } catch (cause) {
      return invalid('learner', cause);
    }
    if (parts.numFeatures !== width)
      invalid('learner', new Error(`expected ${width} features, got ${parts.numFeatures}`));
    if (parts.task !== artifact.task)
      invalid('learner', new Error(`a ${parts.task} ensemble in a ${artifact.task} artifact`));
    if (classification && parts.numClasses !== classes.length)
      invalid('learner', new Error(`expected ${classes.length} classes, got ${parts.numClasses}`));
    const x = double ? features : g.cast(features, DataType.FLOAT);
    const sums =
      opset === 'ml5' ? exportTreeEnsemble5(g, x, parts, double) : exportTreeEnsembleRegressor3(g, x, parts, double);
    let raw = opset === 'ml5' && double ? sums : g.cast(sums, DataType.DOUBLE);
    if (parts.outputScale !== 1) raw = g.node('Mul', [raw, g.doubles('output_scale', [parts.outputScale])]);
    raw = g.node('Add', [raw, g.doubles('base_score', parts.baseScore)]);
    if (parts.transform === 'sigmoid') {
      const p = g.node('Sigmoid', [raw]);
      result = g.node(
        'Concat',
        [g.node('Sub', [g.doubles('one', [1]), p]), p],
        [{ name: 'axis', type: 'int', value: 1 }],
      );
    } else if (parts.transform === 'softmax')
      result = g.node('Softmax', [raw], [{ name: 'axis', type: 'int', value: 1 }]);
    else result = raw;
  } else if (kind === 'linear') {
    if (classification) invalid('learner', new Error('a linear regression in a classification artifact'));
    let l: LinearLearner;
    try {
      l = restoreLearner(artifact.learner) as LinearLearner;
    } catch (cause) {
      return invalid('learner', cause);
    }
    const coef = l.coefficients();
    if (coef.length !== width) invalid('learner', new Error(`expected ${width} coefficients, got ${coef.length}`));
    const w = g.constant('coef', DataType.DOUBLE, [coef.length, 1], coef);
    result = g.node('Add', [g.node('MatMul', [features, w]), g.doubles('intercept', [l.interceptValue()])]);
  } else if (kind === 'logistic') {
    if (!classification) invalid('learner', new Error('a logistic classifier in a regression artifact'));
    try {
      restoreLearner(artifact.learner); // validates every length and value
    } catch (cause) {
      return invalid('learner', cause);
    }
    const s = artifact.learner.state as {
      weights: Float64Array;
      center: Float64Array;
      scale: Float64Array;
      numClasses: number;
      numFeatures: number;
    };
    const { numClasses: k, numFeatures: d } = s;
    if (d !== width) invalid('learner', new Error(`expected ${width} features, got ${d}`));
    if (k !== classes.length) invalid('learner', new Error(`expected ${classes.length} classes, got ${k}`));
    // weights: k × (d + 1), bias last, over (x - center) / scale
    const wt = new Float64Array(d * k);
    const bias = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) wt[j * k + c] = s.weights[c * (d + 1) + j]!;
      bias[c] = s.weights[c * (d + 1) + d]!;
    }
    const z = g.node('Div', [g.node('Sub', [features, g.doubles('center', s.center)]), g.doubles('scale', s.scale)]);
    const logits = g.node('Add', [
      g.node('MatMul', [z, g.constant('weights', DataType.DOUBLE, [d, k], wt)]),
      g.doubles('bias', bias),
    ]);
    result = g.node('Softmax', [logits], [{ name: 'axis', type: 'int', value: 1 }]);
  } else {
    throw new OnnxError(
      'NOT_EXPORTABLE',
      `toOnnx: learner kind '${kind}' cannot be exported to ONNX (exportable: gbdt, forest, linear, logistic)`,
      { operation: OP, details: { step: 'learner', kind } },
    );
  }
  if (classification) {
    const best = g.node(
      'ArgMax',
      [result],
      [
        { name: 'axis', type: 'int', value: 1 },
        { name: 'keepdims', type: 'int', value: 0 },
      ],
    );
    const labels = g.constant('classes', DataType.STRING, [classes.length], classes);
    g.output(g.node('Gather', [labels, best], [{ name: 'axis', type: 'int', value: 0 }]), 'label', DataType.STRING, [
      'N',
    ]);
    g.output(g.cast(result, DataType.FLOAT), 'probabilities', DataType.FLOAT, ['N', classes.length]);
  } else g.output(g.cast(result, DataType.FLOAT), 'variable', DataType.FLOAT, ['N', 1]);
  return encodeModel({
    irVersion: o.ir,
    opsets: [
      { domain: '', version: o.onnx },
      { domain: ML_DOMAIN, version: o.ml },
    ],
    producerName: 'modelship',
    producerVersion: '@modelship/onnx',
    ...(docString !== undefined ? { docString } : {}),
    graph: { name: graphName, nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs },
    metadata: [
      { key: 'modelship.task', value: artifact.task },
      { key: 'modelship.learner', value: kind },
      { key: 'modelship.fingerprint', value: artifact.fingerprint },
      ...(classification ? [{ key: 'modelship.classes', value: JSON.stringify(classes) }] : []),
    ],
  });
}
