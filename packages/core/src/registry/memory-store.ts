import { RegistryError } from '../errors.js';
import { assertSafeKey, assertSafePrefix } from './keys.js';
import type { Store, StoreDeleteOptions, StoreEntry, StorePutOptions, StoreStreamEntry } from './store.js';

/**
 * The in-memory reference {@link Store}: a `Map` of copies, with etags from a counter. Every
 * registry feature works on it; it passes `registry-conformance`. Values are lost with the
 * process, but several registries sharing one `MemoryStore` see each other's writes (the
 * conformance suite's "close and reopen" uses that).
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new MemoryStore() });
 * ```
 */
export class MemoryStore implements Store {
  private readonly data = new Map<string, { body: Uint8Array; etag: string }>();
  private counter = 0;

  /** Reads a key; `undefined` when absent. */
  async get(key: string): Promise<StoreEntry | undefined> {
    assertSafeKey(key, 'MemoryStore.get');
    const e = this.data.get(key);
    return e ? { body: e.body.slice(), etag: e.etag } : undefined;
  }

  /** The current etag of a key; `undefined` when absent. */
  async head(key: string): Promise<string | undefined> {
    assertSafeKey(key, 'MemoryStore.head');
    return this.data.get(key)?.etag;
  }

  /** Writes a key under the given preconditions and returns the new etag. */
  async put(key: string, body: Uint8Array, options: StorePutOptions = {}): Promise<string> {
    assertSafeKey(key, 'MemoryStore.put');
    const current = this.data.get(key);
    checkPreconditions('MemoryStore.put', key, current?.etag, options);
    const etag = `m${++this.counter}`;
    this.data.set(key, { body: body.slice(), etag });
    return etag;
  }

  /** Every key starting with `prefix`, sorted. */
  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix, 'MemoryStore.list');
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Deletes a key (conditionally with `ifMatch`). */
  async delete(key: string, options: StoreDeleteOptions = {}): Promise<boolean> {
    assertSafeKey(key, 'MemoryStore.delete');
    const current = this.data.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw conflict('MemoryStore.delete', key, 'etag does not match');
    }
    return this.data.delete(key);
  }

  /** Reads a key as a stream of 1 MiB chunks. */
  async getStream(key: string): Promise<StoreStreamEntry | undefined> {
    const e = await this.get(key);
    if (!e) return undefined;
    const body = e.body;
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < body.length; i += 1 << 20) yield body.subarray(i, Math.min(body.length, i + (1 << 20)));
    }
    return { stream: chunks(), etag: e.etag, size: body.length };
  }

  /** Collects the stream, then writes it like {@link MemoryStore.put}. */
  async putStream(key: string, source: AsyncIterable<Uint8Array>, options: StorePutOptions = {}): Promise<string> {
    assertSafeKey(key, 'MemoryStore.putStream');
    const parts: Uint8Array[] = [];
    for await (const c of source) parts.push(c);
    return this.put(key, concatBytes(parts), options);
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}

/** Throws `CONFLICT` when `options` do not hold for the current etag (`undefined` = absent). */
export function checkPreconditions(
  operation: string,
  key: string,
  current: string | undefined,
  options: StorePutOptions,
): void {
  if (options.ifNoneMatch === '*' && current !== undefined) throw conflict(operation, key, 'key already exists');
  if (options.ifMatch !== undefined && current !== options.ifMatch) {
    throw conflict(operation, key, current === undefined ? 'key is absent' : 'etag does not match');
  }
}

/** A `RegistryError('CONFLICT')` for a failed store precondition. */
export function conflict(operation: string, key: string, why: string): RegistryError {
  return new RegistryError('CONFLICT', `${operation}: precondition failed for "${key}": ${why}`, {
    operation,
    details: { key },
  });
}

/** Concatenates byte chunks into one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
