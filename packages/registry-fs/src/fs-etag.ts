import { createHash, type Hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Files up to this size (every record; small blobs) carry a content hash in their etag. */
export const HASHED_MAX = 1 << 20;

/**
 * The etag of a file: inode, size and mtime, plus, for files up to {@link HASHED_MAX} bytes, a
 * hash of the content. The hash matters: ext4 hands a freed inode to the next file at once, and
 * many file systems (ext3, HFS+, NFS servers) keep coarse timestamps, so two different values of
 * a key written within one clock tick could otherwise share inode, size and mtime, and a stale
 * compare-and-set would succeed (a lost update). Larger files are content-addressed blobs, only
 * ever created, never compare-and-set in normal use.
 */
export function etagOf(st: BigIntStats, contentHash: string | undefined): string {
  const base = `${st.ino.toString(36)}-${st.size.toString(36)}-${st.mtimeNs.toString(36)}`;
  return contentHash === undefined ? base : `${base}-${contentHash}`;
}

/** A short content hash (sha256, base64url, 22 characters). */
export function hashOf(body: Uint8Array): string {
  return contentTag(createHash('sha256').update(body));
}

/** The etag's content part from a sha256 fed with the whole content. */
export function contentTag(h: Hash): string {
  return h.digest('base64url').slice(0, 22);
}

/** Reads the etag (and, for a small file, the content) of an open file, from one `fstat`. */
export async function describeFile(
  fh: FileHandle,
): Promise<{ st: BigIntStats; body: Uint8Array | undefined; etag: string } | undefined> {
  const st = await fh.stat({ bigint: true });
  if (!st.isFile()) return undefined;
  if (st.size > BigInt(HASHED_MAX)) return { st, body: undefined, etag: etagOf(st, undefined) };
  const buf = await fh.readFile();
  const body = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return { st, body, etag: etagOf(st, hashOf(body)) };
}
