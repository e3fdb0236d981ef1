/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) over the UTF-8 bytes of a string, written
 * so that no bytes are materialised: code units are encoded to UTF-8 on the fly (a lone
 * surrogate becomes U+FFFD, as `TextEncoder` does) and fed to the 4-byte block mixer.
 *
 * It returns the same unsigned 32-bit value as the reference C implementation
 * `MurmurHash3_x86_32(utf8_bytes, len, seed, &out)`, Python's
 * `sklearn.utils.murmurhash3_32(s, seed, positive=True)` and `mmh3.hash(s, seed, signed=False)`.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The state of a hash after a prefix: lets a fixed prefix (the salt) be hashed once. */
export interface Murmur3Prefix {
  /** The running hash after every complete 4-byte block of the prefix. */
  readonly h: number;
  /** The pending little-endian bytes of an incomplete block. */
  readonly k: number;
  /** How many bytes are pending in `k` (0–3). */
  readonly n: number;
  /** Total bytes of the prefix. */
  readonly len: number;
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, k: number, n: number, len: number): number {
  if (n > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Continues a MurmurHash3 x86_32 from `prefix` over the UTF-8 bytes of `str` and returns the
 * final unsigned 32-bit hash.
 */
export function murmur3Continue(prefix: Murmur3Prefix, str: string): number {
  let h = prefix.h;
  let k = prefix.k;
  let n = prefix.n;
  let len = prefix.len;
  const size = str.length;
  for (let i = 0; i < size; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      k |= c << (n << 3);
      len += 1;
      if (++n === 4) {
        h = mixBlock(h, k);
        k = 0;
        n = 0;
      }
      continue;
    }
    // Multi-byte: build up to 4 UTF-8 bytes, then push them one by one.
    let bytes: number;
    let count: number;
    if (c < 0x800) {
      bytes = 0xc0 | (c >> 6) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < size ? str.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x10000) {
        bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        count = 3;
      } else {
        bytes =
          0xf0 |
          (c >> 18) |
          ((0x80 | ((c >> 12) & 0x3f)) << 8) |
          ((0x80 | ((c >> 6) & 0x3f)) << 16) |
          ((0x80 | (c & 0x3f)) << 24);
        count = 4;
      }
    }
    for (let b = 0; b < count; b++) {
      k |= ((bytes >>> (b << 3)) & 0xff) << (n << 3);
      len += 1;
      if (++n === 4) {
        h = mixBlock(h, k);
        k = 0;
        n = 0;
      }
    }
  }
  return finish(h, k, n, len);
}

/** Hashes the UTF-8 bytes of `prefix` without finishing, so that many keys can share it. */
export function murmur3Prefix(prefix: string, seed = 0): Murmur3Prefix {
  const bytes = new TextEncoder().encode(prefix);
  let h = seed | 0;
  let k = 0;
  let n = 0;
  for (const byte of bytes) {
    k |= byte << (n << 3);
    if (++n === 4) {
      h = mixBlock(h, k);
      k = 0;
      n = 0;
    }
  }
  return { h, k, n, len: bytes.length };
}

/**
 * MurmurHash3 x86_32 of the UTF-8 bytes of `str` with `seed` (default 0), as an unsigned
 * 32-bit integer.
 *
 * @example
 * ```ts
 * murmur3('hello'); // 0x248bfa47
 * ```
 */
export function murmur3(str: string, seed = 0): number {
  return murmur3Continue({ h: seed | 0, k: 0, n: 0, len: 0 }, str);
}
