import { createHash } from 'node:crypto';
import { RegistryError, isModelshipError } from '../errors.js';
import { sha256Hex } from './bytes.js';
import { registryKeys as K } from './keys.js';
import { concatBytes } from '../store/concat-bytes.js';
import type { ModelVersion } from './records.js';
import type { RegistryTestHooks } from './registry-options.js';
import type { Store } from '../store/store.js';

const CHUNK = 1 << 20;

/**
 * Stores artifact bytes content-addressed by sha256 (create-if-absent). When the blob exists
 * already, it is verified; a corrupt copy is replaced. Blobs above `threshold` bytes (or when a
 * chunk hook is set) are written with `putStream`, 1 MiB at a time.
 */
export async function writeBlob(
  store: Store,
  sha256: string,
  bytes: Uint8Array,
  threshold: number,
  hooks?: RegistryTestHooks,
): Promise<void> {
  const key = K.blob(sha256);
  const write = (options: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<string> =>
    bytes.length > threshold || hooks?.blobChunkWritten
      ? store.putStream(key, chunks(bytes, hooks), options)
      : store.put(key, bytes, options);
  try {
    await write({ ifNoneMatch: '*' });
    return;
  } catch (err) {
    if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
  }
  const existing = await store.getStream(key);
  if (!existing) return write({ ifNoneMatch: '*' }).then(() => undefined);
  const h = createHash('sha256');
  for await (const c of existing.stream) h.update(c);
  if (h.digest('hex') === sha256) return;
  await write({ ifMatch: existing.etag }).catch((err: unknown) => {
    if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err; // repaired concurrently
  });
}

async function* chunks(bytes: Uint8Array, hooks?: RegistryTestHooks): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const end = Math.min(bytes.length, i + CHUNK);
    yield bytes.subarray(i, end);
    await hooks?.blobChunkWritten?.(end, bytes.length);
  }
  if (bytes.length === 0) yield bytes;
}

function integrity(op: string, v: ModelVersion, why: string, actual?: string): RegistryError {
  return new RegistryError('INTEGRITY', `${op}: artifact of model "${v.name}" version ${v.version} ${why}`, {
    operation: op,
    details: {
      name: v.name,
      version: v.version,
      expectedSha256: v.sha256,
      ...(actual ? { actualSha256: actual } : {}),
    },
  });
}

/** Reads and verifies a version's blob (size and sha256); a mismatch throws `INTEGRITY` naming model and version. */
export async function readBlob(store: Store, v: ModelVersion, op: string, threshold: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (v.size > threshold) {
    const s = await store.getStream(K.blob(v.sha256));
    if (!s) throw integrity(op, v, 'is missing from the store');
    const parts: Uint8Array[] = [];
    for await (const c of s.stream) parts.push(c);
    bytes = concatBytes(parts);
  } else {
    const e = await store.get(K.blob(v.sha256));
    if (!e) throw integrity(op, v, 'is missing from the store');
    bytes = e.body;
  }
  if (bytes.length !== v.size) throw integrity(op, v, `has ${bytes.length} bytes, expected ${v.size}`);
  const actual = sha256Hex(bytes);
  if (actual !== v.sha256) throw integrity(op, v, `failed verification: sha256 ${actual} != ${v.sha256}`, actual);
  return bytes;
}

/** Streams a version's blob, verifying size and sha256 at the end (throws `INTEGRITY` then). */
export async function streamBlob(store: Store, v: ModelVersion, op: string): Promise<AsyncIterable<Uint8Array>> {
  const s = await store.getStream(K.blob(v.sha256));
  if (!s) throw integrity(op, v, 'is missing from the store');
  return (async function* verified() {
    const h = createHash('sha256');
    let n = 0;
    for await (const c of s.stream) {
      h.update(c);
      n += c.length;
      yield c;
    }
    const actual = h.digest('hex');
    if (n !== v.size || actual !== v.sha256)
      throw integrity(op, v, `failed verification: ${n} bytes, sha256 ${actual}`, actual);
  })();
}
