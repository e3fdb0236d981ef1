import { describe, expect, it } from 'vitest';
import { trainGbdt, type TrainingProgress } from '../src/index.js';
import { accuracy, classData, lcg, r2, regressionData } from './helpers.js';

const train = regressionData(2000, 1);
const test = regressionData(500, 2);

describe('trainGbdt', () => {
  it('learns a regression function (squared error)', () => {
    const { model, iterations } = trainGbdt(train.x, train.y, { rounds: 60 });
    expect(iterations).toBe(60);
    expect(model.numTrees).toBe(60);
    expect(r2(test.y, model.predict(test.x))).toBeGreaterThan(0.97);
  });

  it('supports absolute and Huber error', () => {
    for (const objective of ['absolute', 'huber'] as const) {
      const { model } = trainGbdt(train.x, train.y, { rounds: 80, objective, learningRate: 0.2 });
      expect(r2(test.y, model.predict(test.x))).toBeGreaterThan(0.9);
    }
  });

  it('absolute error is robust to a few huge outliers where squared error is not', () => {
    const y = train.y.slice();
    for (let i = 0; i < y.length; i += 50) y[i] = 1000;
    const l1 = trainGbdt(train.x, y, { rounds: 60, objective: 'absolute', learningRate: 0.2 }).model;
    const l2 = trainGbdt(train.x, y, { rounds: 60 }).model;
    expect(r2(test.y, l1.predict(test.x))).toBeGreaterThan(r2(test.y, l2.predict(test.x)));
  });

  it('binary log loss gives probabilities and classes', () => {
    const d = classData(600, 3, 2);
    const { model } = trainGbdt(d.x, d.y, { objective: 'binary', rounds: 30 });
    expect(model.task).toBe('classification');
    expect(accuracy(d.y, model.predict(d.x))).toBeGreaterThan(0.85);
    const p = model.predictProbaRow(d.x.data.subarray(0, 2));
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
  });

  it('multiclass softmax trains one tree per class per round', () => {
    const d = classData(900, 4, 3);
    const { model } = trainGbdt(d.x, d.y, { objective: 'multiclass', rounds: 20, minSamplesLeaf: 5 });
    expect(model.numTrees).toBe(60);
    expect(model.numClasses).toBe(3);
    expect(accuracy(d.y, model.predict(d.x))).toBeGreaterThan(0.8);
    const proba = model.predictProba(d.x);
    expect(proba[0]! + proba[1]! + proba[2]!).toBeCloseTo(1, 12);
  });

  it('stops early on a validation set and keeps the best round', () => {
    const noisy = regressionData(400, 5, 8);
    const valid = regressionData(400, 6, 8);
    const res = trainGbdt(noisy.x, noisy.y, {
      rounds: 500,
      learningRate: 0.3,
      validation: valid,
      earlyStoppingRounds: 5,
    });
    expect(res.bestIteration).toBeGreaterThan(0);
    expect(res.iterations).toBe(res.bestIteration);
    expect(res.model.numTrees).toBe(res.bestIteration);
    expect(res.validationLoss!.length).toBeLessThan(500);
    const best = Math.min(...res.validationLoss!);
    expect(res.validationLoss![res.bestIteration! - 1]).toBe(best);
  });

  it('is deterministic for a seed with row and column subsampling, and the seed matters', () => {
    const opts = { rounds: 20, subsample: 0.7, colsample: 0.5, seed: 11 };
    const a = trainGbdt(train.x, train.y, opts).model.toSerial();
    const b = trainGbdt(train.x, train.y, opts).model.toSerial();
    const c = trainGbdt(train.x, train.y, { ...opts, seed: 12 }).model.toSerial();
    expect(b).toEqual(a);
    expect(c.threshold).not.toEqual(a.threshold);
  });

  it('reports feature importance by gain and split count', () => {
    const { model } = trainGbdt(train.x, train.y, { rounds: 30 });
    const gain = model.featureImportance('gain');
    const splits = model.featureImportance('split');
    expect(gain[0]).toBeGreaterThan(gain[1]!);
    expect(gain[1]).toBeGreaterThan(gain[2]!);
    expect(gain[3]).toBe(0); // the constant feature is never split on
    expect(splits[3]).toBe(0);
    expect(Array.from(gain).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('class weights shift decisions toward a rare class', () => {
    const r = lcg(9);
    const n = 2000;
    const data = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      data[i] = r();
      y[i] = r() < 0.1 + 0.3 * data[i]! ? 1 : 0; // class 1 is rare and never the majority
    }
    const x = { data, rows: n, cols: 1 };
    const plain = trainGbdt(x, y, { objective: 'binary', rounds: 20 }).model.predict(x);
    const weighted = trainGbdt(x, y, { objective: 'binary', rounds: 20, classWeights: 'balanced' }).model.predict(x);
    const ones = (p: Float64Array) => p.reduce((a, b) => a + b, 0);
    expect(ones(weighted)).toBeGreaterThan(ones(plain) + 200);
  });

  it('emits progress after every round, and a throwing listener does not break training', () => {
    const seen: TrainingProgress[] = [];
    const { model } = trainGbdt(train.x, train.y, {
      rounds: 5,
      onProgress: (p) => {
        seen.push(p);
        throw new Error('listener bug');
      },
    });
    expect(model.numTrees).toBe(5);
    expect(seen.map((p) => p.completed)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[0]).toMatchObject({ learner: 'gbdt', total: 5 });
  });

  it('grows depth-limited trees when maxDepth is set', () => {
    const { model } = trainGbdt(train.x, train.y, { rounds: 3, maxLeaves: 0, maxDepth: 2 });
    expect(model.leafValues.length).toBeLessThanOrEqual(3 * 4);
  });
});
