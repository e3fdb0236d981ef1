import { ValidationError } from '@modelship/core';

/** Largest number of classes a metric infers from the labels when `numClasses` is not given. */
export const MAX_METRIC_CLASSES = 65_536;

function invalid(metric: string, field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new ValidationError('INVALID_INPUT', `${metric}: ${field}: ${message}`, {
    operation: metric,
    details: { field, ...details },
  });
}

function isArrayLike(a: unknown): a is ArrayLike<unknown> {
  return (Array.isArray(a) || ArrayBuffer.isView(a)) && typeof (a as { length?: unknown }).length === 'number';
}

/** Throws ValidationError `INVALID_INPUT` unless `a` is a non-empty array (or typed array). */
export function checkArray(metric: string, field: string, a: unknown): asserts a is ArrayLike<unknown> {
  if (!isArrayLike(a)) invalid(metric, field, `expected an array of numbers, got ${a === null ? 'null' : typeof a}`);
  if (a.length === 0) invalid(metric, field, 'expected a non-empty array, got an empty one');
}

/** Throws ValidationError `INVALID_INPUT` unless both are non-empty arrays of equal length. */
export function checkSameLength(metric: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>, bField = 'yPred'): void {
  checkArray(metric, 'yTrue', a);
  checkArray(metric, bField, b);
  if (a.length !== b.length || a.length === 0) {
    throw new ValidationError(
      'INVALID_INPUT',
      `${metric}: yTrue and ${bField} must be non-empty and of equal length (got ${a.length} and ${b.length})`,
      {
        operation: metric,
        details: { field: bField, expected: a.length, received: b.length },
      },
    );
  }
}

/** Throws ValidationError `INVALID_INPUT` naming the first entry of `values` that is not a finite number. */
export function checkFinite(metric: string, field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      invalid(metric, `${field}[${i}]`, `expected a finite number, got ${String(v)}`, { index: i });
  }
}

/**
 * Throws ValidationError `INVALID_INPUT` naming the first entry of `labels` that is not a class
 * index in `0 … numClasses − 1` (or below {@link MAX_METRIC_CLASSES} when `numClasses` is not
 * given); returns the largest label.
 */
export function checkLabels(metric: string, field: string, labels: ArrayLike<number>, numClasses?: number): number {
  const limit = numClasses ?? MAX_METRIC_CLASSES;
  let max = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= limit)
      invalid(metric, `${field}[${i}]`, `expected a class index in 0…${limit - 1}, got ${String(v)}`, { index: i });
    if (v > max) max = v;
  }
  return max;
}

/** Throws ValidationError `INVALID_INPUT` unless `numClasses` is undefined or a positive integer. */
export function checkNumClasses(metric: string, numClasses: number | undefined): void {
  if (
    numClasses !== undefined &&
    !(Number.isInteger(numClasses) && numClasses >= 1 && numClasses <= MAX_METRIC_CLASSES)
  ) {
    invalid(metric, 'numClasses', `expected an integer in 1…${MAX_METRIC_CLASSES}, got ${String(numClasses)}`);
  }
}
