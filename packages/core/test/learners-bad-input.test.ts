import { describe, it } from 'vitest';
import type { LearnerTask } from '../src/learners/learner.js';
import { createLearner, restoreLearner } from '../src/learners/learner-catalog.js';
import type { Matrix } from '../src/types/matrix.js';
import { expectError } from '../../../test-support/expect-error.js';
import { registerMljsLearners } from '@modelship/train';

registerMljsLearners();

const X: Matrix = { data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]), rows: 8, cols: 1 };
const Y = new Float64Array([0, 1, 0, 1, 0, 1, 0, 1]);
const KINDS: Array<[string, LearnerTask]> = [
  ['linear', 'regression'],
  ['linear-mljs', 'regression'],
  ['logistic', 'classification'],
  ['forest-mljs', 'classification'],
];

function expectTrainingError(f: () => unknown, message: RegExp): void {
  expectError(f, 'TrainingError', message, 'INVALID_DATA');
}

describe.each(KINDS)('%s on bad input', (kind, task) => {
  const fitted = (): ReturnType<typeof createLearner> => {
    const l = createLearner(kind, {}, task);
    void l.fit(X, Y);
    return l;
  };

  it('rejects a missing matrix or target with a TrainingError naming it', () => {
    expectTrainingError(() => createLearner(kind, {}, task).fit(null as unknown as Matrix, Y), /x: expected a matrix/);
    expectTrainingError(
      () => createLearner(kind, {}, task).fit(X, null as unknown as Float64Array),
      /y: expected one target per row/,
    );
  });

  it('rejects a row of the wrong width instead of predicting from garbage', () => {
    const l = fitted();
    expectTrainingError(
      () => l.predictRow(new Float64Array(0)),
      /row: expected a Float64Array of 1 features, got 0 values/,
    );
    expectTrainingError(() => l.predictRow(null as unknown as Float64Array), /row: expected a Float64Array/);
    expectTrainingError(
      () => l.predict({ data: new Float64Array(4), rows: 2, cols: 2 }),
      /x has 2 columns, expected 1/,
    );
  });

  it('round-trips the feature count so a restored learner checks widths too', () => {
    const restored = restoreLearner(fitted().toState());
    expectTrainingError(
      () => restored.predictRow(new Float64Array(3)),
      /expected a Float64Array of 1 features, got 3 values/,
    );
  });
});

describe('non-finite rows', () => {
  it.each(['linear', 'linear-mljs'])('%s names the non-finite feature instead of returning NaN', (kind) => {
    const l = createLearner(kind, {}, 'regression');
    void l.fit(X, Y);
    expectTrainingError(() => l.predictRow(new Float64Array([Number.NaN])), /row\[0\] is NaN/);
    expectTrainingError(() => l.predictRow(new Float64Array([Infinity])), /row\[0\] is Infinity/);
  });

  it('forest-mljs names the non-finite feature instead of voting on it', () => {
    const l = createLearner('forest-mljs', { nEstimators: 5 }, 'classification');
    void l.fit(X, Y);
    expectTrainingError(() => l.predictRow(new Float64Array([Number.NaN])), /forest-mljs: row\[0\] is NaN/);
  });

  it('logistic names the non-finite feature instead of returning class 0', () => {
    const l = createLearner('logistic', {}, 'classification');
    void l.fit(X, Y);
    expectTrainingError(() => l.predictRow(new Float64Array([Number.NaN])), /row\[0\] is NaN/);
  });
});

describe('class labels', () => {
  it('rejects a huge class index (which would allocate millions of classes) when numClasses is not given', () => {
    const y = new Float64Array([0, 1, 0, 1, 0, 1, 0, 1e7]);
    expectTrainingError(
      () => createLearner('logistic', {}, 'classification').fit(X, y),
      /y\[7\] is 10000000; expected a class index in 0…65535/,
    );
  });

  it('rejects a class index at or above numClasses', () => {
    expectTrainingError(
      () => createLearner('logistic', {}, 'classification').fit(X, Y, { numClasses: 1 }),
      /y\[1\] is 1; expected a class index in 0…0/,
    );
  });
});

describe('restoring a damaged state', () => {
  it('rejects non-finite coefficients', () => {
    expectTrainingError(
      () =>
        restoreLearner({ kind: 'linear', params: {}, state: { coef: new Float64Array([Number.NaN]), intercept: 0 } }),
      /state needs coef/,
    );
  });
});
