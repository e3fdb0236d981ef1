import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonWith, runPythonJson } from '../../../test-support/python.js';
import {
  importLightGbm,
  importXgboost,
  isTreesError,
  TreeEnsemble,
  type TreesMatrix,
  trainForest,
  trainGbdt,
} from '../src/index.js';
import { lcg } from './helpers.js';

/** 6 features: y depends on x0…x3 (with an interaction), x4 is noise, x5 is constant; NaN in x1 and x2. */
function data(n: number, seed: number, task: 'regression' | 'binary' | 'multiclass', nan = 0.1) {
  const r = lcg(seed);
  const cols = 6;
  const x = new Float64Array(n * cols);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1, r(), r(), 3];
    const s = 2 * v[0]! + Math.sin(3 * v[1]!) + v[2]! * v[3]! + 0.3 * (r() - 0.5);
    if (r() < nan) v[1] = NaN;
    if (r() < nan) v[2] = NaN;
    x.set(v, i * cols);
    y[i] = task === 'regression' ? s : task === 'binary' ? (s > 0.2 ? 1 : 0) : s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
  }
  return { x: { data: x, rows: n, cols } as TreesMatrix, y };
}

/** Largest |expected + Σ values − raw prediction| over rows and outputs. */
function additivityError(model: TreeEnsemble, x: TreesMatrix): number {
  const { expectedValue, values } = model.explain(x);
  const raw = model.predictRaw(x);
  const K = model.numOutputs;
  const F = model.numFeatures;
  let worst = 0;
  for (let i = 0; i < x.rows; i++)
    for (let k = 0; k < K; k++) {
      let s = expectedValue[k]!;
      for (let f = 0; f < F; f++) s += values[(i * K + k) * F + f]!;
      worst = Math.max(worst, Math.abs(s - raw[i * K + k]!) / Math.max(1, Math.abs(raw[i * K + k]!)));
    }
  return worst;
}

/** Path-dependent expectation E[f | x_S] of one tree by brute force (follow x on S, average by cover elsewhere). */
function condExp(m: TreeEnsemble, ref: number, row: ArrayLike<number>, inS: (f: number) => boolean, k: number): number {
  if (ref < 0) {
    const leaf = ~ref;
    return m.leafWidth === 1 ? m.leafValues[leaf]! : m.leafValues[leaf * m.leafWidth + k]!;
  }
  const f = m.feature[ref]!;
  const l = m.left[ref]!;
  const r = m.right[ref]!;
  if (inS(f)) {
    const x = row[f]!;
    const goLeft = Number.isNaN(x) ? (m.flags[ref]! & 1) !== 0 : x <= m.threshold[ref]!;
    return condExp(m, goLeft ? l : r, row, inS, k);
  }
  const cov = (c: number) => (c >= 0 ? m.nodeCover![c]! : m.leafCover![~c]!);
  const cl = cov(l);
  const cr = cov(r);
  return (cl * condExp(m, l, row, inS, k) + cr * condExp(m, r, row, inS, k)) / (cl + cr);
}

