/** Business rules per model: checks beyond the input schema, each naming the field (→ 422). */
import { httpError } from '../http/http-error.js';

/** What a rule returns: `undefined` (fine), a message, or `{ field, message }`. */
export type RuleVerdict = string | undefined | null | { readonly field: string; readonly message: string };

/** A business rule over one row already valid against the model's input schema. */
export type BusinessRule = (row: Readonly<Record<string, number | string | null>>) => RuleVerdict;

/** Runs `rules` on a row; throws a 422 problem naming the field of the first broken rule. */
export function applyRules(
  rules: readonly BusinessRule[],
  row: Record<string, number | string | null>,
  prefix: string,
): void {
  for (const rule of rules) {
    const v = rule(row);
    if (v === undefined || v === null) continue;
    const field = typeof v === 'string' ? undefined : v.field;
    const message = typeof v === 'string' ? v : v.message;
    const path =
      field === undefined ? (prefix === '' ? undefined : prefix) : prefix === '' ? field : `${prefix}.${field}`;
    throw httpError(422, path === undefined ? message : `${path}: ${message}`, {
      code: 'BUSINESS_RULE',
      ...(path !== undefined ? { field: path } : {}),
      expected: message,
    });
  }
}
