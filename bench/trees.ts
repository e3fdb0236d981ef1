/**
 * `npm run bench -- trees`: @modelship/trees on California, Bangalore (243 one-hot columns) and
 * Iris, beside the Python peers of the same machine (`../shared/peer/run.sh california|bangalore|iris`
 * writes /tmp/modelship-peer/py_<suite>.json; run them right before this suite to compare one run).
 * Peak RSS of the California cases is measured in a child process that only trains that model.
 * Each case first trains once on a 2,000-row slice to warm the JIT (not timed); fit times are the
 * median of 3 fits. Like for like (../shared/CONVENTIONS.md "Fair benchmarks"): every record names
 * our settings and the peer's (the `_matched`, default and `_msl3` models of `PEER_THREADS=1`) and the thread
 * counts; `gbdt-lambda0` is our gbdt with the peers' lambda 0 (our default is 1); batch rows/s is
 * the prediction comparison, single-row latency is in-process and not comparable with a Python call.
 * Two more GBDT cases (California ×16 rows, California price terciles) sit beside LightGBM of
 * `PEER_THREADS=1 /tmp/modelship-peer-venv/bin/python bench/peer/gbdt_extra.py` (run it just before too).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeSerial, trainForest, trainForestParallel, trainGbdt, type TreeEnsemble } from '@modelship/trees';
import {
  batchRowsPerSecond,
  IN_PROCESS_NOTE,
  latencyMicros,
  loadAverage,
  medianSeconds,
  peakRssMb,
  peerResults,
  peerThreads,
  writeResults,
  type BenchRecord,
} from './_lib.js';
import { bangalore, california, iris, type Split } from './_data.js';

const datasets: Record<string, () => Split> = { california, bangalore, iris };

function train(_dataset: string, learner: string, d: Split): TreeEnsemble {
  const cls = d.task === 'classification';
  if (learner === 'gbdt') {
    return trainGbdt(d.train.x, d.train.y, cls ? { objective: 'multiclass', minSamplesLeaf: 5 } : {}).model;
  }
  if (learner === 'gbdt-lambda0') return trainGbdt(d.train.x, d.train.y, { lambda: 0 }).model;
  if (learner === 'forest-msl3') return trainForest(d.train.x, d.train.y, { minSamplesLeaf: 3 }).model;
  return trainForest(d.train.x, d.train.y, cls ? { task: 'classification' } : {}).model;
}

function metrics(d: Split, p: Float64Array): Record<string, number> {
  const y = d.test.y;
  if (d.task === 'classification') {
    let ok = 0;
    const K = Math.max(...y) + 1;
    const f1: number[] = [];
    for (let k = 0; k < K; k++) {
      let tp = 0,
        fp = 0,
        fn = 0;
      for (let i = 0; i < y.length; i++) {
        if (p[i] === k && y[i] === k) tp++;
        else if (p[i] === k) fp++;
        else if (y[i] === k) fn++;
      }
      f1.push(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
    }
    for (let i = 0; i < y.length; i++) if (p[i] === y[i]) ok++;
    return { accuracy: ok / y.length, macroF1: f1.reduce((a, b) => a + b, 0) / K };
  }
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let ss = 0,
    st = 0,
    ae = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (y[i]! - p[i]!) ** 2;
    st += (y[i]! - mean) ** 2;
    ae += Math.abs(y[i]! - p[i]!);
  }
  return { r2: 1 - ss / st, rmse: Math.sqrt(ss / y.length), mae: ae / y.length };
}

/** Our settings, as a record states them (the defaults of @modelship/trees unless the case says otherwise). */
const OURS = {
  gbdt: 'ours: rounds 100, lr 0.1, 31 leaves, 20 rows/leaf, min hessian 1e-3, 255 bins, lambda 1 (default, chosen by 5-fold CV on the training rows: bench/cv-defaults.ts), no early stopping, 1 thread',
  'gbdt-lambda0':
    "ours: rounds 100, lr 0.1, 31 leaves, 20 rows/leaf, min hessian 1e-3, 255 bins, lambda 0 (set for this case: the peers' setting), no early stopping, 1 thread",
  gbdtMulticlass:
    'ours: multiclass, rounds 100, lr 0.1, 31 leaves, 5 rows/leaf, 255 bins, lambda 1, no early stopping, 1 thread',
  forest:
    'ours: 100 trees, bootstrap, all features per split, 1 row/leaf (default, chosen by 5-fold CV on the training rows: bench/cv-defaults.ts), unlimited depth, exact thresholds (default for regression), 1 thread',
  'forest-msl3':
    'ours: 100 trees, bootstrap, all features per split, 3 rows/leaf (set for this case), unlimited depth, exact thresholds, 1 thread',
  forestClassifier:
    'ours: 100 trees, bootstrap, sqrt(features) per split, gini, 1 row/leaf, unlimited depth, 255-bin histogram splits, 1 thread',
} as const;

