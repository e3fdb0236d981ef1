import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) in plain JavaScript, for the short messages
 * of request ids. The key's inner and outer pad blocks are compressed once, so one MAC costs
 * two or three block compressions and no allocation — several times cheaper than a
 * `crypto.createHmac` object per call for 40-byte messages. The output is bit-identical to
 * `createHmac('sha256', key)` (pinned by a test against node:crypto).
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);

/** Compresses the 64-byte block at `bytes[off…off+63]` into `h`. */
function compress(h: Int32Array, bytes: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!,
    b = h[1]!,
    c = h[2]!,
    d = h[3]!,
    e = h[4]!,
    f = h[5]!,
    g = h[6]!,
    hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** A reusable HMAC-SHA256 of one key. Not reentrant (shares scratch space); JavaScript is single-threaded. */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  #block = new Uint8Array(128);

  constructor(key: Uint8Array) {
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? createHash('sha256').update(key).digest() : key);
    const pad = new Uint8Array(64);
    for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x36;
    this.#inner.set(IV);
    compress(this.#inner, pad, 0);
    for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x5c;
    this.#outer.set(IV);
    compress(this.#outer, pad, 0);
  }

  /**
   * Writes the MAC of `prefix ‖ message[0…length)` (its first `outLength` bytes, ≤ 32) into
   * `out` at `outOffset`.
   */
  mac(
    prefix: Uint8Array,
    message: Uint8Array,
    length: number,
    out: Uint8Array,
    outOffset: number,
    outLength = 32,
  ): void {
    const total = prefix.length + length;
    const padded = (total + 9 + 63) & ~63;
    if (this.#block.length < padded) this.#block = new Uint8Array(padded);
    const block = this.#block;
    block.set(prefix, 0);
    block.set(message.subarray(0, length), prefix.length);
    block[total] = 0x80;
    block.fill(0, total + 1, padded - 8);
    const bits = (64 + total) * 8; // the key block precedes the message
    block[padded - 8] = 0;
    block[padded - 7] = 0;
    block[padded - 6] = 0;
    block[padded - 5] = Math.floor(bits / 2 ** 32) & 0xff;
    block[padded - 4] = (bits >>> 24) & 0xff;
    block[padded - 3] = (bits >>> 16) & 0xff;
    block[padded - 2] = (bits >>> 8) & 0xff;
    block[padded - 1] = bits & 0xff;
    const h = this.#state;
    h.set(this.#inner);
    for (let off = 0; off < padded; off += 64) compress(h, block, off);
    // Outer: H(opad-state ‖ inner digest), one block of 32 bytes + padding (768 bits in all).
    for (let i = 0; i < 8; i++) {
      const w = h[i]!;
      block[i * 4] = w >>> 24;
      block[i * 4 + 1] = (w >>> 16) & 0xff;
      block[i * 4 + 2] = (w >>> 8) & 0xff;
      block[i * 4 + 3] = w & 0xff;
    }
    block[32] = 0x80;
    block.fill(0, 33, 62);
    block[62] = 0x03; // 768 = 0x0300
    block[63] = 0x00;
    h.set(this.#outer);
    compress(h, block, 0);
    for (let i = 0; i < outLength; i++) out[outOffset + i] = (h[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  }
}
