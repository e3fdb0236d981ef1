import { EnsembleBuilder } from './ensemble-builder.js';
import type { TreeEnsemble } from './ensemble.js';
import { FLAG_DEFAULT_LEFT, FLAG_FLOAT32_LESS } from './ensemble-parts.js';
import { TreesError } from './errors.js';
import { checked } from './import-lightgbm.js';

const op = 'importXgboost';

function fail(code: 'INVALID_MODEL' | 'UNSUPPORTED_MODEL', message: string): never {
  throw new TreesError(code, `XGBoost model: ${message}`, { operation: op });
}

function numArray(tree: Record<string, unknown>, key: string, t: number, length?: number): number[] {
  const v = tree[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number') || (length !== undefined && v.length !== length)) {
    fail('INVALID_MODEL', `trees[${t}].${key}: expected an array of ${length ?? 'some'} numbers`);
  }
  return v as number[];
}

/** The field `key` of a parsed JSON value, or undefined when `value` is not an object. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function parseScores(v: unknown, k: number): number[] {
  if (typeof v === 'number') return new Array<number>(k).fill(v);
  if (typeof v !== 'string') fail('INVALID_MODEL', 'learner_model_param.base_score: expected a number string');
  const s = v.trim();
  const list = s.startsWith('[') ? s.slice(1, -1).split(',').map(Number) : [Number(s)];
  if (list.some((x) => Number.isNaN(x))) fail('INVALID_MODEL', `base_score '${s}' is not a number`);
  return list.length === 1 ? new Array<number>(k).fill(list[0]!) : list;
}

/**
 * Imports an XGBoost JSON model (`booster.save_model('model.json')`, schema of XGBoost ≥ 1.0):
 * `gbtree` with numerical splits; objectives `reg:squarederror` (and other identity regression
 * objectives), `binary:logistic` and `multi:softprob` / `multi:softmax`. Splits follow
 * XGBoost's rule `float32(x) < split_condition`, missing values take `default_left`.
 *
 * @example
 * ```ts
 * const model = importXgboost(JSON.parse(readFileSync('model.json', 'utf8')));
 * ```
 */