/** The peers' settings, read from ../shared/peer/bench_*.py (the `_matched` and `_msl3` models). */
const PEER = {
  HistGradientBoosting_matched: {
    label: 'HGB',
    settings:
      'scikit-learn HistGradientBoostingRegressor: max_iter 100, lr 0.1, 31 leaves, min_samples_leaf 20, max_bins 255 (+1 missing bin), l2 0, early_stopping off',
  },
  LightGBM_matched: {
    label: 'LightGBM',
    settings:
      'LightGBM LGBMRegressor: 100 rounds, lr 0.1, num_leaves 31, min_child_samples 20, min_child_weight 1e-3 (default), max_bin 255, reg_lambda 0, no early stopping',
  },
  RandomForest100_njobs1: {
    label: 'RF',
    settings:
      'scikit-learn RandomForestRegressor (defaults): 100 trees, bootstrap, max_features 1.0, min_samples_leaf 1, unlimited depth, exact thresholds, n_jobs 1',
  },
  RandomForest100_njobs2: {
    label: 'RF',
    settings:
      'scikit-learn RandomForestRegressor (defaults): 100 trees, bootstrap, max_features 1.0, min_samples_leaf 1, unlimited depth, exact thresholds, n_jobs 2 (2 threads)',
  },
  RandomForest100_msl3: {
    label: 'RF',
    settings:
      'scikit-learn RandomForestRegressor: 100 trees, bootstrap, max_features 1.0, min_samples_leaf 3, unlimited depth, exact thresholds',
  },
  RandomForestClassifier100: {
    label: 'RF',
    settings:
      'scikit-learn RandomForestClassifier: 100 trees, bootstrap, max_features sqrt, gini, min_samples_leaf 1, unlimited depth, exact thresholds, n_jobs 1',
  },
} as const;

/** Where our settings and the peers' differ, per case (empty when they agree but for binning). */
function differs(learner: string, dataset: string): string {
  if (learner === 'gbdt' && dataset !== 'iris') return 'lambda 1 (ours) / 0 (peer _matched)';
  if (learner.startsWith('forest') && dataset === 'iris')
    return '255-bin histogram splits (ours) / exact thresholds (scikit-learn)';
  if (learner.startsWith('forest')) return 'none (both: exact thresholds, the same rows per leaf)';
  return 'no peer (the peers train no boosted Iris model)';
}

