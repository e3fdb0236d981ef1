/**
 * What a safe store key is (`/`-separated safe segments, bounded length), checked by every
 * store before it touches its backend, so that no key can address anything outside its root.
 */
import { RegistryError } from '../errors.js';

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The longest key a store must accept, in characters. */
export const MAX_KEY_LENGTH = 1024;

/**
 * Throws `RegistryError('INVALID_NAME')` unless `key` is a safe store key: `/`-separated
 * segments of letters, digits, `.`, `_`, `-`, none empty, none starting with `.` (so never `..`),
 * no leading or trailing `/`, at most {@link MAX_KEY_LENGTH} characters. A safe key can never
 * address anything outside a store's root folder or prefix.
 */
export function assertSafeKey(key: unknown, operation = 'store'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw invalidKey(key, operation, `expected a string of 1-${MAX_KEY_LENGTH} characters`);
  }
  for (const seg of key.split('/')) {
    if (!SEGMENT.test(seg)) throw invalidKey(key, operation, `segment "${printable(seg)}" is not a safe name`);
  }
}

/**
 * Throws `RegistryError('INVALID_NAME')` unless `prefix` is `''` or a safe key followed by `/`
 * (or a safe partial key, as used by `list`).
 */
export function assertSafePrefix(prefix: unknown, operation = 'store.list'): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidKey(prefix, operation, 'expected a string prefix');
  if (prefix === '') return;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  assertSafeKey(body, operation);
}

function invalidKey(key: unknown, operation: string, why: string): RegistryError {
  return new RegistryError('INVALID_NAME', `${operation}: unsafe key "${printable(String(key))}": ${why}`, {
    operation,
    details: { field: 'key', key: typeof key === 'string' ? key.slice(0, 200) : String(key) },
  });
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}
