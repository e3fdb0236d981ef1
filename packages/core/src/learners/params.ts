import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseOrThrow } from '../data/zod-parse.js';

/**
 * Parses learner hyperparameters with a zod schema, throwing ValidationError `INVALID_OPTIONS`
 * whose message names the learner and the field.
 */
export function parseLearnerParams<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  return parseOrThrow(
    schema,
    params ?? {},
    'createLearner',
    `params for learner '${kind}'`,
    (m, o) => new ValidationError('INVALID_OPTIONS', m, { ...o, details: { ...o.details, kind } }),
  );
}