/** The peer fields of a record: each peer model with its settings, threads, quality and times. */
function peerFields(
  dataset: string,
  learner: string,
  peer = peerResults(dataset),
  from = '/tmp/modelship-peer',
): Record<string, unknown> {
  if (!peer) return { peer: `no ${from}/py_${dataset}.json: run ../shared/peer/run.sh ${dataset}` };
  const part = dataset === 'bangalore' ? peer.brief : peer;
  const models = part?.models as Record<string, Record<string, any>> | undefined;
  const threads = peerThreads(part) ?? (dataset === 'iris' ? 1 : undefined);
  const pick = (key: keyof typeof PEER) => {
    const m = models?.[key];
    if (!m) return {};
    const label = PEER[key].label;
    return {
      [`peer${label}`]: key,
      [`peer${label}Settings`]: PEER[key].settings,
      [`peer${label}Threads`]: threads,
      ...(m.r2 !== undefined ? { [`peer${label}R2`]: m.r2 } : { [`peer${label}Accuracy`]: m.accuracy }),
      [`peer${label}FitSeconds`]: m.fit_s,
      ...(m.batch_rows_per_s ? { [`peer${label}BatchRowsPerSecond`]: m.batch_rows_per_s } : {}),
      ...(m.single_row ? { [`peer${label}PythonCallRowP50Micros`]: m.single_row.p50_ms * 1000 } : {}),
      ...(m.pickle_bytes ? { [`peer${label}PickleBytes`]: m.pickle_bytes } : {}),
    };
  };
  const base = learner.split('-')[0];
  if (dataset === 'iris')
    return base === 'forest'
      ? pick('RandomForestClassifier100')
      : { peer: 'none (the peers train no boosted Iris model)' };
  return base === 'gbdt'
    ? { ...pick('HistGradientBoosting_matched'), ...pick('LightGBM_matched') }
    : pick(
        learner === 'forest-msl3'
          ? 'RandomForest100_msl3'
          : learner === 'forest-2-workers'
            ? 'RandomForest100_njobs2'
            : 'RandomForest100_njobs1',
      );
}

/** Child mode: train one case and print the peak RSS of this process. */
if (process.argv[2] === '--rss-child') {
  const [dataset, learner] = process.argv[3]!.split('/');
  const d = datasets[dataset!]!();
  const before = peakRssMb();
  train(dataset!, learner!, d);
  console.log(JSON.stringify({ peakRssMb: peakRssMb(), beforeTrainingMb: before }));
  process.exit(0);
}

function childRss(c: string): number | undefined {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, '--rss-child', c], {
    encoding: 'utf8',
    env: process.env,
  });
  const line = r.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line ?? '').peakRssMb;
  } catch {
    console.error(`rss child for ${c} failed: ${r.stderr}`);
    return undefined;
  }
}

/** Which of OURS a case's settings are. */
function oursSettings(dataset: string, learner: string): string {
  if (dataset === 'iris') return learner === 'gbdt' ? OURS.gbdtMulticlass : OURS.forestClassifier;
  return OURS[learner as 'gbdt' | 'gbdt-lambda0' | 'forest' | 'forest-msl3'];
}

/** ours / peer for each peer fit time in `rec` (> 1: we are slower), and peer / ours for batch rows/s. */
function ratios(rec: BenchRecord): void {
  for (const label of ['HGB', 'LightGBM', 'RF']) {
    const pf = rec[`peer${label}FitSeconds`];
    if (typeof pf === 'number') rec[`fitSecondsOursOverPeer${label}`] = (rec.fitSeconds as number) / pf;
    const pb = rec[`peer${label}BatchRowsPerSecond`];
    if (typeof pb === 'number' && typeof rec.predictBatchRowsPerSecond === 'number')
      rec[`batchRowsPerSecondOursOverPeer${label}`] = rec.predictBatchRowsPerSecond / pb;
  }
}

