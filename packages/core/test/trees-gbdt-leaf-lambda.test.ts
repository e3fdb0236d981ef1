/**
 * Pins @modelship/trees' gbdt leaf values (issue 11, "Why" item 8): with squared error a leaf's value is
 * −G / (H + lambda) times the learning rate, G and H the leaf's gradient and hessian sums, so
 * a leaf value that ignores `lambda` gives other predictions. Worked out by hand on six rows.
 * It lives with core's tests (core imports @modelship/trees), beside the decision-code tests.
 */
import { describe, expect, it } from 'vitest';
import { trainGbdt, type TreesMatrix } from '@modelship/trees';

// x = 0 for three rows with y = 0, x = 1 for three rows with y = 6; the base score is the mean, 3.
// One split: each leaf holds 3 rows with residual ∓3, so G = ±9, H = 3, value = ∓9 / (3 + lambda).
const x: TreesMatrix = { data: Float64Array.from([0, 0, 0, 1, 1, 1]), rows: 6, cols: 1 };
const y = Float64Array.from([0, 0, 0, 6, 6, 6]);
const fit = (lambda: number | undefined, learningRate = 1) =>
  trainGbdt(x, y, {
    rounds: 1,
    learningRate,
    minSamplesLeaf: 1,
    maxLeaves: 2,
    earlyStoppingRounds: 0,
    ...(lambda === undefined ? {} : { lambda }),
  }).model;

describe('gbdt leaf values use lambda', () => {
  it.each([
    [0, 0, 6],
    [1, 3 - 9 / 4, 3 + 9 / 4],
    [3, 1.5, 4.5],
    [6, 2, 4],
  ])('lambda = %d: predictions %d and %d', (lambda, lo, hi) => {
    const p = fit(lambda).predict(x);
    for (let i = 0; i < 3; i++) expect(p[i]).toBeCloseTo(lo, 10);
    for (let i = 3; i < 6; i++) expect(p[i]).toBeCloseTo(hi, 10);
  });

  it('the default lambda is 1', () => {
    const p = fit(undefined).predict(x);
    expect(p[0]).toBeCloseTo(0.75, 10);
    expect(p[5]).toBeCloseTo(5.25, 10);
  });

  it('the learning rate scales the regularised leaf value', () => {
    const p = fit(3, 0.5).predict(x);
    expect(p[0]).toBeCloseTo(3 - 0.5 * 1.5, 10);
    expect(p[5]).toBeCloseTo(3 + 0.5 * 1.5, 10);
  });
});
