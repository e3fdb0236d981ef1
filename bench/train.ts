/**
 * `npm run bench -- train`: trains the shared-split cases through the public API of
 * @modelship/core and writes bench/results/train.json — one record per case:
 * `{ case, r2, rmse, mae }` (regression) or `{ case, accuracy, macroF1 }` (classification), each
 * with `fitSeconds` (median of repeated learner fits on the training matrix), `predictRowP50Micros`
 * (Model.predict on raw test rows, after an encode/decode round trip) and `artifactBytes`; plus
 * `peer*` figures of the matching scikit-learn model when `../shared/peer/run.sh <dataset>` has run.
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
import { dataDir, latencyMicros, medianSeconds, peerResults, writeResults, type BenchRecord } from './_lib.js';

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
}

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
  },
];

const records: BenchRecord[] = [];
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
  const lat = latencyMicros(
    (i) => model.predict(rows[i % rows.length]!),
    c.learner === 'forest-mljs' ? 2_000 : 20_000,
    500,
  );

  const rec: BenchRecord =
    c.task === 'regression'
      ? { case: c.name, r2: m.r2, rmse: m.rmse, mae: m.mae }
      : { case: c.name, accuracy: m.accuracy, macroF1: m.macroF1 };
  rec.fitSeconds = seconds;
  rec.predictRowP50Micros = lat.p50;
  rec.predictRowP99Micros = lat.p99;
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
      if (c.task === 'regression') rec.peerR2 = pm.r2;
      else rec.peerAccuracy = pm.accuracy;
      rec.peerFitSeconds = pm.fit_s;
      if (pm.single_row?.p50_ms !== undefined) rec.peerPredictRowP50Micros = pm.single_row.p50_ms * 1000;
      rec.peerModel = `scikit-learn ${c.peer.model}`;
    }
  }
  records.push(rec);
}
writeResults('train', records);
