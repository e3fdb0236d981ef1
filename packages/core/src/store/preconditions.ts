/**
 * The compare-and-set check every store implementer needs: whether `ifNoneMatch` / `ifMatch`
 * hold for a key's current etag, and the `RegistryError('CONFLICT')` a store throws when not.
 */
import { RegistryError } from '../errors.js';
import type { StorePutOptions } from './store.js';

/** Throws `CONFLICT` when `options` do not hold for the current etag (`undefined` = absent). */
export function checkPreconditions(
  operation: string,
  key: string,
  current: string | undefined,
  options: StorePutOptions,
): void {
  if (options.ifNoneMatch === '*' && current !== undefined) throw storeConflict(operation, key, 'key already exists');
  if (options.ifMatch !== undefined && current !== options.ifMatch) {
    throw storeConflict(operation, key, current === undefined ? 'key is absent' : 'etag does not match');
  }
}

/** A `RegistryError('CONFLICT')` for a failed store precondition. */
export function storeConflict(operation: string, key: string, why: string): RegistryError {
  return new RegistryError('CONFLICT', `${operation}: precondition failed for "${key}": ${why}`, {
    operation,
    details: { key },
  });
}
