import { z } from 'zod';
import { RegistryError } from '../errors.js';

/** The longest model, dataset or alias name, in characters. */
export const MAX_NAME_LENGTH = 128;

/**
 * A model, dataset or alias name: 1-128 characters of letters, digits, `.`, `_` and `-`,
 * starting with a letter or digit, with no `..`. Such a name is always one safe key segment.
 */
export const registryNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-', starting with a letter or digit")
  .refine((s) => !s.includes('..'), "must not contain '..'");

/**
 * Validates a name and returns it; throws `RegistryError('INVALID_NAME')` naming the `field`
 * (e.g. `name`, `alias`, `dataset`) and what was expected.
 */
export function validateName(value: unknown, field: string, operation: string): string {
  const r = registryNameSchema.safeParse(value);
  if (r.success) return r.data;
  const shown =
    typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value) : String(value);
  throw new RegistryError(
    'INVALID_NAME',
    `${operation}: ${field}: ${r.error.issues.map((i) => i.message).join('; ')} (received ${shown})`,
    { operation, details: { field, received: typeof value === 'string' ? value.slice(0, 200) : value } },
  );
}

/** Validates a version number (a positive integer); throws `RegistryError('INVALID_NAME')` naming `field`. */
export function validateVersion(value: unknown, field: string, operation: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new RegistryError(
    'INVALID_NAME',
    `${operation}: ${field}: expected a positive integer version, received ${String(value)}`,
    {
      operation,
      details: { field, received: value },
    },
  );
}
