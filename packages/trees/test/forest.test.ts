import { describe, expect, it } from 'vitest';
import { trainForest } from '../src/index.js';
import { accuracy, classData, lcg, r2, regressionData } from './helpers.js';

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

/** Rows with a coarse numeric feature (≤ 40 values), a one-hot block of 6 columns and a feature with missing values. */
function mixedData(n: number, seed: number) {
  const u = lcg(seed);
  const cols = 9;
  const data = new Float64Array(n * cols);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const a = Math.floor(u() * 40) / 4;
    const cat = Math.floor(u() * 6);
    const m = u() < 0.15 ? NaN : Math.floor(u() * 30);
    data[r * cols] = a;
    for (let c = 0; c < 6; c++) data[r * cols + 1 + c] = c === cat ? 1 : 0;
    data[r * cols + 7] = m;
    data[r * cols + 8] = Math.floor(u() * 3);
    y[r] = Math.sin(a) + cat * 0.7 + (Number.isNaN(m) ? 2 : m / 15) + 0.1 * u();
  }
  return { x: { data, rows: n, cols }, y };
}

describe('trainForest exact thresholds (the regression default)', () => {
  it('takes the best split of every node over all thresholds, missing values left or right (one-hot and missing values included)', () => {
    const d = mixedData(300, 5);
    const { rows: n, cols, data } = d.x;
    const e = trainForest(d.x, d.y, { trees: 1, bootstrap: false }).model.toSerial() as unknown as {
      treeRoots: ArrayLike<number>;
      feature: ArrayLike<number>;
      threshold: ArrayLike<number>;
      flags: ArrayLike<number>;
      left: ArrayLike<number>;
      right: ArrayLike<number>;
    };
    const gainOf = (rows: number[], f: number, t: number, ml: boolean) => {
      let g = 0;
      let gl = 0;
      let hl = 0;
      for (const r of rows) {
        const v = data[r * cols + f]!;
        g += d.y[r]!;
        if (Number.isNaN(v) ? ml : v <= t) {
          gl += d.y[r]!;
          hl++;
        }
      }
      const h = rows.length;
      return hl === 0 || hl === h ? -1 : (gl * gl) / hl + (g - gl) ** 2 / (h - hl) - (g * g) / h;
    };
    let checked = 0;
    const walk = (node: number, rows: number[]): void => {
      if (node < 0) return;
      let best = 0;
      for (let f = 0; f < cols; f++) {
        const vals = [...new Set(rows.map((r) => data[r * cols + f]!).filter((v) => !Number.isNaN(v)))].sort(
          (a, b) => a - b,
        );
        const cuts = vals
          .slice(0, -1)
          .map((v, i) => (v + vals[i + 1]!) / 2)
          .concat([Infinity]);
        for (const t of cuts) for (const ml of [false, true]) best = Math.max(best, gainOf(rows, f, t, ml));
      }
      const f = e.feature[node]!;
      const t = e.threshold[node]!;
      const ml = (e.flags[node]! & 1) !== 0;
      expect(gainOf(rows, f, t, ml)).toBeGreaterThan(best - 1e-9);
      checked++;
      const goLeft = (r: number) => (Number.isNaN(data[r * cols + f]!) ? ml : data[r * cols + f]! <= t);
      walk(e.left[node]!, rows.filter(goLeft));
      walk(
        e.right[node]!,
        rows.filter((r) => !goLeft(r)),
      );
    };
    walk(
      e.treeRoots[0]!,
      Array.from({ length: n }, (_, i) => i),
    );
    expect(checked).toBeGreaterThan(100);
  });

  it('matches 255-bin histograms in quality when every feature has fewer distinct values', () => {
    const d = mixedData(800, 5);
    const t = mixedData(300, 6);
    const exact = trainForest(d.x, d.y, { trees: 20, oobScore: true, seed: 2 });
    const binned = trainForest(d.x, d.y, { trees: 20, oobScore: true, seed: 2, maxBins: 255 });
    expect(Math.abs(r2(t.y, exact.model.predict(t.x)) - r2(t.y, binned.model.predict(t.x)))).toBeLessThan(0.01);
    expect(Math.abs(exact.oobScore! - binned.oobScore!)).toBeLessThan(0.01);
  });

  it('splits between every two distinct training values, where 16 bins cannot', () => {
    // y steps at each of 200 distinct x values: only exact thresholds fit every row
    const n = 200;
    const x = { data: Float64Array.from({ length: n }, (_, i) => i * i), rows: n, cols: 1 };
    const y = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 13);
    const exact = trainForest(x, y, { trees: 1, bootstrap: false }).model;
    expect(Array.from(exact.predict(x))).toEqual(Array.from(y));
    const t = exact.toSerial().threshold as ArrayLike<number>;
    for (const v of Array.from(t)) if (Number.isFinite(v)) expect(Math.sqrt(v) % 1).not.toBe(0); // midpoints, never a training value
    const coarse = trainForest(x, y, { trees: 1, bootstrap: false, maxBins: 16 }).model;
    expect(r2(y, coarse.predict(x))).toBeLessThan(0.9);
  });

  it('is the default for regression, not for classification', () => {
    const d = classData(200, 3, 2);
    expect(() => trainForest(d.x, d.y, { task: 'classification', maxBins: 'exact' })).toThrow(
      /maxBins: 'exact' is for regression only/,
    );
    expect(() => trainForest(train.x, train.y, { maxBins: 1 })).toThrow(/maxBins/);
  });
});
