/**
 * A compiled `@modelship/trees` ensemble as `ai.onnx.ml` trees: `TreeEnsemble` (ai.onnx.ml 5) or
 * `TreeEnsembleRegressor` (ai.onnx.ml 3), summing raw scores (no base score, no transform: the
 * caller adds both in double precision).
 *
 * Split tests: a node of ours sends `x` left when `x <= t` (float64).
 * - In `double` precision the tree reads double features and `t` is kept exact.
 * - In `float` precision ONNX compares in float32, so `t` is rounded DOWN to the largest float32
 *   `t32 <= t`: for every float32 input `x`, `x <= t32` exactly when `x <= t`.
 * A node imported from XGBoost (`fround(x) < t`) becomes `BRANCH_LT` with `t` rounded UP in float
 * precision, and the equivalent test on the double `x` (the rounding boundary) in double precision.
 * A missing value (NaN) follows the node's default direction (`nodes_missing_value_tracks_true`,
 * "true" being our left child).
 */
import type { EnsembleParts } from '@modelship/trees';
import { OnnxError } from './errors.js';
import { type GraphBuilder, ML_DOMAIN } from './graph-builder.js';
import { DataType } from './onnx-proto.js';

// node flags of @modelship/trees (ensemble-parts.ts)
const FLAG_DEFAULT_LEFT = 1;
const FLAG_ZERO_MISSING = 2;
const FLAG_FLOAT32_LESS = 4;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The float32 next to `f` (itself a float32) towards -Infinity (`dir` -1) or +Infinity (`dir` 1). */
function step32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 2 ** -149;
  f32[0] = f;
  i32[0]! += f > 0 ? dir : -dir;
  return f32[0]!;
}

/** The largest float32 `<= t`. */
export function floor32(t: number): number {
  const f = Math.fround(t);
  return f <= t ? f : step32(f, -1);
}

/** The smallest float32 `>= t`. */
export function ceil32(t: number): number {
  const f = Math.fround(t);
  return f >= t ? f : step32(f, 1);
}

interface Split {
  readonly lt: boolean;
  readonly value: number;
  readonly missingLeft: 0 | 1;
}

/** Float32 bits of `f` (a float32). */
function bits32(f: number): number {
  f32[0] = f;
  return i32[0]!;
}

/** `fround(x) < t` as a test on the double `x`: `x < m` or `x <= m` at the rounding boundary `m`. */
function float32LessAsDouble(t: number): { lt: boolean; value: number } {
  const c = ceil32(t);
  const p = step32(c, -1);
  const m = p + (c - p) / 2; // exact in double
  // a tie rounds to the float32 with an even mantissa
  return (bits32(p) & 1) === 0 ? { lt: false, value: m } : { lt: true, value: m };
}

function splitOf(parts: EnsembleParts, node: number, double: boolean): Split {
  const fl = parts.flags[node]!;
  const t = parts.threshold[node]!;
  if ((fl & FLAG_ZERO_MISSING) !== 0) {
    throw new OnnxError(
      'NOT_EXPORTABLE',
      `toOnnx: tree node ${node} treats zero as missing (a LightGBM zero_as_missing split), which no ONNX tree mode expresses`,
      { operation: 'toOnnx', details: { step: 'learner', node } },
    );
  }
  const missingLeft = (fl & FLAG_DEFAULT_LEFT) !== 0 ? 1 : 0;
  if ((fl & FLAG_FLOAT32_LESS) !== 0)
    return double ? { ...float32LessAsDouble(t), missingLeft } : { lt: true, value: ceil32(t), missingLeft };
  return { lt: false, value: double ? t : floor32(t), missingLeft };
}

/** The trees to emit: each tree once per output it writes (a multi-output leaf becomes one tree per output in ml5). */
function leafWeight(parts: EnsembleParts, leaf: number, k: number): number {
  return parts.leafValues[leaf * parts.leafWidth + (parts.leafWidth === 1 ? 0 : k)]!;
}

/**
 * Adds `TreeEnsemble` (ai.onnx.ml 5) over `x` (double features when `double`, else float); returns
 * the `[N, numOutputs]` raw sums (of the same type).
 */
