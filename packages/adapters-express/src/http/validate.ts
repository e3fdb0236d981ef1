/** zod validation of request parts into 400 problems naming the field path and what was expected. */
import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** `['rows', 3, 'x']` → `rows[3].x` (the `prefix` goes first). */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** What a zod issue expected, in words. */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least' : '>='} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most' : '<='} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'unrecognized_keys':
      return `no member ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Parses `value` with `schema`; on failure throws a 400 {@link HttpError} whose `field` is the zod
 * path of the first issue (prefixed by `where`, e.g. `query`) and `expected` what it expected.
 */
export function parseRequestPart<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 10).map((i) => ({
    field: fieldPath(i.path, where === 'body' ? '' : where),
    message: i.message,
    expected: expectedOf(i),
  }));
  const first = issues[0]!;
  throw new HttpError(
    400,
    `invalid ${where}: ${issues.map((i) => `${i.field === '' ? '(root)' : i.field}: ${i.message}`).join('; ')}`,
    { code: 'INVALID_INPUT', field: first.field, expected: first.expected, issues },
  );
}
