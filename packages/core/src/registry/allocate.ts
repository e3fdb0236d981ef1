import { RegistryError, isModelshipError } from '../errors.js';
import { decodeJson, encodeJson, randomId } from './bytes.js';
import { versionFromKey } from './keys.js';
import type { Store } from '../store/store.js';

/** What {@link allocateVersion} needs. */
export interface AllocateOptions<T extends { registrationId: string }> {
  /** The store. */
  store: Store;
  /** The prefix under which version keys live (e.g. `models/x/versions/`). */
  prefix: string;
  /** The key of version `n`. */
  keyOf: (n: number) => string;
  /** Parses the version number out of a key (undefined: not a version key); default {@link versionFromKey}. */
  parse?: (key: string) => number | undefined;
  /** Builds the record for version `n`, carrying `registrationId` (the same on every attempt). */
  build: (n: number, registrationId: string) => T;
  /** Gives up after this many conflicts. */
  maxAttempts: number;
  /** The operation name for errors. */
  operation: string;
}

/**
 * Allocates the next version number by conditional create: lists the existing versions, tries
 * `max + 1` with `ifNoneMatch: '*'`, and on `CONFLICT` (someone else took it) tries the next
 * one. Every conflict means another caller succeeded, so this always progresses. When a write
 * whose response was lost is retried, the record found carries our `registrationId`, which
 * counts as success (the allocator draws that id and hands it to `build`).
 */
export async function allocateVersion<T extends { registrationId: string }>(o: AllocateOptions<T>): Promise<T> {
  const keys = await o.store.list(o.prefix);
  const parse = o.parse ?? versionFromKey;
  const registrationId = randomId();
  let max = 0;
  for (const k of keys) max = Math.max(max, parse(k) ?? 0);
  let n = max + 1;
  for (let attempt = 0; attempt < o.maxAttempts; attempt++, n++) {
    const record = o.build(n, registrationId);
    try {
      await o.store.put(o.keyOf(n), encodeJson(record), { ifNoneMatch: '*' });
      return record;
    } catch (err) {
      if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
      const existing = await o.store.get(o.keyOf(n));
      if (existing && decodeJson<T>(existing.body, o.keyOf(n), o.operation).registrationId === record.registrationId)
        return record;
    }
  }
  throw new RegistryError('CONFLICT', `${o.operation}: could not allocate a version after ${o.maxAttempts} attempts`, {
    operation: o.operation,
  });
}
