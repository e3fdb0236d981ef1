import { describe, it } from 'vitest';
import { expectError } from '../../test-support/expect-error.js';
import { runDecisionScenarios } from './decision-quality.js';
import { starDistribution } from './simulate.js';

describe('simulator inputs', () => {
  it('starDistribution refuses a mean outside 1…5 stars or a bad spread', () => {
    expectError(
      () => starDistribution(Number.NaN),
      'ValidationError',
      /starDistribution: mean: expected a number in \[1, 5\], got NaN/,
    );
    expectError(() => starDistribution(9), 'ValidationError', /got 9/);
    expectError(
      () => starDistribution(4, 0),
      'ValidationError',
      /starDistribution: spread: expected a positive number, got 0/,
    );
  });

  it('runDecisionScenarios refuses a non-positive number of experiments', () => {
    expectError(
      () => runDecisionScenarios({ experiments: -1 }),
      'ValidationError',
      /runDecisionScenarios: experiments: expected a positive integer, got -1/,
    );
  });
});

describe('simulator scenarios', () => {
  it('runDecisionScenarios refuses an unknown case, naming the cases', () => {
    expectError(
      () => runDecisionScenarios({ experiments: 1, cases: ['nope' as never] }),
      'ValidationError',
      /runDecisionScenarios: cases: expected one of aa, aa-50-50, .*fast-baseline, got nope/,
    );
  });
});
