import { describe, expect, it } from 'vitest';
import { fixedZ, mixtureRho2, sampleRatioMismatch, sequentialZ } from '../src/evaluate/sequential.js';
import { expectError } from '../../../test-support/expect-error.js';

describe('statistics helpers on bad input', () => {
  it('sampleRatioMismatch names a negative or NaN count instead of reporting "no mismatch"', () => {
    const w = { production: 0.8, candidate: 0.2 };
    expectError(
      () => sampleRatioMismatch({ production: -1, candidate: 5 }, w),
      'EvaluationError',
      /sampleRatioMismatch: observed\.production: expected a non-negative count, got -1/,
    );
    expectError(
      () => sampleRatioMismatch({ production: 10, candidate: Number.NaN }, w),
      'EvaluationError',
      /observed\.candidate: expected a non-negative count, got NaN/,
    );
    expectError(
      () => sampleRatioMismatch({ production: 10, candidate: 5 }, { production: 0.8, candidate: Number.NaN }),
      'EvaluationError',
      /weights\.candidate: expected a finite weight ≥ 0, got NaN/,
    );
  });

  it('the interval multipliers refuse an alpha outside (0, 1) instead of returning ±Infinity', () => {
    expectError(() => fixedZ(2), 'EvaluationError', /fixedZ: alpha: expected a number in \(0, 1\), got 2/);
    expectError(
      () => sequentialZ(100, Number.NaN, 5000),
      'EvaluationError',
      /sequentialZ: alpha: expected a number in \(0, 1\), got NaN/,
    );
    expectError(() => mixtureRho2(0.05, 0), 'EvaluationError', /mixtureRho2: nStar: expected a positive number, got 0/);
    expect(fixedZ(0.05)).toBeCloseTo(1.959964, 5);
  });
});
