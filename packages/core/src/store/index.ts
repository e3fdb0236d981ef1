/**
 * `@modelship/core/store`: what a registry store implementer needs: the {@link Store}
 * interface, the in-memory reference {@link MemoryStore}, and the helpers every store uses
 * (safe keys, compare-and-set preconditions, the `CONFLICT` error, byte concatenation).
 *
 * @module @modelship/core/store
 */
export type { Store, StoreEntry, StoreStreamEntry, StorePutOptions, StoreDeleteOptions } from './store.js';
export { MemoryStore } from './memory-store.js';
export { checkPreconditions, storeConflict } from './preconditions.js';
export { concatBytes } from './concat-bytes.js';
export { assertSafeKey, assertSafePrefix, MAX_KEY_LENGTH } from './safe-key.js';
