/**
 * The small conditional key-value interface every registry store implements. Versioning,
 * aliases, history, integrity and rollback are written once in the registry on top of it.
 */

/** What {@link Store.get} returns for a present key. */
export interface StoreEntry {
  /** The stored bytes. */
  body: Uint8Array;
  /** An opaque tag that changes whenever the value changes (used for compare-and-set). */
  etag: string;
}

/** What {@link Store.getStream} returns for a present key. */
export interface StoreStreamEntry {
  /** The stored bytes, in chunks. */
  stream: AsyncIterable<Uint8Array>;
  /** The tag of the value being streamed. */
  etag: string;
  /** The size in bytes, when the store knows it. */
  size?: number;
}

/** Preconditions of {@link Store.put} and {@link Store.putStream}. */
export interface StorePutOptions {
  /** `'*'`: write only if the key is absent (atomic create); otherwise throws `CONFLICT`. */
  ifNoneMatch?: '*';
  /** Write only if the current etag equals this one; otherwise (or when absent) throws `CONFLICT`. */
  ifMatch?: string;
}

/** Preconditions of {@link Store.delete}. */
export interface StoreDeleteOptions {
  /** Delete only if the current etag equals this one; otherwise throws `CONFLICT`. */
  ifMatch?: string;
}

/**
 * A registry store: a flat namespace of keys (`/`-separated safe segments, see
 * {@link assertSafeKey}) holding byte values, with conditional writes. Implementations must make
 * a successful `put` atomic (readers see the old or the new value, never a part) and must throw a
 * `RegistryError` with code `CONFLICT` when a precondition fails, `INVALID_NAME` for an unsafe
 * key, and `STORE_FAILURE` for any other backend failure.
 */
export interface Store {
  /** Reads a key; `undefined` when absent. */
  get(key: string): Promise<StoreEntry | undefined>;
  /** The current etag of a key without reading it; `undefined` when absent. */
  head(key: string): Promise<string | undefined>;
  /** Writes a key atomically under the given preconditions and returns the new etag. */
  put(key: string, body: Uint8Array, options?: StorePutOptions): Promise<string>;
  /** Every key that starts with `prefix`, sorted ascending. */
  list(prefix: string): Promise<string[]>;
  /** Deletes a key; resolves `false` when it was already absent (unless `ifMatch` is given: then `CONFLICT`). */
  delete(key: string, options?: StoreDeleteOptions): Promise<boolean>;
  /** Reads a key as a stream of chunks (for large blobs); `undefined` when absent. */
  getStream(key: string): Promise<StoreStreamEntry | undefined>;
  /** Writes a key from a stream of chunks, atomically, under the given preconditions; returns the new etag. */
  putStream(key: string, source: AsyncIterable<Uint8Array>, options?: StorePutOptions): Promise<string>;
  /** Releases the store's resources; further calls may fail. */
  close?(): Promise<void>;
}