export function exportTreeEnsemble5(g: GraphBuilder, x: string, parts: EnsembleParts, double: boolean): string {
  const type = double ? DataType.DOUBLE : DataType.FLOAT;
  const featureIds: number[] = [];
  const splits: number[] = [];
  const modes: number[] = [];
  const missing: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const leafTargets: number[] = [];
  const leafWeights: number[] = [];
  const roots: number[] = [];
  const addLeaf = (leaf: number, k: number): number => {
    leafTargets.push(k);
    leafWeights.push(leafWeight(parts, leaf, k));
    return leafTargets.length - 1;
  };
  const addNode = (feature: number, s: Split): number => {
    featureIds.push(feature);
    splits.push(s.value);
    modes.push(s.lt ? 1 : 0);
    missing.push(s.missingLeft);
    trueIds.push(0);
    trueLeafs.push(0);
    falseIds.push(0);
    falseLeafs.push(0);
    return featureIds.length - 1;
  };
  const emit = (node: number, k: number): { leaf: boolean; id: number } => {
    if (node < 0) return { leaf: true, id: addLeaf(~node, k) };
    const id = addNode(parts.feature[node]!, splitOf(parts, node, double));
    const l = emit(parts.left[node]!, k);
    const r = emit(parts.right[node]!, k);
    trueIds[id] = l.id;
    trueLeafs[id] = l.leaf ? 1 : 0;
    falseIds[id] = r.id;
    falseLeafs[id] = r.leaf ? 1 : 0;
    return { leaf: false, id };
  };
  const outputsOf = (t: number): number[] =>
    parts.leafWidth === 1 ? [parts.treeOutput[t]!] : Array.from({ length: parts.numOutputs }, (_, k) => k);
  for (let t = 0; t < parts.treeRoots.length; t++) {
    const root = parts.treeRoots[t]!;
    for (const k of outputsOf(t)) {
      if (root < 0) {
        // a single-leaf tree: a split whose both branches hold the leaf's value
        const id = addNode(0, { lt: false, value: 0, missingLeft: 0 });
        trueIds[id] = addLeaf(~root, k);
        trueLeafs[id] = 1;
        falseIds[id] = addLeaf(~root, k);
        falseLeafs[id] = 1;
        roots.push(id);
      } else roots.push(emit(root, k).id);
    }
  }
  return g.node(
    'TreeEnsemble',
    [x],
    [
      { name: 'aggregate_function', type: 'int', value: 1 },
      { name: 'post_transform', type: 'int', value: 0 },
      { name: 'n_targets', type: 'int', value: parts.numOutputs },
      { name: 'tree_roots', type: 'ints', value: roots },
      { name: 'nodes_featureids', type: 'ints', value: featureIds },
      {
        name: 'nodes_splits',
        type: 'tensor',
        value: { dataType: type, dims: [splits.length], values: splits },
      },
      { name: 'nodes_modes', type: 'tensor', value: { dataType: DataType.UINT8, dims: [modes.length], values: modes } },
      { name: 'nodes_missing_value_tracks_true', type: 'ints', value: missing },
      { name: 'nodes_truenodeids', type: 'ints', value: trueIds },
      { name: 'nodes_trueleafs', type: 'ints', value: trueLeafs },
      { name: 'nodes_falsenodeids', type: 'ints', value: falseIds },
      { name: 'nodes_falseleafs', type: 'ints', value: falseLeafs },
      { name: 'leaf_targetids', type: 'ints', value: leafTargets },
      {
        name: 'leaf_weights',
        type: 'tensor',
        value: { dataType: type, dims: [leafWeights.length], values: leafWeights },
      },
    ],
    ML_DOMAIN,
  );
}

/**
 * Adds `TreeEnsembleRegressor` (ai.onnx.ml 3) over `x` (double features with double
 * `*_as_tensor` thresholds and weights when `double`, else float); returns the float
 * `[N, numOutputs]` raw sums.
 */
export function exportTreeEnsembleRegressor3(
  g: GraphBuilder,
  x: string,
  parts: EnsembleParts,
  double: boolean,
): string {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const missing: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];
  for (let t = 0; t < parts.treeRoots.length; t++) {
    let next = 0;
    const push = (feature: number, mode: string, value: number, miss: number): number => {
      treeIds.push(t);
      nodeIds.push(next);
      featureIds.push(feature);
      modes.push(mode);
      values.push(value);
      missing.push(miss);
      trueIds.push(0);
      falseIds.push(0);
      return next++;
    };
    const emit = (node: number): number => {
      if (node < 0) {
        const leaf = ~node;
        const id = push(0, 'LEAF', 0, 0);
        const ks =
          parts.leafWidth === 1 ? [parts.treeOutput[t]!] : Array.from({ length: parts.numOutputs }, (_, k) => k);
        for (const k of ks) {
          targetTree.push(t);
          targetNode.push(id);
          targetIds.push(k);
          targetWeights.push(leafWeight(parts, leaf, k));
        }
        return id;
      }
      const s = splitOf(parts, node, double);
      const id = push(parts.feature[node]!, s.lt ? 'BRANCH_LT' : 'BRANCH_LEQ', s.value, s.missingLeft);
      const pos = treeIds.length - 1;
      trueIds[pos] = emit(parts.left[node]!);
      falseIds[pos] = emit(parts.right[node]!);
      return id;
    };
    emit(parts.treeRoots[t]!);
  }
  return g.node(
    'TreeEnsembleRegressor',
    [x],
    [
      { name: 'aggregate_function', type: 'string', value: 'SUM' },
      { name: 'post_transform', type: 'string', value: 'NONE' },
      { name: 'n_targets', type: 'int', value: parts.numOutputs },
      { name: 'nodes_treeids', type: 'ints', value: treeIds },
      { name: 'nodes_nodeids', type: 'ints', value: nodeIds },
      { name: 'nodes_featureids', type: 'ints', value: featureIds },
      { name: 'nodes_modes', type: 'strings', value: modes },
      double
        ? {
            name: 'nodes_values_as_tensor',
            type: 'tensor',
            value: { dataType: DataType.DOUBLE, dims: [values.length], values },
          }
        : { name: 'nodes_values', type: 'floats', value: values },
      { name: 'nodes_missing_value_tracks_true', type: 'ints', value: missing },
      { name: 'nodes_truenodeids', type: 'ints', value: trueIds },
      { name: 'nodes_falsenodeids', type: 'ints', value: falseIds },
      { name: 'target_treeids', type: 'ints', value: targetTree },
      { name: 'target_nodeids', type: 'ints', value: targetNode },
      { name: 'target_ids', type: 'ints', value: targetIds },
      double
        ? {
            name: 'target_weights_as_tensor',
            type: 'tensor',
            value: { dataType: DataType.DOUBLE, dims: [targetWeights.length], values: targetWeights },
          }
        : { name: 'target_weights', type: 'floats', value: targetWeights },
    ],
    ML_DOMAIN,
  );
}
