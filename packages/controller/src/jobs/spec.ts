/**
 * The training spec as data: its zod schema and the parser of JSON / YAML text.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ControllerError } from '../errors.js';
import type { DataSource, TrainingSpec } from '../types.js';

const name = z.string().min(1).max(256);
const record = z.record(z.string(), z.unknown());
const dataSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('csv'), path: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('dataset'),
    name: z.enum(['california', 'bangalore', 'iris']),
    dataDir: z.string().min(1).optional(),
  }),
]);

/**
 * The zod schema of a {@link TrainingSpec} (strict: an unknown field is an error). Learner
 * kinds, feature specs and evaluation details are checked again, in depth, by `createTrainer`.
 */
export const trainingSpecSchema: z.ZodType<TrainingSpec> = z.strictObject({
  model: name.regex(/^[A-Za-z0-9_.-]+$/, 'model names use letters, digits, _ . -'),
  data: dataSourceSchema as z.ZodType<DataSource>,
  dataset: z.strictObject({ name, version: z.number().int().positive().optional() }).optional(),
  task: z.enum(['regression', 'classification']),
  target: z.string().min(1),
  features: z.looseObject({ features: z.array(z.unknown()).min(1) }),
  schema: z.looseObject({ columns: record }).optional(),
  variants: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'variant names use letters, digits, _ . -'),
      z.strictObject({ learner: z.string().min(1), params: record.optional() }),
    )
    .refine((v) => Object.keys(v).length > 0, 'at least one variant is required'),
  selectBy: z.string().min(1).optional(),
  evaluation: z.looseObject({ kind: z.enum(['holdout', 'kfold']) }).optional(),
  seed: z.number().int().optional(),
  gate: z.strictObject({ metric: z.string().min(1), tolerance: z.number().min(0).optional() }).optional(),
  profileColumns: z.array(z.string().min(1)).optional(),
}) as unknown as z.ZodType<TrainingSpec>;

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/** One readable sentence per zod issue (`expected a string`, `unknown field "x"`…). */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}, received ${describeType(input)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return issue.message;
  }
}

/** The value at `path` inside `root` (for the "received" part of a message). */
function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * Validates a training spec given as an object; throws `ControllerError('INVALID_OPTIONS')` whose
 * message names the field (e.g. `spec.variants.rf.learner: expected a string, received number`).
 */
export function validateTrainingSpec(value: unknown, operation = 'parseTrainingSpec'): TrainingSpec {
  const r = trainingSpecSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const field = ['spec', ...i.path.map(String)].join('.');
    return { field, message: issueMessage(i, at(value, i.path)) };
  });
  const first = issues[0]!;
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more: ${issues
          .slice(1)
          .map((i) => i.field)
          .join(', ')})`
      : '';
  throw new ControllerError('INVALID_OPTIONS', `${operation}: ${first.field}: ${first.message}${more}`, {
    operation,
    details: { field: first.field, issues },
    cause: r.error,
  });
}

/**
 * Parses and validates a training spec from JSON or YAML text (or validates an object). The
 * format defaults to JSON when the text starts with `{`, else YAML (JSON is valid YAML anyway).
 * Every failure, a syntax error included, is `ControllerError('INVALID_OPTIONS')` naming the field.
 *
 * @example
 * ```ts
 * const spec = parseTrainingSpec(`
 * model: iris
 * data: { kind: dataset, name: iris }
 * task: classification
 * target: species
 * features: { features: [{ type: numeric, column: petal_length }] }
 * variants: { rf: { learner: forest-mljs, params: { nEstimators: 20 } } }
 * `);
 * ```
 */
export function parseTrainingSpec(text: string | object, format?: 'json' | 'yaml'): TrainingSpec {
  const op = 'parseTrainingSpec';
  if (typeof text !== 'string') return validateTrainingSpec(text, op);
  const fmt = format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  let value: unknown;
  try {
    value = fmt === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ControllerError(
      'INVALID_OPTIONS',
      `${op}: spec: not valid ${fmt.toUpperCase()}: ${(cause as Error).message}`,
      {
        operation: op,
        details: { field: 'spec', format: fmt },
        cause,
      },
    );
  }
  return validateTrainingSpec(value, op);
}
