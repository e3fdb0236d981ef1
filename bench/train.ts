/**
 * `npm run bench -- train`: trains the shared-split cases through the public API of
 * @modelship/core and writes bench/results/train.json — one record per case:
 * `{ case, r2, rmse, mae }` (regression) or `{ case, accuracy, macroF1 }` (classification), each
 * with `fitSeconds` (median of repeated learner fits on the training matrix), `predictRowP50Micros`
 * (Model.predict on raw test rows, after an encode/decode round trip: in-process, not comparable
 * with a Python call), `predictBatchRowsPerSecond` (the learner on the test matrix: the same work
 * as the peer's batch predict) and `artifactBytes`; plus `peer*` figures of the matching
 * scikit-learn model when `../shared/peer/run.sh <dataset>` has run (PEER_THREADS=1 beside our one
 * thread). Every record names both sides' settings and where they differ.
 */
import {
  createFeaturePipeline,
  encodeArtifact,
  loadModel,
  type FeaturePipelineSpec,
  type Table,
} from '@modelship/core';
import { createLearner } from '@modelship/core/learners';
import { createTrainer, type Split } from '@modelship/train';
import {
  bangaloreFeatureSpec,
  californiaFeatureSpec,
  cleanBangalore,
  irisFeatureSpec,
  loadBangalore,
  loadCalifornia,
  loadIris,
  loadSplit,
  rowsById,
} from '@modelship/datasets';
import {
  batchRowsPerSecond,
  dataDir,
  IN_PROCESS_NOTE,
  latencyMicros,
  loadAverage,
  medianSeconds,
  peerResults,
  peerThreads,
  writeResults,
  type BenchRecord,
} from './_lib.js';

interface Case {
  name: string;
  table: Table;
  split: Split;
  task: 'regression' | 'classification';
  features: FeaturePipelineSpec;
  learner: string;
  params?: Record<string, number>;
  repeats: number;
  peer?: { suite: string; model: string; path?: string };
  /** Our settings and the peer's, and where they differ. */
  settings: string;
  settingsThatDiffer: string;
}

const SK_LINEAR = 'scikit-learn LinearRegression: ordinary least squares with intercept (BLAS on PEER_THREADS threads)';

const dir = dataDir();
const opts = { dataDir: dir };

const california = loadCalifornia(opts);
const bangalore = cleanBangalore(loadBangalore(opts));
const bangaloreSplit = loadSplit('bengaluru_house_data', opts);
const iris = loadIris();

const cases: Case[] = [
  {
    name: 'california/linear',
    table: california,
    split: loadSplit('california_housing', opts),
    task: 'regression',
    features: californiaFeatureSpec(),
    learner: 'linear',
    repeats: 5,
    peer: { suite: 'california', model: 'LinearRegression' },
    settings: `ours: linear, alpha 0 (ordinary least squares), intercept, Cholesky, 1 thread | peer: ${SK_LINEAR}`,
    settingsThatDiffer: 'none (solver only: Cholesky of the normal equations / scipy lstsq)',
  },
  {
    name: 'bangalore/linear',
    table: bangalore,
    split: { train: rowsById(bangalore, bangaloreSplit.train), test: rowsById(bangalore, bangaloreSplit.test) },
    task: 'regression',
    features: bangaloreFeatureSpec(),
    learner: 'linear',
    repeats: 5,
    peer: { suite: 'bangalore', model: 'LinearRegression', path: 'brief' },
    settings: `ours: linear, alpha 0 (ordinary least squares), intercept, Cholesky, 1 thread | peer: ${SK_LINEAR}`,
    settingsThatDiffer: 'none (solver only: Cholesky of the normal equations / scipy lstsq)',
  },
  {
    // the ml-regression-multivariate-linear adapter on the same design, for comparison (slow)
    name: 'bangalore/linear-mljs',
    table: bangalore,
    split: { train: rowsById(bangalore, bangaloreSplit.train), test: rowsById(bangalore, bangaloreSplit.test) },
    task: 'regression',
    features: bangaloreFeatureSpec(),
    learner: 'linear-mljs',
    repeats: 1,
    peer: { suite: 'bangalore', model: 'LinearRegression', path: 'brief' },
    settings: `ours: linear-mljs (ml-regression-multivariate-linear), intercept, 1 thread | peer: ${SK_LINEAR}`,
    settingsThatDiffer: 'none (solver only)',
  },
  {
    name: 'iris/forest-mljs',
    table: iris,
    split: loadSplit('iris', opts),
    task: 'classification',
    features: irisFeatureSpec(),
    learner: 'forest-mljs',
    params: { nEstimators: 100 },
    repeats: 3,
    peer: { suite: 'iris', model: 'RandomForestClassifier100' },
    settings:
      'ours: forest-mljs (ml-random-forest), 100 trees, bootstrap, all 4 features per tree (drawn with replacement), ml-cart min 3 rows to split, 1 thread | peer: scikit-learn RandomForestClassifier, 100 trees, bootstrap, max_features sqrt per split, min_samples_leaf 1, n_jobs 1',
    settingsThatDiffer: 'features per tree (ours) / sqrt per split (peer); min rows to split 3 (ours) / 2 (peer)',
  },
  {
    name: 'iris/logistic',
    table: iris,
    split: loadSplit('iris', opts),
    task: 'classification',
    features: irisFeatureSpec(),
    learner: 'logistic',
    repeats: 5,
    peer: { suite: 'iris', model: 'LogisticRegression' },
    settings:
      'ours: logistic, multinomial, L2 C 1, L-BFGS max 500 iterations, tol 1e-6, standardised inputs, 1 thread | peer: scikit-learn LogisticRegression, multinomial, L2 C 1, lbfgs max_iter 1000, tol 1e-4, raw inputs (BLAS on PEER_THREADS threads)',
    settingsThatDiffer:
      'standardised (ours) / raw (peer) inputs, so the penalty bites differently; tolerance 1e-6 / 1e-4',
  },
];

