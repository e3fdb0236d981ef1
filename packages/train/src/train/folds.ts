/**
 * How the trainer cuts a table for evaluation: the holdout / k-fold / explicit splits, one fitted
 * pipeline and matrices per fold, and the out-of-fold predictions put back together.
 */
import { ValidationError } from '@modelship/core';
import { holdoutSplit, kFold, stratifiedSplit, type Split } from '../data/split.js';
import type { Table } from '@modelship/core';
import { createFeaturePipeline, type FeaturePipeline } from '@modelship/core';
import type { FeaturePipelineSpec } from '@modelship/core';
import type { Matrix } from '@modelship/core';
import type { TestPredictions } from './scoring.js';
import type { TrainerOptions } from './options.js';

/** One evaluation fold: the pipeline fitted on its training rows and the matrices it produced. */
export interface Fold {
  /** The pipeline fitted on the fold's training rows only. */
  pipeline: FeaturePipeline;
  /** Training features. */
  xTrain: Matrix;
  /** Training targets. */
  yTrain: Float64Array;
  /** Test features. */
  xTest: Matrix;
  /** Test targets. */
  yTest: Float64Array;
  /** Row indices of the test rows in the table. */
  test: Int32Array;
}

/** The spec with a class target's class list fixed from the whole table, so every fold uses the same class indices. */
export function withFixedClasses(spec: FeaturePipelineSpec, table: Table): FeaturePipelineSpec {
  const t = spec.target!;
  if (t.kind !== 'class' || t.classes !== undefined) return spec;
  const col = table.column(t.column);
  const seen = new Set<string>();
  if (col.kind === 'categorical') {
    for (let i = 0; i < col.codes.length; i++) if (col.codes[i]! >= 0) seen.add(col.dictionary[col.codes[i]!]!);
  } else {
    for (let i = 0; i < col.values.length; i++) if (!Number.isNaN(col.values[i]!)) seen.add(String(col.values[i]));
  }
  return { ...spec, target: { ...t, classes: [...seen].sort() } };
}

/** Fits a pipeline on the `train` rows of `table` and transforms both sides. */
export function makeFold(spec: FeaturePipelineSpec, table: Table, train: ArrayLike<number>, test: Int32Array): Fold {
  const trainT = table.select(train);
  const testT = table.select(test);
  const pipeline = createFeaturePipeline(spec).fit(trainT);
  return {
    pipeline,
    xTrain: pipeline.transform(trainT),
    yTrain: pipeline.transformTarget(trainT),
    xTest: pipeline.transform(testT),
    yTest: pipeline.transformTarget(testT),
    test,
  };
}

/** The splits the trainer's `evaluation` option asks for (seeded; stratified by class when it can be). */
export function evaluationSplits(
  options: TrainerOptions,
  spec: FeaturePipelineSpec,
  table: Table,
  seed: number,
): Split[] {
  const ev = options.evaluation ?? { kind: 'holdout' as const };
  const stratify = options.task === 'classification' && spec.target!.kind === 'class';
  const labels = (): (number | string)[] => {
    const col = table.column(spec.target!.column);
    return col.kind === 'categorical' ? Array.from(col.codes) : Array.from(col.values);
  };
  if (ev.kind === 'kfold') {
    const k = ev.k ?? 5;
    if (k > table.numRows) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `evaluation.k: ${k} folds need at least ${k} rows, the table has ${table.numRows}`,
        {
          operation: 'Trainer.fit',
          details: { field: 'evaluation.k' },
        },
      );
    }
    return kFold(table.numRows, k, stratify ? { seed, stratifyBy: labels() } : { seed });
  }
  if (ev.split) {
    for (const [part, idx] of [
      ['train', ev.split.train],
      ['test', ev.split.test],
    ] as const) {
      for (let i = 0; i < idx.length; i++) {
        if (!Number.isInteger(idx[i]) || idx[i]! < 0 || idx[i]! >= table.numRows) {
          throw new ValidationError(
            'INVALID_OPTIONS',
            `evaluation.split.${part}[${i}] = ${idx[i]} is not a row of the table (0…${table.numRows - 1})`,
            {
              operation: 'Trainer.fit',
              details: { field: `evaluation.split.${part}` },
            },
          );
        }
      }
    }
    return [{ train: Int32Array.from(ev.split.train), test: Int32Array.from(ev.split.test) }];
  }
  const testFraction = ev.testFraction ?? 0.2;
  if (stratify && (ev.stratify ?? true)) return [stratifiedSplit(labels(), { testFraction, seed })];
  return [holdoutSplit(table.numRows, { testFraction, seed })];
}

/** Concatenates the folds' test targets and predictions (out-of-fold predictions for k-fold). */
export function concatFolds(
  folds: Fold[],
  preds: TestPredictions[],
  numClasses: number,
): { yTrue: Float64Array; pred: TestPredictions } {
  if (folds.length === 1) return { yTrue: folds[0]!.yTest, pred: preds[0]! };
  const n = folds.reduce((s, f) => s + f.yTest.length, 0);
  const yTrue = new Float64Array(n);
  const values = new Float64Array(n);
  const withProba = preds.every((p) => p.proba !== undefined);
  const proba = withProba ? new Float64Array(n * numClasses) : undefined;
  let o = 0;
  folds.forEach((f, i) => {
    yTrue.set(f.yTest, o);
    values.set(preds[i]!.values, o);
    if (proba) proba.set(preds[i]!.proba!, o * numClasses);
    o += f.yTest.length;
  });
  return { yTrue, pred: proba ? { values, proba } : { values } };
}
