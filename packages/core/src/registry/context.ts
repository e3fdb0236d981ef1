import { z } from 'zod';
import { RegistryError, ValidationError, isModelshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RegistryEvents } from './events.js';
import type { Authorizer } from './registry-options.js';
import type { Store } from '../store/store.js';

/** What the registry's operation modules share (internal). */
export interface RegistryContext {
  /** The store. */
  store: Store;
  /** The clock (epoch ms). */
  clock: () => number;
  /** The default actor. */
  actor: string;
  /** The component logger. */
  log: Logger;
  /** Aliases that need force or the authorizer. */
  protectedAliases: ReadonlySet<string>;
  /** The authorizer, if any. */
  authorizer: Authorizer | undefined;
  /** How many version numbers to try. */
  maxAllocationAttempts: number;
  /** Emits an event safely (after the durable write). */
  emit<E extends keyof RegistryEvents>(event: E, ...args: Parameters<RegistryEvents[E]>): void;
}

/** Parses input with zod, throwing `ValidationError('INVALID_INPUT')` that names the field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, op: string, field: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ValidationError('INVALID_INPUT', `${op}: ${field}: ${z.prettifyError(r.error)}`, {
    operation: op,
    details: { field },
  });
}

/** A `RegistryError('NOT_FOUND')`. */
export function notFound(op: string, message: string, details: Record<string, unknown>): RegistryError {
  return new RegistryError('NOT_FOUND', `${op}: ${message}`, { operation: op, details });
}

/** Rethrows anything but a `CONFLICT`. */
export function ignoreConflict(err: unknown): void {
  if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
}
