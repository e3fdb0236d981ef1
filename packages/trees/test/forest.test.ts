import { describe, expect, it } from 'vitest';
import { trainForest } from '../src/index.js';
import { accuracy, classData, r2, regressionData } from './helpers.js';

const train = regressionData(1500, 1);
const test = regressionData(500, 2);

describe('trainForest', () => {
  it('learns a regression function and reports an out-of-bag R²', () => {
    const { model, oobScore } = trainForest(train.x, train.y, { trees: 30, oobScore: true });
    expect(model.numTrees).toBe(30);
    const score = r2(test.y, model.predict(test.x));
    expect(score).toBeGreaterThan(0.95);
    expect(oobScore).toBeGreaterThan(0.9);
    expect(Math.abs(oobScore! - score)).toBeLessThan(0.05);
  });

  it('classifies with Gini and with entropy, probabilities averaging the trees', () => {
    const d = classData(600, 3, 3);
    const t = classData(300, 4, 3);
    for (const criterion of ['gini', 'entropy'] as const) {
      const { model, oobScore } = trainForest(d.x, d.y, {
        task: 'classification',
        criterion,
        trees: 25,
        oobScore: true,
      });
      expect(accuracy(t.y, model.predict(t.x))).toBeGreaterThan(0.85);
      expect(oobScore).toBeGreaterThan(0.8);
      const p = model.predictProbaRow(t.x.data.subarray(0, 2));
      expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    }
  });

  it('samples features per split (sqrt, log2, fraction) and is deterministic for a seed', () => {
    for (const maxFeatures of ['sqrt', 'log2', 0.5] as const) {
      const a = trainForest(train.x, train.y, { trees: 5, maxFeatures, seed: 3 }).model;
      const b = trainForest(train.x, train.y, { trees: 5, maxFeatures, seed: 3 }).model;
      expect(b.toSerial()).toEqual(a.toSerial());
    }
    const all = trainForest(train.x, train.y, { trees: 5, seed: 3 }).model;
    const one = trainForest(train.x, train.y, { trees: 5, seed: 3, maxFeatures: 0.25 }).model;
    expect(one.toSerial().feature).not.toEqual(all.toSerial().feature);
  });

  it('respects maxDepth and minSamplesLeaf', () => {
    const shallow = trainForest(train.x, train.y, { trees: 3, maxDepth: 3 }).model;
    expect(shallow.leafValues.length).toBeLessThanOrEqual(3 * 8);
    const coarse = trainForest(train.x, train.y, { trees: 3, minSamplesLeaf: 100 }).model;
    expect(coarse.leafValues.length).toBeLessThanOrEqual(3 * 15);
  });

  it('feature importance ranks the informative features first', () => {
    const { model } = trainForest(train.x, train.y, { trees: 10 });
    const g = model.featureImportance('gain');
    expect(g[0]).toBeGreaterThan(g[1]!);
    expect(g[1]).toBeGreaterThan(g[2]!);
    expect(g[3]).toBe(0);
  });

  it('class weights raise the recall of a rare class', () => {
    const d = classData(900, 7, 3);
    // make class 2 rare: keep one in six of its rows
    const keep: number[] = [];
    for (let i = 0; i < d.x.rows; i++) if (d.y[i] !== 2 || i % 18 === 2) keep.push(i);
    const data = new Float64Array(keep.length * 2);
    const y = new Float64Array(keep.length);
    keep.forEach((i, r) => {
      data[r * 2] = d.x.data[i * 2]!;
      data[r * 2 + 1] = d.x.data[i * 2 + 1]!;
      y[r] = d.y[i]!;
    });
    const x = { data, rows: keep.length, cols: 2 };
    const t = classData(600, 8, 3);
    const recall = (p: Float64Array) => {
      let hit = 0,
        all = 0;
      for (let i = 0; i < t.y.length; i++) {
        if (t.y[i] === 2) {
          all++;
          if (p[i] === 2) hit++;
        }
      }
      return hit / all;
    };
    const plain = trainForest(x, y, { task: 'classification', trees: 20, minSamplesLeaf: 10 }).model;
    const weighted = trainForest(x, y, {
      task: 'classification',
      trees: 20,
      minSamplesLeaf: 10,
      classWeights: 'balanced',
    }).model;
    expect(recall(weighted.predict(t.x))).toBeGreaterThan(recall(plain.predict(t.x)));
  });
});
