/**
 * How the learners' defaults are chosen: by 5-fold cross-validation on the TRAINING rows of the
 * shared fixed splits only (the test rows are never looked at). For each candidate value of a
 * default, the out-of-fold R² on California and Bangalore; the default is the value with the best
 * mean out-of-fold R² over both. Writes bench/results/cv-defaults.json (the records of the grids
 * run; give a learner name to run only its grids, e.g. `npm run bench -- cv-defaults forest`).
 *
 * The forest grid crosses rows per leaf with the split search (`maxBins`: exact thresholds, as
 * scikit-learn, or 255 histogram bins), the two settings where our forest could differ from
 * scikit-learn's RandomForestRegressor defaults (1 row per leaf, exact thresholds, all features).
 *
 * usage: npm run bench -- cv-defaults [gbdt|forest]
 */
import { readFileSync } from 'node:fs';
import { trainForest, trainGbdt, type TreesMatrix } from '@modelship/trees';
import { bangalore, california, type Split } from './_data.js';
import { writeResults, type BenchRecord } from './_lib.js';

const K = 5;

function rows(x: TreesMatrix, idx: number[]): TreesMatrix {
  const data = new Float64Array(idx.length * x.cols);
  for (let r = 0; r < idx.length; r++) data.set(x.data.subarray(idx[r]! * x.cols, (idx[r]! + 1) * x.cols), r * x.cols);
  return { data, rows: idx.length, cols: x.cols };
}

function r2(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let ss = 0;
  let st = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (y[i]! - p[i]!) ** 2;
    st += (y[i]! - mean) ** 2;
  }
  return 1 - ss / st;
}

/** Seeded fold of each training row (a fixed permutation), so every candidate sees the same folds. */
function folds(n: number, seed = 42): Int32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const f = new Int32Array(n);
  for (let k = 0; k < n; k++) f[perm[k]!] = k % K;
  return f;
}

/** Out-of-fold R² of `train` on the training rows of `d`. */
function cvR2(
  d: Split,
  train: (x: TreesMatrix, y: Float64Array) => { predict(x: TreesMatrix): ArrayLike<number> },
): number {
  const { x, y } = d.train;
  const f = folds(x.rows);
  const oof = new Float64Array(x.rows);
  for (let k = 0; k < K; k++) {
    const tr: number[] = [];
    const va: number[] = [];
    for (let i = 0; i < x.rows; i++) (f[i] === k ? va : tr).push(i);
    const model = train(
      rows(x, tr),
      Float64Array.from(tr, (i) => y[i]!),
    );
    const p = model.predict(rows(x, va));
    for (let j = 0; j < va.length; j++) oof[va[j]!] = p[j]!;
  }
  return r2(y, oof);
}

const data = { california: california(), bangalore: bangalore() };
const records: BenchRecord[] = [];
type Fit = (x: TreesMatrix, y: Float64Array) => { predict(x: TreesMatrix): ArrayLike<number> };
const grid: Array<{
  learner: string;
  param: string;
  values: string[];
  fit: (v: string) => Fit;
}> = [
  {
    learner: 'gbdt',
    param: 'lambda',
    values: ['0', '1'],
    fit: (v) => (x, y) => trainGbdt(x, y, { lambda: Number(v) }).model,
  },
  {
    learner: 'forest',
    param: 'minSamplesLeaf/maxBins',
    values: ['1/exact', '3/exact', '1/255', '3/255'],
    fit: (v) => {
      const [msl, bins] = v.split('/');
      return (x, y) =>
        trainForest(x, y, {
          trees: 50,
          minSamplesLeaf: Number(msl),
          maxBins: bins === 'exact' ? 'exact' : Number(bins),
          seed: 1,
        }).model;
    },
  },
];
const only = process.argv[2];
for (const g of grid) {
  if (only && g.learner !== only) continue;
  const scores: Record<string, Record<string, number>> = {};
  for (const [name, d] of Object.entries(data)) {
    scores[name] = {};
    for (const v of g.values) {
      const t0 = performance.now();
      scores[name]![v] = cvR2(d, g.fit(v));
      records.push({
        case: `${name}/${g.learner}/${g.param}=${v}`,
        dataset: name,
        learner: g.learner,
        param: g.param,
        value: v,
        cvR2: Number(scores[name]![v]!.toFixed(5)),
        folds: K,
        rows: d.train.x.rows,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
        note: 'out-of-fold R² on the training rows of the fixed split; the test rows are not used',
      });
    }
  }
  // the value with the best mean out-of-fold R² over the data sets
  const mean = (v: string) => Object.values(scores).reduce((s, sc) => s + sc[v]!, 0) / Object.keys(scores).length;
  const best = [...g.values].sort((a, b) => mean(b) - mean(a))[0]!;
  records.push({
    case: `choice/${g.learner}/${g.param}`,
    learner: g.learner,
    param: g.param,
    chosen: best,
    meanCvR2: Object.fromEntries(g.values.map((v) => [v, Number(mean(v).toFixed(5))])),
  });
}
// keep the earlier records of the learners not run this time
const ran = new Set(records.map((r) => r.learner));
let earlier: BenchRecord[] = [];
try {
  earlier = JSON.parse(readFileSync(new URL('./results/cv-defaults.json', import.meta.url), 'utf8')) as BenchRecord[];
} catch {
  earlier = [];
}
writeResults('cv-defaults', [...earlier.filter((r) => !ran.has(r.learner as string)), ...records]);