const records: BenchRecord[] = [];
const loadAtStart = loadAverage();
for (const c of cases) {
  const trainer = createTrainer({
    task: c.task,
    features: c.features,
    variants: { [c.learner]: { learner: c.learner, ...(c.params ? { params: c.params } : {}) } },
    evaluation: { kind: 'holdout', split: c.split },
    seed: 42,
    datasetName: c.name.split('/')[0],
  });
  const result = await trainer.fit(c.table);
  const m = result.variants[0]!.metrics;

  // fit time of the learner alone on the training matrix (what the peer's fit_s measures)
  const trainTable = c.table.select(c.split.train);
  const pipeline = createFeaturePipeline({ ...c.features }).fit(trainTable);
  const x = pipeline.transform(trainTable);
  const y = pipeline.transformTarget(trainTable);
  const numClasses = pipeline.targetClasses?.length;
  const { seconds } = await medianSeconds(() => {
    const l = createLearner(c.learner, c.params ?? {}, c.task);
    return l.fit(x, y, { seed: 42, ...(numClasses ? { numClasses } : {}) });
  }, c.repeats);

  const bytes = encodeArtifact(result.artifact);
  const model = loadModel(bytes);
  const testTable = c.table.select(c.split.test);
  const target = c.features.target!.column;
  const rows = testTable.toRows().map((r) => {
    const { [target]: _drop, ...rest } = r;
    return rest;
  });
  // batch prediction on the test matrix: the same work as the peer's m.predict(Xte)
  const learner = createLearner(c.learner, c.params ?? {}, c.task);
  learner.fit(x, y, { seed: 42, ...(numClasses ? { numClasses } : {}) });
  const xTest = pipeline.transform(testTable);
  const batch = batchRowsPerSecond(() => learner.predict(xTest), xTest.rows);
  const lat = latencyMicros(
    (i) => model.predict(rows[i % rows.length]!),
    c.learner === 'forest-mljs' ? 2_000 : 20_000,
    500,
  );

  const rec: BenchRecord =
    c.task === 'regression'
      ? { case: c.name, r2: m.r2, rmse: m.rmse, mae: m.mae }
      : { case: c.name, accuracy: m.accuracy, macroF1: m.macroF1 };
  rec.settings = c.settings;
  rec.settingsThatDiffer = c.settingsThatDiffer;
  rec.threads = 1;
  rec.fitSeconds = seconds;
  rec.fitRepeats = c.repeats;
  rec.predictBatchRowsPerSecond = batch;
  rec.predictRowP50Micros = lat.p50;
  rec.predictRowP99Micros = lat.p99;
  rec.predictRowNote = `${IN_PROCESS_NOTE}; Model.predict on a raw row, feature pipeline included`;
  rec.artifactBytes = bytes.length;
  rec.features = x.cols;
  rec.trainRows = x.rows;
  if (c.peer) {
    const peer = peerResults(c.peer.suite);
    const models = (c.peer.path ? peer?.[c.peer.path]?.models : peer?.models) as
      | Record<string, Record<string, any>>
      | undefined;
    const pm = models?.[c.peer.model];
    if (pm) {
      rec.peerModel = `scikit-learn ${c.peer.model}`;
      const part = c.peer.path ? peer?.[c.peer.path] : peer;
      rec.peerThreads =
        peerThreads(part) ?? (c.peer.suite === 'iris' ? 'PEER_THREADS (py_iris.json does not record it)' : undefined);
      if (c.task === 'regression') rec.peerR2 = pm.r2;
      else rec.peerAccuracy = pm.accuracy;
      rec.peerFitSeconds = pm.fit_s;
      rec.fitSecondsOursOverPeer = seconds / pm.fit_s;
      if (pm.batch_rows_per_s !== undefined) {
        rec.peerBatchRowsPerSecond = pm.batch_rows_per_s;
        rec.batchRowsPerSecondOursOverPeer = batch / pm.batch_rows_per_s;
      }
      if (pm.single_row?.p50_ms !== undefined) rec.peerPythonCallRowP50Micros = pm.single_row.p50_ms * 1000;
    }
  }
  records.push(rec);
}
for (const r of records)
  r.note = `fit = median of fitRepeats learner fits; 1-min/5-min/15-min load average ${loadAtStart} at start, ${loadAverage()} at the end; peers = ../shared/peer run just before on the same machine`;
writeResults('train', records);
