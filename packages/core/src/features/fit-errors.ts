import { ValidationError } from '../errors.js';

/** Throws ValidationError `INVALID_INPUT`: a missing value in `field` with no imputation configured. */
export function missingError(field: string, where: string, operation: string): never {
  throw new ValidationError(
    'INVALID_INPUT',
    `${where}: missing value for '${field}' and no imputation is configured for it`,
    {
      operation,
      details: { field },
    },
  );
}

/** Throws ValidationError `INVALID_INPUT`: every training value of `field` is missing, so `strategy` cannot be fitted. */
export function allMissingError(field: string, strategy: string): never {
  throw new ValidationError(
    'INVALID_INPUT',
    `fit: every training value of '${field}' is missing, so '${strategy}' imputation has nothing to learn from (use a constant)`,
    {
      operation: 'FeaturePipeline.fit',
      details: { field },
    },
  );
}

/** The most frequent value (the smallest on ties), `undefined` for no values. */
export function mostFrequent<T extends number | string>(values: Iterable<T>): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = -1;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && v < best!)) {
      best = v;
      bestCount = c;
    }
  }
  return best!;
}
