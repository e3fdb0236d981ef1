import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses learner hyperparameters with a zod schema, throwing ValidationError `INVALID_OPTIONS`
 * whose message names the learner and the field.
 */
export function parseLearnerParams<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    throw new ValidationError('INVALID_OPTIONS', `invalid params for learner '${kind}':\n${z.prettifyError(r.error)}`, {
      operation: 'createLearner',
      details: { kind, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return r.data;
}