const records: BenchRecord[] = [];
const only = process.argv[2];
const loadAtStart = loadAverage();
for (const dataset of ['california', 'bangalore', 'iris']) {
  const d = datasets[dataset]!();
  for (const learner of dataset === 'iris' ? ['gbdt', 'forest'] : ['gbdt', 'gbdt-lambda0', 'forest', 'forest-msl3']) {
    const c = `${dataset}/${learner}`;
    if (only && !c.startsWith(only)) continue;
    const repeats = 3;
    // warm the JIT first on a slice of the same data (a training service retrains in a warm process)
    const warmRows = Math.min(d.train.x.rows, 2000);
    const warm: Split = {
      ...d,
      train: {
        x: { data: d.train.x.data.subarray(0, warmRows * d.train.x.cols), rows: warmRows, cols: d.train.x.cols },
        y: d.train.y.subarray(0, warmRows),
      },
    };
    train(dataset, learner, warm);
    const { seconds, result: model } = await medianSeconds(() => train(dataset, learner, d), repeats);
    const p = model.predict(d.test.x);
    const cols = d.test.x.cols;
    const rows = Array.from({ length: Math.min(d.test.x.rows, 1000) }, (_, i) =>
      d.test.x.data.slice(i * cols, (i + 1) * cols),
    );
    const lat = latencyMicros((i) => model.predictRow(rows[i % rows.length]!), 20_000, 2_000);
    const batch = batchRowsPerSecond(() => model.predict(d.test.x), d.test.x.rows);
    const rss = dataset === 'california' && learner !== 'gbdt-lambda0' ? childRss(c) : undefined;
    const rec: BenchRecord = {
      case: c,
      settings: `${oursSettings(dataset, learner)} | peer: see peer*Settings`,
      settingsThatDiffer: learner === 'gbdt-lambda0' ? 'none but binning details' : differs(learner, dataset),
      threads: 1,
      ...metrics(d, p),
      fitSeconds: seconds,
      fitRepeats: repeats,
      predictBatchRowsPerSecond: batch,
      predictRowP50Micros: lat.p50,
      predictRowP99Micros: lat.p99,
      predictRowNote: IN_PROCESS_NOTE,
      artifactBytes: encodeSerial(model.toSerial()).length,
      peakRssMb: rss ?? peakRssMb(),
      peakRssScope: rss !== undefined ? 'child process training only this case' : 'this bench process so far',
      trees: model.numTrees,
      nodes: model.feature.length,
      ...peerFields(dataset, learner),
    };
    ratios(rec);
    records.push(rec);
  }
}
// The two extra GBDT cases of issue #17 ("Training speed"), our lambda 0 beside LightGBM `_matched`
// of the same run (bench/peer/gbdt_extra.py writes $PEER_OUT/py_california_gbdt_extra.json):
// California ×16 rows (the training rows tiled 16 times, 264k rows; the same test rows) and a
// 3-class task (California price terciles of the training rows, multiclass softmax).
if (!only || 'california-x16/gbdt-lambda0'.startsWith(only) || 'california-terciles/gbdt-lambda0'.startsWith(only)) {
  const d = california();
  const extra = peerResults('california', undefined, 'py_california_gbdt_extra.json');
  const tile = (x: Split['train']['x'], y: Float64Array, k: number) => {
    const data = new Float64Array(x.data.length * k);
    const yy = new Float64Array(y.length * k);
    for (let t = 0; t < k; t++) {
      data.set(x.data, t * x.data.length);
      yy.set(y, t * y.length);
    }
    return { x: { data, rows: x.rows * k, cols: x.cols }, y: yy };
  };
  const sorted = Float64Array.from(d.train.y).sort();
  const [lo, hi] = [sorted[Math.floor(sorted.length / 3)]!, sorted[Math.floor((2 * sorted.length) / 3)]!];
  const tercile = (y: Float64Array) => Float64Array.from(y, (v) => (v <= lo ? 0 : v <= hi ? 1 : 2));
  const cases = [
    {
      name: 'california-x16/gbdt-lambda0',
      peerModel: 'LightGBM_matched_x16',
      train: tile(d.train.x, d.train.y, 16),
      test: d.test,
      options: { lambda: 0 },
      ours: `${OURS['gbdt-lambda0']}; the training rows tiled 16 times`,
      peer: `${PEER.LightGBM_matched.settings}; the same tiled rows`,
    },
    {
      name: 'california-terciles/gbdt-lambda0',
      peerModel: 'LightGBM_matched_terciles',
      train: { x: d.train.x, y: tercile(d.train.y) },
      test: { x: d.test.x, y: tercile(d.test.y) },
      options: { lambda: 0, objective: 'multiclass' as const, numClasses: 3 },
      ours: OURS['gbdt-lambda0'].replace('ours: ', 'ours: multiclass (3 price terciles), '),
      peer: PEER.LightGBM_matched.settings.replace('LGBMRegressor', 'LGBMClassifier (3 price terciles, multiclass)'),
    },
  ];
  for (const c of cases) {
    if (only && !c.name.startsWith(only)) continue;
    const warmRows = 2000;
    trainGbdt(
      { data: c.train.x.data.subarray(0, warmRows * c.train.x.cols), rows: warmRows, cols: c.train.x.cols },
      c.train.y.subarray(0, warmRows),
      c.options,
    );
    const { seconds, result: model } = await medianSeconds(() => trainGbdt(c.train.x, c.train.y, c.options).model, 3);
    const split: Split = {
      train: c.train,
      test: c.test,
      task: c.options.objective === 'multiclass' ? 'classification' : 'regression',
    };
    const m = extra?.models?.[c.peerModel];
    const rec: BenchRecord = {
      case: c.name,
      settings: `${c.ours} | peer: see peerLightGBMSettings`,
      settingsThatDiffer: 'none but binning details',
      threads: 1,
      trainRows: c.train.x.rows,
      ...metrics(split, model.predict(c.test.x)),
      fitSeconds: seconds,
      fitRepeats: 3,
      ...(m
        ? {
            peerLightGBM: c.peerModel,
            peerLightGBMSettings: c.peer,
            peerLightGBMThreads: peerThreads(extra),
            ...(m.r2 !== undefined ? { peerLightGBMR2: m.r2 } : { peerLightGBMAccuracy: m.accuracy }),
            peerLightGBMFitSeconds: m.fit_s,
          }
        : { peer: 'no /tmp/modelship-peer/py_california_gbdt_extra.json: run bench/peer/gbdt_extra.py' }),
    };
    ratios(rec);
    records.push(rec);
  }
}
// Our worker mode beside the peer on the same number of threads: the California forest (our
// defaults) on this thread + 1 worker, beside scikit-learn's default RandomForest with n_jobs 2 (its
// trees are grown in 2 threads; `RandomForest100_njobs2` of ../shared/peer/run.sh california). One
// thread and two workers alternate (median of 3 each) so that both see the same machine load.
if (!only || 'california/forest-2-workers'.startsWith(only)) {
  const d = california();
  const one: number[] = [];
  const two: number[] = [];
  let model: TreeEnsemble | undefined;
  for (let i = 0; i < 3; i++) {
    one.push((await medianSeconds(() => trainForest(d.train.x, d.train.y), 1)).seconds);
    const r = await medianSeconds(() => trainForestParallel(d.train.x, d.train.y, { workers: 2 }), 1);
    two.push(r.seconds);
    model = r.result.model;
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const rec: BenchRecord = {
    case: 'california/forest-2-workers',
    settings: `${OURS.forest.replace('1 thread', '2 threads (this thread + 1 worker)')} | peer: see peerRFSettings`,
    settingsThatDiffer: differs('forest', 'california'),
    threads: 2,
    ...metrics(d, model!.predict(d.test.x)),
    fitSeconds: med(two),
    oneThreadFitSeconds: med(one),
    speedupOverOneThread: med(one) / med(two),
    ...peerFields('california', 'forest-2-workers'),
  };
  ratios(rec);
  records.push(rec);
}
// TreeSHAP: explain rows/s of the California gbdt (100 rounds, our defaults) beside Python shap
// 0.51's TreeExplainer (its C++ tree_shap, one thread) on the same trees, given as shap's dict
// model: the same work on both sides (path-dependent TreeSHAP of 2,000 test rows, medians of 3).
if (!only || 'california/gbdt-explain'.startsWith(only)) {
  const d = california();
  const model = trainGbdt(d.train.x, d.train.y).model;
  const rows = Math.min(2000, d.test.x.rows);
  const x = { data: d.test.x.data.subarray(0, rows * d.test.x.cols), rows, cols: d.test.x.cols };
  model.explain({ ...x, rows: 100, data: x.data.subarray(0, 100 * x.cols) }); // JIT warm-up
  const { seconds } = await medianSeconds(() => model.explain(x), 3);
  const ours = rows / seconds;
  const python = process.env.MODELSHIP_PYTHON ?? 'python3';
  const script = `
import json, sys, time, numpy as np, shap
p = json.load(sys.stdin)
trees = []
for t in p['trees']:
    cl = np.array(t['l']); cr = np.array(t['r']); w = np.array(t['w'], float); v = np.array(t['v'], float)[:, None]
    trees.append({'children_left': cl, 'children_right': cr, 'children_default': np.array(t['d']),
                  'features': np.array(t['f']), 'thresholds': np.array([float(a) for a in t['t']]), 'values': v,
                  'node_sample_weight': w})
X = np.array([np.nan if a is None else a for a in p['x']], float).reshape(p['rows'], p['cols'])
e = shap.TreeExplainer({'trees': trees, 'base_offset': p['base']}, model_output='raw')
e.shap_values(X[:100])
ts = []
for _ in range(3):
    t0 = time.perf_counter(); e.shap_values(X); ts.append(time.perf_counter() - t0)
print(json.dumps({'rowsPerSecond': p['rows'] / sorted(ts)[1], 'shap': shap.__version__}))
`;
  const trees = [];
  for (let t = 0; t < model.numTrees; t++) {
    const tr = {
      l: [] as number[],
      r: [] as number[],
      d: [] as number[],
      f: [] as number[],
      t: [] as (number | string)[],
      v: [] as number[],
      w: [] as number[],
    };
    const add = (ref: number): number => {
      const id = tr.f.length;
      const thr = ref >= 0 ? model.threshold[ref]! : 0;
      tr.f.push(ref >= 0 ? model.feature[ref]! : -1);
      tr.t.push(Number.isFinite(thr) ? thr : String(thr));
      tr.w.push(ref >= 0 ? model.nodeCover![ref]! : model.leafCover![~ref]!);
      tr.v.push(ref >= 0 ? 0 : model.leafValues[~ref]!);
      tr.l.push(-1);
      tr.r.push(-1);
      tr.d.push(-1);
      if (ref >= 0) {
        const l = add(model.left[ref]!);
        const r = add(model.right[ref]!);
        tr.l[id] = l;
        tr.r[id] = r;
        tr.d[id] = (model.flags[ref]! & 1) !== 0 ? l : r;
      }
      return id;
    };
    add(model.treeRoots[t]!);
    trees.push(tr);
  }
  const r = spawnSync(python, ['-c', script], {
    input: JSON.stringify({
      trees,
      base: model.baseScore[0],
      x: Array.from(x.data, (v) => (Number.isNaN(v) ? null : v)),
      rows,
      cols: x.cols,
    }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const peer = r.status === 0 ? (JSON.parse(r.stdout) as { rowsPerSecond: number; shap: string }) : undefined;
  const rec: BenchRecord = {
    case: 'california/gbdt-explain',
    settings:
      'ours: trainGbdt defaults (100 rounds, 31 leaves), explain() of 2,000 test rows, 1 thread | peer: shap.TreeExplainer on the same trees (dict model), shap_values, 1 thread',
    settingsThatDiffer: 'none: the same trees, covers and rows',
    threads: 1,
    explainRowsPerSecond: ours,
    trees: model.numTrees,
    ...(peer
      ? {
          peerShapVersion: peer.shap,
          peerExplainRowsPerSecond: peer.rowsPerSecond,
          explainRatioOursOverPeer: ours / peer.rowsPerSecond,
        }
      : { peerWarning: `python shap not available: ${(r.stderr || String(r.error)).trim().split('\n').pop()}` }),
  };
  records.push(rec);
}
for (const r of records)
  r.note = `fit = median of repeats after a JIT warm-up; 1-min/5-min/15-min load average ${loadAtStart} at start, ${loadAverage()} at the end; peers = ../shared/peer run just before on the same machine`;
writeResults('trees', records);
