import { z } from 'zod';
import type { ModelshipErrorOptions } from '../errors.js';

/** Builds the modelship error thrown when a value fails its zod schema. */
export type ZodErrorFactory = (message: string, options: ModelshipErrorOptions) => Error;

/**
 * Parses `value` with `schema`, or throws the error `toError` builds: the message is
 * `<operation>: invalid <what>` followed by `z.prettifyError` text (one line per issue, naming
 * the field), the details carry the first issue's `field` path and every issue, and the cause is
 * the ZodError. The one place modelship turns a zod failure into an error.
 */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  value: unknown,
  operation: string,
  what: string,
  toError: ZodErrorFactory,
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw toError(`${operation}: invalid ${what}\n${z.prettifyError(r.error)}`, {
    operation,
    details: { field: issues[0]?.path ?? '', issues },
    cause: r.error,
  });
}
