/**
 * `npm run bench -- smote`: SMOTE against class weights against neither on an imbalanced task —
 * California's highest-price class (median house value at or above the 90th percentile of the
 * TRAINING rows of the fixed split) against the rest — with gbdt and logistic through
 * `createTrainer`. Macro F1 (and accuracy) on the test rows of the fixed split; SMOTE and the
 * class weights touch the training rows only. Writes bench/results/smote.json.
 */
import { Table } from '@modelship/core';
import { createTrainer, type VariantSpec } from '@modelship/train';
import { californiaFeatureSpec, loadCalifornia, loadSplit } from '@modelship/datasets';
import { dataDir, loadAverage, writeResults, type BenchRecord } from './_lib.js';

const opts = { dataDir: dataDir() };
const raw = loadCalifornia(opts);
const split = loadSplit('california_housing', opts);
const value = raw.numeric('median_house_value').values;
const trainValues = Array.from(split.train, (i) => value[i]!).sort((a, b) => a - b);
const q90 = trainValues[Math.floor(0.9 * (trainValues.length - 1))]!;
const table = Table.fromRows(raw.toRows().map((r, i) => ({ ...r, price_class: value[i]! >= q90 ? 'high' : 'rest' })));
const { target: _t, ...spec } = californiaFeatureSpec({ standardize: true });
const variants: Record<string, VariantSpec> = {
  'gbdt/neither': { learner: 'gbdt' },
  'gbdt/class-weights': { learner: 'gbdt', params: { classWeights: 'balanced' } },
  'gbdt/smote': { learner: 'gbdt', smote: true },
  'gbdt/smote-growth-1.25': { learner: 'gbdt', smote: { maxGrowth: 1.25 } },
  'logistic/neither': { learner: 'logistic' },
  'logistic/smote': { learner: 'logistic', smote: true },
};
const load = loadAverage();
const trainer = createTrainer({
  task: 'classification',
  target: 'price_class',
  features: spec,
  variants: Object.fromEntries(Object.entries(variants).map(([k, v]) => [k.replace('/', '_').replace('.', ''), v])),
  evaluation: { kind: 'holdout', split },
  selectBy: 'macroF1',
  profile: false,
  seed: 42,
});
const res = await trainer.fit(table);
const high = split.train.length - trainValues.findIndex((v) => v >= q90);
const records: BenchRecord[] = [];
for (const v of res.variants) {
  const art = await res.artifactOf(v.name);
  const sm = art.params.smote as { rowsBefore: number; rowsAfter: number; maxGrowth: number } | undefined;
  records.push({
    case: `california-top10/${v.name.replace('_', '/')}`,
    learner: v.learner,
    params: JSON.stringify(v.params),
    macroF1: Number(v.metrics.macroF1!.toFixed(4)),
    accuracy: Number(v.metrics.accuracy!.toFixed(4)),
    macroRecall: Number(v.metrics.macroRecall!.toFixed(4)),
    macroPrecision: Number(v.metrics.macroPrecision!.toFixed(4)),
    trainRows: sm ? `${sm.rowsBefore} → ${sm.rowsAfter} (SMOTE k 5, cap ${sm.maxGrowth}×)` : split.train.length,
    fitSeconds: Number(v.fitSeconds.toFixed(2)),
  });
}
records.push({
  case: 'california-top10/task',
  threshold: q90,
  highTrainRows: high,
  trainRows: split.train.length,
  testRows: split.test.length,
  note: `class 'high' = median_house_value >= ${q90} (90th percentile of the training rows); standardised features; macro F1 on the fixed test split; load average ${load}`,
});
writeResults('smote', records);
