import { EnsembleBuilder } from './ensemble-builder.js';
import { TreeEnsemble } from './ensemble.js';
import { FLAG_DEFAULT_LEFT, FLAG_ZERO_MISSING } from './ensemble-parts.js';
import { TreesError } from './errors.js';

const op = 'importLightGbm';

function fail(code: 'INVALID_MODEL' | 'UNSUPPORTED_MODEL', message: string): never {
  throw new TreesError(code, `LightGBM model: ${message}`, { operation: op });
}

function nums(block: Map<string, string>, key: string, count: number, tree: number): number[] {
  const v = block.get(key);
  if (v === undefined) fail('INVALID_MODEL', `Tree=${tree}: missing ${key}`);
  const out = v.trim() === '' ? [] : v.trim().split(/\s+/).map(Number);
  if (out.length !== count || out.some((x) => Number.isNaN(x)))
    fail('INVALID_MODEL', `Tree=${tree}: ${key} must hold ${count} numbers`);
  return out;
}

/**
 * Imports a LightGBM text model (`booster.save_model()`) into the compiled inference engine:
 * regression (identity objectives), binary (`sigmoid:1`) and multiclass softmax; numerical splits
 * with LightGBM's missing-value rules (None, Zero, NaN). Predictions match LightGBM's.
 *
 * @example
 * ```ts
 * const model = importLightGbm(readFileSync('model.txt', 'utf8'));
 * const yhat = model.predictRow(row);
 * ```
 */
export function importLightGbm(text: string): TreeEnsemble {
  if (typeof text !== 'string' || !text.startsWith('tree'))
    fail('INVALID_MODEL', "expected the text format, starting with 'tree'");
  const sections = text.split(/\r?\n\r?\n/).map((s) => s.trim());
  const header = parseBlock(sections[0]!);
  const numFeatures = Number(header.get('max_feature_idx')) + 1;
  if (!(numFeatures >= 1)) fail('INVALID_MODEL', 'max_feature_idx: expected a non-negative integer');
  const numClass = Number(header.get('num_class') ?? 1);
  const perIter = Number(header.get('num_tree_per_iteration') ?? 1);
  const objective = (header.get('objective') ?? '').split(/\s+/);
  const name = objective[0] ?? '';
  let task: 'regression' | 'classification';
  let transform: 'identity' | 'sigmoid' | 'softmax';
  const identity = [
    'regression',
    'regression_l2',
    'regression_l1',
    'l2',
    'l1',
    'huber',
    'fair',
    'quantile',
    'mse',
    'mae',
  ];
  if (identity.includes(name)) {
    task = 'regression';
    transform = 'identity';
  } else if (name === 'binary') {
    const sig = objective.find((o) => o.startsWith('sigmoid:'));
    if (sig && Number(sig.slice(8)) !== 1)
      fail('UNSUPPORTED_MODEL', `objective ${objective.join(' ')}: only sigmoid:1 is supported`);
    task = 'classification';
    transform = 'sigmoid';
  } else if (name === 'multiclass' || name === 'softmax') {
    task = 'classification';
    transform = 'softmax';
  } else fail('UNSUPPORTED_MODEL', `objective '${name}' is not supported (regression, binary, multiclass are)`);
  const numOutputs = transform === 'softmax' ? numClass : 1;
  if (perIter !== numOutputs)
    fail('INVALID_MODEL', `num_tree_per_iteration ${perIter} does not match ${numOutputs} outputs`);
  const builder = new EnsembleBuilder(numFeatures, 1);
  let t = 0;
  for (const sec of sections) {
    if (!sec.startsWith('Tree=')) continue;
    const b = parseBlock(sec);
    const leaves = Number(b.get('num_leaves'));
    if (!(leaves >= 1)) fail('INVALID_MODEL', `Tree=${t}: num_leaves must be ≥ 1`);
    if (Number(b.get('num_cat') ?? 0) > 0) fail('UNSUPPORTED_MODEL', `Tree=${t}: categorical splits are not supported`);
    if (Number(b.get('is_linear') ?? 0) !== 0) fail('UNSUPPORTED_MODEL', `Tree=${t}: linear trees are not supported`);
    const leafValues = nums(b, 'leaf_value', leaves, t);
    const inner = leaves - 1;
    // node covers for TreeSHAP: LightGBM's own pred_contrib weighs by these row counts
    const leafCover = b.has('leaf_count') ? nums(b, 'leaf_count', leaves, t) : undefined;
    const cover = inner > 0 && b.has('internal_count') ? nums(b, 'internal_count', inner, t) : undefined;
    if (inner === 0) {
      builder.addTree(
        { feature: [], threshold: [], left: [], right: [], flags: [], leafValues, root: ~0, cover: [], leafCover },
        t % perIter,
      );
    } else {
      const feature = nums(b, 'split_feature', inner, t);
      const threshold = nums(b, 'threshold', inner, t);
      const decision = nums(b, 'decision_type', inner, t);
      const left = nums(b, 'left_child', inner, t);
      const right = nums(b, 'right_child', inner, t);
      const gain = b.has('split_gain') ? nums(b, 'split_gain', inner, t) : undefined;
      const flags = decision.map((d, i) => {
        if ((d & 1) !== 0) fail('UNSUPPORTED_MODEL', `Tree=${t}: categorical splits are not supported`);
        const defaultLeft = (d & 2) !== 0;
        const missing = (d >> 2) & 3;
        if (missing === 0) return 0 <= threshold[i]! ? FLAG_DEFAULT_LEFT : 0; // NaN is read as 0
        if (missing === 1) return FLAG_ZERO_MISSING | (defaultLeft ? FLAG_DEFAULT_LEFT : 0);
        return defaultLeft ? FLAG_DEFAULT_LEFT : 0;
      });
      for (const f of feature)
        if (!(f >= 0 && f < numFeatures)) fail('INVALID_MODEL', `Tree=${t}: split_feature ${f} out of range`);
      builder.addTree(
        { feature, threshold, left, right, flags, leafValues, root: 0, cover, leafCover, ...(gain ? { gain } : {}) },
        t % perIter,
      );
    }
    t++;
  }
  if (t === 0) fail('INVALID_MODEL', 'no Tree= sections found');
  if (t % perIter !== 0) fail('INVALID_MODEL', `${t} trees is not a multiple of num_tree_per_iteration ${perIter}`);
  const model = builder.build({
    task,
    numClasses: task === 'classification' ? Math.max(2, numClass) : 0,
    numOutputs,
    transform,
    outputScale: 1,
    baseScore: new Float64Array(numOutputs),
  });
  return checked(model);
}

function parseBlock(sec: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of sec.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1));
  }
  return m;
}

/** Re-validates the compiled arrays (children in range and after their parent). */
export function checked(model: TreeEnsemble): TreeEnsemble {
  try {
    return TreeEnsemble.fromSerial(model.toSerial());
  } catch (cause) {
    throw new TreesError('INVALID_MODEL', `imported model is malformed: ${(cause as Error).message}`, {
      operation: op,
      cause,
    });
  }
}
