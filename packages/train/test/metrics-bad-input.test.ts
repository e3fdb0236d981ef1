import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, f1, logLoss, rocAuc, rocAucBinary } from '../src/metrics/classification.js';
import { mae, mape, r2, rmse } from '../src/metrics/regression.js';
import { expectInvalid } from '../../../test-support/expect-error.js';

describe('regression metrics on bad input', () => {
  it.each([
    ['rmse', rmse],
    ['mae', mae],
    ['r2', r2],
    ['mape', mape],
  ] as const)('%s names a NaN or Infinity instead of returning NaN', (name, metric) => {
    expectInvalid(
      () => metric([1, Number.NaN], [1, 2]),
      new RegExp(`^${name}: yTrue\\[1\\]: expected a finite number, got NaN`),
    );
    expectInvalid(
      () => metric([1, 2], [1, Infinity]),
      new RegExp(`^${name}: yPred\\[1\\]: expected a finite number, got Infinity`),
    );
  });

  it('names a missing array instead of crashing', () => {
    expectInvalid(() => rmse(null as unknown as number[], [1]), /rmse: yTrue: expected an array of numbers, got null/);
    expectInvalid(
      () => mae([1], undefined as unknown as number[]),
      /mae: yPred: expected an array of numbers, got undefined/,
    );
  });
});

describe('classification metrics on bad input', () => {
  it('confusionMatrix names a NaN label instead of crashing', () => {
    expectInvalid(
      () => confusionMatrix([0, Number.NaN], [0, 1]),
      /confusionMatrix: yTrue\[1\]: expected a class index in 0…65535, got NaN/,
    );
  });

  it('confusionMatrix refuses a huge label instead of allocating a huge matrix', () => {
    expectInvalid(() => confusionMatrix([0], [1e9]), /confusionMatrix: yPred\[0\]: expected a class index/);
  });

  it('accuracy and f1 refuse labels that are not class indices', () => {
    expectInvalid(() => accuracy([Number.NaN], [Number.NaN]), /accuracy: yTrue\[0\]/);
    expectInvalid(() => f1([0, 1.5], [0, 1]), /f1|perClassScores|confusionMatrix/);
    expectInvalid(() => f1([0, 2], [0, 1], 'macro', 2), /yTrue\[1\]: expected a class index in 0…1, got 2/);
  });

  it('logLoss refuses a label outside numClasses instead of reading the next row', () => {
    expectInvalid(
      () => logLoss([5, 0], [0.5, 0.5, 0.5, 0.5], 2),
      /logLoss: yTrue\[0\]: expected a class index in 0…1, got 5/,
    );
    expectInvalid(() => logLoss([0], [0.5, Number.NaN], 2), /logLoss: proba\[1\]: expected a finite number/);
    expectInvalid(() => logLoss([0], [0.5, 0.5], 0), /logLoss: numClasses: expected an integer/);
  });

  it('rocAuc refuses NaN scores (which would make the ranking meaningless)', () => {
    expectInvalid(
      () => rocAucBinary([0, 1, 0], [Number.NaN, 0.2, 0.1]),
      /rocAuc: scores\[0\]: expected a finite number, got NaN/,
    );
    expectInvalid(
      () => rocAuc([0, 1], [0.5, 0.5, 0.5], 2),
      /rocAuc: proba: expected yTrue.length × numClasses = 4 values, got 3/,
    );
  });

  it('still computes correct values on good input', () => {
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2])).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(logLoss([1, 0], [0.2, 0.8, 0.6, 0.4], 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });
});