export function importXgboost(json: unknown): TreeEnsemble {
  const root: unknown = typeof json === 'string' ? safeParse(json) : json;
  const learner = field(root, 'learner');
  if (!learner || typeof learner !== 'object') fail('INVALID_MODEL', "expected an object with a 'learner' field");
  const booster = field(learner, 'gradient_booster');
  const boosterName = field(booster, 'name');
  if (boosterName !== 'gbtree')
    fail('UNSUPPORTED_MODEL', `gradient_booster '${String(boosterName)}' is not supported (gbtree is)`);
  const model = field(booster, 'model');
  const trees = field(model, 'trees');
  if (!Array.isArray(trees) || trees.length === 0)
    fail('INVALID_MODEL', 'gradient_booster.model.trees: expected a non-empty array');
  const param = field(learner, 'learner_model_param') ?? {};
  const numFeatures = Number(field(param, 'num_feature'));
  if (!(numFeatures >= 1)) fail('INVALID_MODEL', 'learner_model_param.num_feature: expected an integer ≥ 1');
  const numClass = Number(field(param, 'num_class') ?? 0);
  const objective = String(field(field(learner, 'objective'), 'name') ?? '');
  let task: 'regression' | 'classification';
  let transform: 'identity' | 'sigmoid' | 'softmax';
  let K = 1;
  const identity = ['reg:squarederror', 'reg:linear', 'reg:absoluteerror', 'reg:pseudohubererror', 'reg:quantileerror'];
  if (identity.includes(objective)) {
    task = 'regression';
    transform = 'identity';
  } else if (objective === 'binary:logistic') {
    task = 'classification';
    transform = 'sigmoid';
  } else if (objective === 'multi:softprob' || objective === 'multi:softmax') {
    task = 'classification';
    transform = 'softmax';
    K = numClass;
    if (!(K >= 2)) fail('INVALID_MODEL', 'learner_model_param.num_class: expected ≥ 2 for a multi: objective');
  } else fail('UNSUPPORTED_MODEL', `objective '${objective}' is not supported`);
  let base = parseScores(field(param, 'base_score') ?? '0.5', K);
  if (base.length !== K) fail('INVALID_MODEL', `base_score: expected 1 or ${K} values`);
  if (transform === 'sigmoid') base = base.map((p) => Math.log(p / (1 - p)));
  const info = field(model, 'tree_info');
  if (!Array.isArray(info) || info.length !== trees.length)
    fail('INVALID_MODEL', 'tree_info: expected one class index per tree');
  const builder = new EnsembleBuilder(numFeatures, 1);
  trees.forEach((raw, t) => {
    const tree = raw as Record<string, unknown>;
    const leftC = numArray(tree, 'left_children', t);
    const n = leftC.length;
    const rightC = numArray(tree, 'right_children', t, n);
    const cond = numArray(tree, 'split_conditions', t, n);
    const index = numArray(tree, 'split_indices', t, n);
    const defLeft = numArray(tree, 'default_left', t, n);
    const splitType = tree.split_type === undefined ? [] : numArray(tree, 'split_type', t, n);
    const gains = Array.isArray(tree.loss_changes) ? (tree.loss_changes as number[]) : undefined;
    // node covers for TreeSHAP: XGBoost's (and shap's) weights are the hessian sums
    const hess =
      Array.isArray(tree.sum_hessian) && tree.sum_hessian.length === n ? (tree.sum_hessian as number[]) : undefined;
    if (splitType.some((s) => s !== 0)) fail('UNSUPPORTED_MODEL', `trees[${t}]: categorical splits are not supported`);
    const out = Number(info[t]);
    if (!(out >= 0 && out < K)) fail('INVALID_MODEL', `tree_info[${t}]: expected 0…${K - 1}`);
    // renumber: internal nodes and leaves in node-id order (children always have larger ids)
    const internalId = new Int32Array(n).fill(-1);
    const leafId = new Int32Array(n).fill(-1);
    let ni = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      if (leftC[i] === -1) leafId[i] = nl++;
      else internalId[i] = ni++;
    }
    const ref = (c: number) => {
      if (!(c > 0 && c < n)) fail('INVALID_MODEL', `trees[${t}]: child ${c} out of range`);
      return leftC[c] === -1 ? ~leafId[c]! : internalId[c]!;
    };
    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const flags: number[] = [];
    const gain: number[] = [];
    const leafValues: number[] = [];
    const cover: number[] = [];
    const leafCover: number[] = [];
    for (let i = 0; i < n; i++) {
      if (leftC[i] === -1) {
        leafValues.push(Math.fround(cond[i]!));
        leafCover.push(Number(hess?.[i]));
        continue;
      }
      cover.push(Number(hess?.[i]));
      feature.push(index[i]!);
      threshold.push(Math.fround(cond[i]!));
      left.push(ref(leftC[i]!));
      right.push(ref(rightC[i]!));
      flags.push(FLAG_FLOAT32_LESS | (defLeft[i] ? FLAG_DEFAULT_LEFT : 0));
      gain.push(gains?.[i] ?? 0);
    }
    const covers = hess ? { cover, leafCover } : {};
    builder.addTree(
      { feature, threshold, left, right, flags, gain, leafValues, root: leftC[0] === -1 ? ~0 : 0, ...covers },
      out,
    );
  });
  return checked(
    builder.build({
      task,
      numClasses: task === 'classification' ? Math.max(2, K) : 0,
      numOutputs: K,
      transform,
      outputScale: 1,
      baseScore: base,
    }),
  );
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (cause) {
    throw new TreesError('INVALID_MODEL', 'XGBoost model: not valid JSON', { operation: op, cause });
  }
}