/** Exact Shapley values of the path-dependent value function, by enumerating every subset. */
function bruteForceShap(m: TreeEnsemble, row: ArrayLike<number>): Float64Array {
  const F = m.numFeatures;
  const K = m.numOutputs;
  const out = new Float64Array(K * F);
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const v = (mask: number, k: number) => {
    let s = m.baseScore[k]!;
    for (let t = 0; t < m.numTrees; t++) {
      if (m.leafWidth === 1 && m.treeOutput[t] !== k) continue;
      s += m.outputScale * condExp(m, m.treeRoots[t]!, row, (f) => (mask & (1 << f)) !== 0, k);
    }
    return s;
  };
  for (let k = 0; k < K; k++)
    for (let mask = 0; mask < 1 << F; mask++) {
      const size = mask.toString(2).replace(/0/g, '').length;
      const base = v(mask, k);
      for (let f = 0; f < F; f++) {
        if ((mask & (1 << f)) !== 0) continue;
        const w = (fact(size) * fact(F - size - 1)) / fact(F);
        out[k * F + f]! += w * (v(mask | (1 << f), k) - base);
      }
    }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const train = {
  'gbdt regression': () => trainGbdt(data(600, 1, 'regression').x, data(600, 1, 'regression').y, { rounds: 30 }),
  'gbdt binary': () =>
    trainGbdt(data(600, 2, 'binary').x, data(600, 2, 'binary').y, { rounds: 30, objective: 'binary' }),
  'gbdt multiclass': () =>
    trainGbdt(data(600, 3, 'multiclass').x, data(600, 3, 'multiclass').y, { rounds: 15, objective: 'multiclass' }),
  'forest regression': () => trainForest(data(600, 4, 'regression').x, data(600, 4, 'regression').y, { trees: 20 }),
  'forest classification': () =>
    trainForest(data(600, 5, 'multiclass').x, data(600, 5, 'multiclass').y, {
      trees: 20,
      task: 'classification',
      maxDepth: 10,
    }),
} as const;
type Case = keyof typeof train;
const cases = Object.keys(train) as Case[];
const models = new Map<Case, TreeEnsemble>();
const model = (c: Case) => {
  if (!models.has(c)) models.set(c, train[c]().model);
  return models.get(c)!;
};
const test = data(200, 99, 'regression', 0.15).x;

describe('TreeEnsemble#explain: exact path-dependent TreeSHAP', () => {
  it.each(cases)('%s: expected value + contributions = the raw prediction within 1e-9, for every row', (c) => {
    const m = model(c);
    expect(m.explainable).toBe(true);
    expect(additivityError(m, test)).toBeLessThanOrEqual(1e-9);
  });

  it.each(cases)('%s: equals the Shapley values of the path-dependent expectation, by brute force', (c) => {
    // a small model keeps the 2^6 subsets × trees enumeration quick
    const m = model(c);
    const small = TreeEnsemble.fromSerial({
      ...m.toSerial(),
      treeRoots: m.treeRoots.slice(0, 3 * m.numOutputs),
      treeOutput: m.treeOutput.slice(0, 3 * m.numOutputs),
    });
    let worst = 0;
    for (let i = 0; i < 12; i++) {
      const row = test.data.subarray(i * 6, i * 6 + 6);
      worst = Math.max(worst, maxAbsDiff(small.explainRow(row).values, bruteForceShap(small, row)));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('gives a feature the model never splits on (the constant x5) exactly zero', () => {
    const m = model('gbdt regression');
    const { values } = m.explain(test);
    for (let i = 0; i < test.rows; i++) expect(values[i * 6 + 5]).toBe(0);
    // and the used features get something
    expect(values.subarray(0, 6).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('agrees between explainRow and explain, and after a serial round trip', () => {
    const m = model('gbdt multiclass');
    const back = TreeEnsemble.fromSerial(m.toSerial());
    const row = test.data.subarray(6, 12);
    const one = m.explainRow(row);
    expect(Array.from(back.explainRow(row).values)).toEqual(Array.from(one.values));
    expect(Array.from(m.explain(test).values.subarray(18, 36))).toEqual(Array.from(one.values));
    expect(one.expectedValue.length).toBe(3);
  });

  // worker threads load built JavaScript: this case uses the built package (`npm test` builds it first)
  const dist = join(__dirname, '..', 'dist', 'index.js');
  it.skipIf(!existsSync(dist))('explains a forest grown in worker threads as the same forest grown here', async () => {
    const built = (await import(dist)) as typeof import('../src/index.js');
    const d = data(400, 8, 'multiclass');
    const opts = { trees: 6, task: 'classification', maxDepth: 8 } as const;
    const one = built.trainForest(d.x, d.y, opts).model;
    const two = (await built.trainForestParallel(d.x, d.y, { ...opts, workers: 2 })).model;
    expect(two.explainable).toBe(true);
    expect(Array.from(two.explain(test).values)).toEqual(Array.from(one.explain(test).values));
  });

  it('refuses, with a clear TreesError, a model saved before covers were kept', () => {
    const { nodeCover: _n, leafCover: _l, ...old } = model('gbdt regression').toSerial();
    const m = TreeEnsemble.fromSerial(old);
    expect(m.explainable).toBe(false);
    expect(m.predictRow(test.data.subarray(0, 6))).toBeTypeOf('number');
    let err: unknown;
    try {
      m.explainRow(test.data.subarray(0, 6));
    } catch (e) {
      err = e;
    }
    expect(isTreesError(err, 'UNSUPPORTED_MODEL')).toBe(true);
    expect((err as Error).message).toMatch(/no node covers/);
  });

  it.each(['regression', 'multiclass'])(
    'an imported XGBoost %s model (sum_hessian as covers, float32 splits, NaN) is additive within 1e-9',
    (name) => {
      // hand-written fixtures in XGBoost's JSON schema (xgboost itself is not installed here, so not against shap)
      const json = JSON.parse(readFileSync(join(__dirname, 'fixtures', `xgboost-${name}.json`), 'utf8'));
      const m = importXgboost(json);
      expect(m.explainable).toBe(true);
      const data =
        m.numFeatures === 2
          ? Float64Array.of(1, 0, 1.5, 0, 2, 0.3, NaN, 5, 3, NaN, 5, 1)
          : Float64Array.of(1, 3, 5, NaN, 0, 2);
      const x = { data, rows: data.length / m.numFeatures, cols: m.numFeatures };
      expect(additivityError(m, x)).toBeLessThanOrEqual(1e-9);
    },
  );

  it('rejects malformed covers in a serial', () => {
    const s = model('gbdt regression').toSerial();
    expect(() => TreeEnsemble.fromSerial({ ...s, leafCover: s.leafCover!.subarray(1) })).toThrow(/leafCover/);
    expect(() => TreeEnsemble.fromSerial({ ...s, nodeCover: s.nodeCover!.map(() => -1) })).toThrow(/covers/);
  });
});

// ---------------------------------------------------------------------------------------------
// The reference: Python shap 0.51's TreeExplainer, on our own trees (as shap's dict model) and
// on a LightGBM booster imported with importLightGbm.

const py = pythonWith(['shap', 'lightgbm', 'numpy']);

interface ShapTree {
  children_left: number[];
  children_right: number[];
  children_default: number[];
  features: number[];
  thresholds: (number | string)[];
  leaf_values: number[][];
  node_sample_weight: number[];
}

/** Our trees in shap's dict-model form (leaves as nodes; internal values are left to Python). */
function toShapTrees(m: TreeEnsemble): ShapTree[] {
  const trees: ShapTree[] = [];
  for (let t = 0; t < m.numTrees; t++) {
    const tr: ShapTree = {
      children_left: [],
      children_right: [],
      children_default: [],
      features: [],
      thresholds: [],
      leaf_values: [],
      node_sample_weight: [],
    };
    const add = (ref: number): number => {
      const id = tr.features.length;
      tr.features.push(ref >= 0 ? m.feature[ref]! : -1);
      // ±Infinity (a split that only separates missing values) does not survive JSON: send it as text
      const thr = ref >= 0 ? m.threshold[ref]! : 0;
      tr.thresholds.push(Number.isFinite(thr) ? thr : String(thr));
      tr.node_sample_weight.push(ref >= 0 ? m.nodeCover![ref]! : m.leafCover![~ref]!);
      tr.children_left.push(-1);
      tr.children_right.push(-1);
      tr.children_default.push(-1);
      const vals = new Array<number>(m.numOutputs).fill(0);
      if (ref < 0) {
        const leaf = ~ref;
        if (m.leafWidth === 1) vals[m.treeOutput[t]!] = m.leafValues[leaf]! * m.outputScale;
        else for (let k = 0; k < m.numOutputs; k++) vals[k] = m.leafValues[leaf * m.leafWidth + k]! * m.outputScale;
      }
      tr.leaf_values.push(vals);
      if (ref >= 0) {
        const l = add(m.left[ref]!);
        const r = add(m.right[ref]!);
        tr.children_left[id] = l;
        tr.children_right[id] = r;
        tr.children_default[id] = (m.flags[ref]! & 1) !== 0 ? l : r;
      }
      return id;
    };
    add(m.treeRoots[t]!);
    trees.push(tr);
  }
  return trees;
}

const SHAP_DICT = `
import json, sys, time, numpy as np, shap
p = json.load(sys.stdin)
K = p['outputs']
trees = []
for t in p['trees']:
    cl = np.array(t['children_left']); cr = np.array(t['children_right']); w = np.array(t['node_sample_weight'], float)
    v = np.array(t['leaf_values'], float).reshape(-1, K)
    def fill(i):  # internal node value: the cover-weighted mean of its children (as scikit-learn stores)
        if cl[i] < 0: return
        fill(cl[i]); fill(cr[i])
        v[i] = (w[cl[i]] * v[cl[i]] + w[cr[i]] * v[cr[i]]) / (w[cl[i]] + w[cr[i]])
    fill(0)
    trees.append({'children_left': cl, 'children_right': cr, 'children_default': np.array(t['children_default']),
                  'features': np.array(t['features']), 'thresholds': np.array([float(a) for a in t['thresholds']]),
                  'values': v, 'node_sample_weight': w})
X = np.array([np.nan if a is None else a for a in p['x']], float).reshape(p['rows'], p['cols'])
e = shap.TreeExplainer({'trees': trees, 'base_offset': np.array(p['base'], float)}, model_output='raw')
t0 = time.perf_counter(); sv = np.asarray(e.shap_values(X)); dt = time.perf_counter() - t0
if sv.ndim == 2: sv = sv[:, :, None]
print(json.dumps({'values': sv.transpose(0, 2, 1).ravel().tolist(),
                  'expected': np.atleast_1d(e.expected_value).tolist(), 'rowsPerSecond': p['rows'] / dt}))
`;

const SHAP_LGB = `
import json, sys, numpy as np, lightgbm as lgb, shap
p = json.load(sys.stdin)
rng = np.random.default_rng(7)
n, F = 1500, 6
X = rng.uniform(-1, 1, (n, F))
s = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 0.3 * rng.uniform(-0.5, 0.5, n)
X[rng.uniform(size=n) < 0.1, 1] = np.nan
X[rng.uniform(size=n) < 0.1, 4] = 0.0
y = {'regression': s, 'binary': (s > 0.2).astype(int), 'multiclass': np.digitize(s, [-0.7, 0.7])}[p['task']]
params = {'objective': p['task'], 'num_leaves': 15, 'learning_rate': 0.1, 'verbose': -1, 'num_threads': 1,
          'min_data_in_leaf': 10, 'zero_as_missing': False}
if p['task'] == 'multiclass': params['num_class'] = 3
b = lgb.train(params, lgb.Dataset(X, y), num_boost_round=25)
Xt = X[:300]
e = shap.TreeExplainer(b)
sv = np.asarray(e.shap_values(Xt))
if sv.ndim == 2: sv = sv[:, :, None]
print(json.dumps({'model': b.model_to_string(), 'x': [None if np.isnan(a) else a for a in Xt.ravel().tolist()],
                  'rows': len(Xt), 'cols': F, 'values': sv.transpose(0, 2, 1).ravel().tolist(),
                  'expected': np.atleast_1d(e.expected_value).tolist(),
                  'raw': b.predict(Xt, raw_score=True).ravel().tolist()}))
`;

interface ShapOut {
  values: number[];
  expected: number[];
  rowsPerSecond: number;
}

if (!py) console.warn('SKIPPING TreeSHAP vs Python shap: python3 with shap, lightgbm and numpy not found');

describe.skipIf(!py)('TreeSHAP equals Python shap 0.51 TreeExplainer (within 1e-6)', () => {
  it.each(cases)('%s (our trees as a shap dict model, NaN in two features)', (c) => {
    const m = model(c);
    const x = test;
    const ref = runPythonJson<ShapOut>(py!, SHAP_DICT, {
      trees: toShapTrees(m),
      outputs: m.numOutputs,
      base: Array.from(m.baseScore),
      x: Array.from(x.data, (v) => (Number.isNaN(v) ? null : v)),
      rows: x.rows,
      cols: x.cols,
    });
    const ours = m.explain(x);
    const dv = maxAbsDiff(ours.values, ref.values);
    const de = maxAbsDiff(ours.expectedValue, ref.expected);
    console.log(`TreeSHAP vs shap, ${c}: max |diff| values ${dv.toExponential(2)}, expected ${de.toExponential(2)}`);
    expect(dv).toBeLessThanOrEqual(1e-6);
    expect(de).toBeLessThanOrEqual(1e-6);
  });

  it.each(['regression', 'binary', 'multiclass'] as const)(
    'an imported LightGBM %s model: our explain = shap.TreeExplainer(booster) (NaN and zeros in the data)',
    (task) => {
      const ref = runPythonJson<
        ShapOut & { model: string; x: (number | null)[]; rows: number; cols: number; raw: number[] }
      >(py!, SHAP_LGB, { task });
      const m = importLightGbm(ref.model);
      expect(m.explainable).toBe(true);
      const x = { data: Float64Array.from(ref.x, (v) => v ?? NaN), rows: ref.rows, cols: ref.cols };
      expect(maxAbsDiff(m.predictRaw(x), ref.raw)).toBeLessThanOrEqual(1e-9);
      const ours = m.explain(x);
      const dv = maxAbsDiff(ours.values, ref.values);
      const de = maxAbsDiff(ours.expectedValue, ref.expected);
      console.log(
        `TreeSHAP vs shap, LightGBM ${task}: max |diff| values ${dv.toExponential(2)}, expected ${de.toExponential(2)}`,
      );
      expect(dv).toBeLessThanOrEqual(1e-6);
      expect(de).toBeLessThanOrEqual(1e-6);
      expect(additivityError(m, x)).toBeLessThanOrEqual(1e-9);
    },
  );
});
