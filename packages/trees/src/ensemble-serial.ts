import { TreesError } from './errors.js';
import type { EnsembleParts, EnsembleTransform } from './ensemble-parts.js';

/** The serial form of a {@link TreeEnsemble}: its parts (plain data plus typed arrays, never code) with a format tag. */
export interface EnsembleSerial extends EnsembleParts {
  /** Format tag. */
  readonly format: 'modelship-trees';
  /** Format version. */
  readonly version: 1;
}

const op = 'TreeEnsemble.fromSerial';

function bad(message: string): never {
  throw new TreesError('INVALID_MODEL', message, { operation: op });
}

function arr<T>(s: Record<string, unknown>, key: string, type: new (n: number) => T): T {
  const v = s[key];
  if (!(v instanceof (type as unknown as new (...a: unknown[]) => object)))
    bad(`${key}: expected a ${(type as { name?: string }).name}`);
  return v as T;
}

function int(s: Record<string, unknown>, key: string, min: number): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    bad(`${key}: expected an integer ≥ ${min}, got ${String(v)}`);
  return v;
}

/** Validates untrusted serial data (shapes, indices, acyclic trees) and returns ensemble parts. */
export function decodeEnsembleSerial(serial: unknown): EnsembleParts {
  if (serial === null || typeof serial !== 'object') bad('expected an object');
  const s = serial as Record<string, unknown>;
  if (s.format !== 'modelship-trees') bad(`format: expected 'modelship-trees', got ${String(s.format)}`);
  if (s.version !== 1) bad(`version: expected 1, got ${String(s.version)}`);
  if (s.task !== 'regression' && s.task !== 'classification') bad(`task: expected 'regression' or 'classification'`);
  const transforms: EnsembleTransform[] = ['identity', 'sigmoid', 'softmax', 'proba'];
  if (!transforms.includes(s.transform as EnsembleTransform))
    bad(`transform: expected one of ${transforms.join(', ')}`);
  const numFeatures = int(s, 'numFeatures', 1);
  const numClasses = int(s, 'numClasses', 0);
  const numOutputs = int(s, 'numOutputs', 1);
  const leafWidth = int(s, 'leafWidth', 1);
  if (leafWidth !== 1 && leafWidth !== numOutputs) bad(`leafWidth: expected 1 or numOutputs (${numOutputs})`);
  if (typeof s.outputScale !== 'number' || !Number.isFinite(s.outputScale))
    bad('outputScale: expected a finite number');
  const baseScore = arr(s, 'baseScore', Float64Array);
  const treeRoots = arr(s, 'treeRoots', Int32Array);
  const treeOutput = arr(s, 'treeOutput', Int32Array);
  const feature = arr(s, 'feature', Int32Array);
  const threshold = arr(s, 'threshold', Float64Array);
  const left = arr(s, 'left', Int32Array);
  const right = arr(s, 'right', Int32Array);
  const flags = arr(s, 'flags', Uint8Array);
  const leafValues = arr(s, 'leafValues', Float64Array);
  const importanceGain = arr(s, 'importanceGain', Float64Array);
  const importanceSplit = arr(s, 'importanceSplit', Float64Array);
  let covers: { nodeCover: Float64Array; leafCover: Float64Array } | undefined;
  if (s.nodeCover !== undefined || s.leafCover !== undefined) {
    const nodeCover = arr(s, 'nodeCover', Float64Array);
    const leafCover = arr(s, 'leafCover', Float64Array);
    if (nodeCover.length !== feature.length) bad('nodeCover: expected one value per internal node');
    if (leafCover.length * leafWidth !== leafValues.length) bad('leafCover: expected one value per leaf');
    for (const c of [nodeCover, leafCover])
      for (const v of c) if (!(v >= 0 && v < Infinity)) bad('covers: expected finite non-negative numbers');
    covers = { nodeCover, leafCover };
  }
  if (baseScore.length !== numOutputs) bad(`baseScore: expected ${numOutputs} values`);
  if (treeOutput.length !== treeRoots.length) bad('treeOutput: expected one value per tree');
  const nodes = feature.length;
  if (threshold.length !== nodes || left.length !== nodes || right.length !== nodes || flags.length !== nodes) {
    bad('feature, threshold, left, right and flags must have the same length');
  }
  if (leafValues.length % leafWidth !== 0) bad('leafValues: length must be a multiple of leafWidth');
  const leaves = leafValues.length / leafWidth;
  if (importanceGain.length !== numFeatures || importanceSplit.length !== numFeatures)
    bad('importance arrays: expected one value per feature');
  for (let t = 0; t < treeRoots.length; t++) {
    const r = treeRoots[t]!;
    if (r >= nodes || ~r >= leaves) bad(`treeRoots[${t}]: index out of range`);
    if (treeOutput[t]! < 0 || treeOutput[t]! >= numOutputs) bad(`treeOutput[${t}]: expected 0…${numOutputs - 1}`);
  }
  for (let i = 0; i < nodes; i++) {
    if (feature[i]! < 0 || feature[i]! >= numFeatures)
      bad(`feature[${i}]: expected 0…${numFeatures - 1}, got ${feature[i]}`);
    for (const c of [left[i]!, right[i]!]) {
      if (c >= 0 ? c <= i || c >= nodes : ~c >= leaves)
        bad(`children of node ${i}: index out of range or not after the node`);
    }
  }
  return {
    task: s.task as 'regression' | 'classification',
    numFeatures,
    numClasses,
    numOutputs,
    leafWidth,
    transform: s.transform as EnsembleTransform,
    outputScale: s.outputScale as number,
    baseScore,
    treeRoots,
    treeOutput,
    feature,
    threshold,
    left,
    right,
    flags,
    leafValues,
    importanceGain,
    importanceSplit,
    ...covers,
  };
}
