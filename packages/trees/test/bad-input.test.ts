import { describe, expect, it } from 'vitest';
import { isTreesError, matrixFromRows, trainForest, trainGbdt, type TreesErrorCode } from '../src/index.js';
import { r2, regressionData } from './helpers.js';

function expectTreesError(fn: () => unknown, code: TreesErrorCode, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isTreesError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(message);
    return;
  }
  expect.unreachable('expected a TreesError');
}

const base = regressionData(600, 1);

describe('bad input', () => {
  it('NaN features are missing values: trained on, routed by the learned default direction', () => {
    const data = base.x.data.slice();
    // x0 is missing in a quarter of the rows; for those rows y is shifted up by 5
    const y = base.y.slice();
    for (let i = 0; i < base.x.rows; i += 4) {
      data[i * 4] = NaN;
      y[i] = 5;
    }
    const x = { data, rows: base.x.rows, cols: 4 };
    for (const model of [trainGbdt(x, y, { rounds: 40 }).model, trainForest(x, y, { trees: 10 }).model]) {
      const p = model.predictRow(Float64Array.of(NaN, 0.2, 0.5, 7));
      expect(p).toBeGreaterThan(4);
      expect(p).toBeLessThan(6);
      expect(r2(y, model.predict(x))).toBeGreaterThan(0.9);
    }
  });

  it('±Infinity features are extreme values, not errors', () => {
    const data = base.x.data.slice();
    data[0] = Infinity;
    data[4] = -Infinity;
    const { model } = trainGbdt({ data, rows: base.x.rows, cols: 4 }, base.y, { rounds: 20 });
    const hi = model.predictRow(Float64Array.of(Infinity, 0, 0.5, 7));
    const lo = model.predictRow(Float64Array.of(-Infinity, 0, 0.5, 7));
    expect(Number.isFinite(hi) && Number.isFinite(lo)).toBe(true);
    expect(hi).toBeGreaterThan(lo); // y grows with x0
  });

  it('a constant feature is never split on; an all-constant matrix gives the mean', () => {
    const { model } = trainForest(base.x, base.y, { trees: 5 });
    expect(model.importanceSplit[3]).toBe(0);
    const flat = { data: new Float64Array(50).fill(1), rows: 50, cols: 1 };
    const y = Float64Array.from({ length: 50 }, (_, i) => i);
    expect(trainGbdt(flat, y, { rounds: 5 }).model.predictRow(Float64Array.of(1))).toBeCloseTo(24.5, 10);
    expect(trainForest(flat, y, { trees: 3, bootstrap: false }).model.predictRow(Float64Array.of(1))).toBeCloseTo(
      24.5,
      10,
    );
  });

  it('rejects a single-class target for classification', () => {
    const x = matrixFromRows([[1], [2], [3]]);
    const y = Float64Array.of(1, 1, 1);
    expectTreesError(() => trainGbdt(x, y, { objective: 'binary' }), 'INVALID_INPUT', /only one class/);
    expectTreesError(
      () => trainForest(x, y, { task: 'classification', numClasses: 2 }),
      'INVALID_INPUT',
      /only one class/,
    );
  });

  it('rejects zero rows, a target of the wrong length and non-finite targets', () => {
    const empty = { data: new Float64Array(0), rows: 0, cols: 3 };
    expectTreesError(() => trainGbdt(empty, new Float64Array(0)), 'INVALID_INPUT', /zero rows/);
    expectTreesError(() => trainForest(empty, new Float64Array(0)), 'INVALID_INPUT', /zero rows/);
    expectTreesError(() => trainGbdt(base.x, base.y.subarray(1)), 'INVALID_INPUT', /y: expected 600 targets/);
    const y = base.y.slice();
    y[3] = NaN;
    expectTreesError(() => trainForest(base.x, y), 'INVALID_INPUT', /y\[3\]: expected a finite number/);
    expectTreesError(
      () => trainGbdt({ data: new Float64Array(5), rows: 2, cols: 3 }, Float64Array.of(1, 2)),
      'INVALID_INPUT',
      /x.data/,
    );
  });

  it('rejects class labels out of range', () => {
    expectTreesError(
      () => trainGbdt(matrixFromRows([[1], [2]]), Float64Array.of(0, 3), { objective: 'multiclass', numClasses: 3 }),
      'INVALID_INPUT',
      /y\[1\]: expected a class index in 0…2/,
    );
  });

  it('rejects more (or fewer) features at predict than at fit', () => {
    const { model } = trainGbdt(base.x, base.y, { rounds: 3 });
    expectTreesError(
      () => model.predictRow(new Float64Array(5)),
      'INVALID_INPUT',
      /expected 4 features \(as at fit\), got 5/,
    );
    expectTreesError(
      () => model.predict({ data: new Float64Array(10), rows: 2, cols: 5 }),
      'INVALID_INPUT',
      /expected a matrix with 4 columns/,
    );
    expectTreesError(() => model.predictRow(new Float64Array(3)), 'INVALID_INPUT', /got 3/);
  });

  it('rejects bad options naming the field', () => {
    expectTreesError(() => trainGbdt(base.x, base.y, { learningRate: -1 }), 'INVALID_OPTIONS', /learningRate/);
    expectTreesError(() => trainGbdt(base.x, base.y, { maxBins: 300 }), 'INVALID_OPTIONS', /maxBins/);
    expectTreesError(() => trainForest(base.x, base.y, { maxFeatures: 2 }), 'INVALID_OPTIONS', /maxFeatures/);
    expectTreesError(() => trainForest(base.x, base.y, { criterion: 'gini' }), 'INVALID_OPTIONS', /criterion/);
    expectTreesError(
      () => trainForest(base.x, base.y, { oobScore: true, bootstrap: false }),
      'INVALID_OPTIONS',
      /oobScore/,
    );
    expectTreesError(() => trainGbdt(base.x, base.y, { classWeights: [1, 2] }), 'INVALID_OPTIONS', /classWeights/);
  });
});
