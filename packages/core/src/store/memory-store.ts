import { concatBytes } from './concat-bytes.js';
import { checkPreconditions, storeConflict } from './preconditions.js';
import { assertSafeKey, assertSafePrefix } from './safe-key.js';
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
      throw storeConflict('MemoryStore.delete', key, 'etag does not match');
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
