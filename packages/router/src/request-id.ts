import { randomFillSync, type KeyObject } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';
import { z } from 'zod';
import { RouterError } from './errors.js';

/** What a request id says about the prediction it names. */
export interface RequestIdClaims {
  /** When the request started, in ms since the epoch. */
  readonly time: number;
  /** The variant that answered, e.g. `'production'`. */
  readonly variant: string;
  /** The model version that answered. */
  readonly modelVersion: number;
  /** 16 hex digits of random nonce that make the id unique. */
  readonly nonce: string;
  /** The answer given, when it was a number or a short label (so feedback can score it anywhere). */
  readonly prediction?: number | string;
}

/** What {@link RequestIdCodec.sign} puts into an id. */
export interface RequestIdInput {
  /** When the request started, in ms since the epoch. */
  readonly time: number;
  /** The variant that answered. */
  readonly variant: string;
  /** The model version that answered. */
  readonly modelVersion: number;
  /** High 32 bits of the nonce (see {@link RequestIdCodec.nonce}). */
  readonly nonceHi: number;
  /** Low 32 bits of the nonce. */
  readonly nonceLo: number;
  /** The answer: a number is stored as float64, a label of ≤ 64 UTF-8 bytes as text, anything else is left out. */
  readonly prediction?: unknown;
}

/** Options of {@link createRequestIdCodec}. */
export interface RequestIdCodecOptions {
  /** The HMAC key shared by every replica (at least 16 bytes; a string is taken as UTF-8). */
  readonly key: string | Uint8Array | KeyObject;
  /** The model name, bound into the signature so that an id of another model is rejected. */
  readonly model: string;
  /** Ids older than this are rejected as expired. Default 7 days. */
  readonly maxAgeMs?: number;
  /** Ids dated more than this in the future are rejected. Default 5 minutes. */
  readonly maxClockSkewMs?: number;
  /** Wall clock in ms since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

const FORMAT = 1;
const TAG_BYTES = 16;
const HEADER_BYTES = 20; // format(1) time(6) nonce(8) version(4) variant length(1)
const MAX_VARIANT_BYTES = 64;
const MAX_LABEL_BYTES = 64;
/** The longest id: header, a 64-byte variant, a 64-byte label with its kind and length bytes, the tag — in base64url. */
const MAX_ID_CHARS = Math.ceil(((HEADER_BYTES + MAX_VARIANT_BYTES + 2 + MAX_LABEL_BYTES + TAG_BYTES) * 4) / 3);

const codecOptionsSchema = z.object({
  model: z.string().min(1, 'expected a non-empty model name'),
  maxAgeMs: z.number().positive().optional(),
  maxClockSkewMs: z.number().nonnegative().optional(),
  clock: z
    .custom<() => number>((c) => typeof c === 'function', 'expected a function returning ms since the epoch')
    .optional(),
});

/**
 * Signs and verifies self-describing request ids.
 *
 * **Format.** `base64url(payload ‖ tag)` where `payload` is: format byte `1`; the request time
 * as a 48-bit big-endian count of ms since the epoch; an 8-byte random nonce; the model
 * version as a 32-bit big-endian integer; the variant name's UTF-8 length (1 byte, ≤ 64) and
 * bytes; the prediction: a kind byte (`0` none, `1` a float64 big-endian follows, `2` a length
 * byte and ≤ 64 UTF-8 bytes of label follow). `tag` is the first 16 bytes of `HMAC-SHA256(key, utf8(model) ‖ 0x00 ‖ payload)`, computed by
 * a reused, allocation-free HMAC (`HmacSha256`, identical to node:crypto's).
 * Any change to a byte of the id, an id of another model, or an id signed with another key
 * fails verification (a forger has a 2⁻¹²⁸ chance per guess). Ids are not secret: their
 * content can be read without the key.
 */
export class RequestIdCodec {
  /** The maximum age of an accepted id, in ms. */
  readonly maxAgeMs: number;
  readonly #hmac: HmacSha256;
  readonly #modelPrefix: Buffer;
  readonly #buf = Buffer.allocUnsafe(256);
  readonly #tagScratch = new Uint8Array(TAG_BYTES);
  readonly #names = new Map<string, Buffer>();
  readonly #skew: number;
  readonly #clock: () => number;
  readonly #pool = new Uint32Array(2048);
  #poolAt = 2048;

  /** Throws `RouterError('INVALID_OPTIONS')` naming the field for a bad key, model or limit. */
  constructor(options: RequestIdCodecOptions) {
    const parsed = codecOptionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      throw new RouterError('INVALID_OPTIONS', `invalid request id options: ${z.prettifyError(parsed.error)}`, {
        operation: 'createRequestIdCodec',
        cause: parsed.error,
      });
    }
    const { key } = options;
    let bytes: Buffer;
    if (typeof key === 'string' || key instanceof Uint8Array) {
      bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    } else if (typeof key === 'object' && key !== null && (key as KeyObject).type === 'secret') {
      bytes = (key as KeyObject).export();
    } else {
      throw new RouterError('INVALID_OPTIONS', 'invalid hmacKey: expected a string, bytes or a secret KeyObject', {
        operation: 'createRequestIdCodec',
        details: { field: 'hmacKey' },
      });
    }
    if (bytes.length < 16) {
      throw new RouterError(
        'INVALID_OPTIONS',
        `invalid hmacKey: expected at least 16 bytes, received ${bytes.length}`,
        {
          operation: 'createRequestIdCodec',
          details: { field: 'hmacKey' },
        },
      );
    }
    this.#hmac = new HmacSha256(bytes);
    this.#modelPrefix = Buffer.concat([Buffer.from(options.model, 'utf8'), Buffer.of(0)]);
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600 * 1000;
    this.#skew = options.maxClockSkewMs ?? 5 * 60 * 1000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Draws a fresh 64-bit nonce as two unsigned 32-bit halves (from a pooled CSPRNG buffer). */
  nonce(): [number, number] {
    if (this.#poolAt >= this.#pool.length) {
      randomFillSync(this.#pool);
      this.#poolAt = 0;
    }
    const hi = this.#pool[this.#poolAt++]!;
    const lo = this.#pool[this.#poolAt++]!;
    return [hi, lo];
  }

  #name(variant: string): Buffer {
    let name = this.#names.get(variant);
    if (!name) {
      name = Buffer.from(variant, 'utf8');
      if (name.length === 0 || name.length > MAX_VARIANT_BYTES) {
        throw new RouterError(
          'INVALID_OPTIONS',
          `variant name "${variant}" must be 1–${MAX_VARIANT_BYTES} UTF-8 bytes to fit a request id`,
          {
            operation: 'RequestIdCodec.sign',
          },
        );
      }
      if (this.#names.size < 1024) this.#names.set(variant, name);
    }
    return name;
  }

  /** Encodes and signs a request id (no allocation but the returned string). */
  sign(input: RequestIdInput): string {
    const { prediction } = input;
    const name = this.#name(input.variant);
    const buf = this.#buf;
    buf[0] = FORMAT;
    buf.writeUIntBE(Math.max(0, Math.floor(input.time)), 1, 6);
    buf.writeUInt32BE(input.nonceHi >>> 0, 7);
    buf.writeUInt32BE(input.nonceLo >>> 0, 11);
    buf.writeUInt32BE(input.modelVersion >>> 0, 15);
    buf[19] = name.length;
    name.copy(buf, HEADER_BYTES);
    let at = HEADER_BYTES + name.length;
    if (typeof prediction === 'number') {
      buf[at] = 1;
      buf.writeDoubleBE(prediction, at + 1);
      at += 9;
    } else if (typeof prediction === 'string' && Buffer.byteLength(prediction, 'utf8') <= MAX_LABEL_BYTES) {
      buf[at] = 2;
      const n = buf.write(prediction, at + 2, 'utf8');
      buf[at + 1] = n;
      at += 2 + n;
    } else {
      buf[at] = 0;
      at += 1;
    }
    this.#hmac.mac(this.#modelPrefix, buf, at, buf, at, TAG_BYTES);
    return buf.toString('base64url', 0, at + TAG_BYTES);
  }

  /** Reads an id's claims without checking its signature (for display; never trust them). */
  decode(id: string): RequestIdClaims {
    return this.#parse(id).claims;
  }

  #parse(id: string): { claims: RequestIdClaims; payload: Buffer; tag: Buffer } {
    const bad = (why: string): RouterError =>
      new RouterError('INVALID_REQUEST_ID', `invalid request id: ${why}`, {
        operation: 'RequestIdCodec.verify',
        details: { requestId: id },
      });
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw bad('expected a non-empty base64url string as returned by predict()');
    }
    const bytes = Buffer.from(id, 'base64url');
    if (bytes.length < HEADER_BYTES + 2 + TAG_BYTES) throw bad('too short to be a request id');
    if (bytes[0] !== FORMAT) throw bad(`unknown format ${bytes[0]}`);
    const nameLength = bytes[19]!;
    const at = HEADER_BYTES + nameLength;
    if (bytes.length < at + 1 + TAG_BYTES) throw bad('its length does not match its content');
    const kind = bytes[at]!;
    let end: number;
    let prediction: number | string | undefined;
    if (kind === 0) end = at + 1;
    else if (kind === 1) {
      end = at + 9;
      if (bytes.length !== end + TAG_BYTES) throw bad('its length does not match its content');
      prediction = bytes.readDoubleBE(at + 1);
    } else if (kind === 2 && bytes.length > at + 1) {
      end = at + 2 + bytes[at + 1]!;
      if (bytes.length !== end + TAG_BYTES) throw bad('its length does not match its content');
      prediction = bytes.subarray(at + 2, end).toString('utf8');
    } else throw bad(`unknown prediction kind ${kind}`);
    if (bytes.length !== end + TAG_BYTES) throw bad('its length does not match its content');
    const claims: RequestIdClaims = {
      time: bytes.readUIntBE(1, 6),
      nonce: bytes.subarray(7, 15).toString('hex'),
      modelVersion: bytes.readUInt32BE(15),
      variant: bytes.subarray(HEADER_BYTES, at).toString('utf8'),
      ...(prediction === undefined ? {} : { prediction }),
    };
    return { claims, payload: bytes.subarray(0, end), tag: bytes.subarray(end) };
  }

  /**
   * Verifies an id and returns its claims. Throws `RouterError` with code
   * `'INVALID_REQUEST_ID'` (not decodable, forged, altered, another model or key, or dated in
   * the future) or `'EXPIRED_REQUEST_ID'` (older than {@link maxAgeMs}).
   */
  verify(id: string): RequestIdClaims {
    const { claims, payload, tag } = this.#parse(id);
    const expected = this.#tagScratch;
    this.#hmac.mac(this.#modelPrefix, payload, payload.length, expected, 0, TAG_BYTES);
    let diff = 0;
    for (let i = 0; i < TAG_BYTES; i++) diff |= tag[i]! ^ expected[i]!; // constant time
    if (diff !== 0) {
      throw new RouterError(
        'INVALID_REQUEST_ID',
        'invalid request id: its signature does not match (forged, altered, or issued for another model or key)',
        {
          operation: 'RequestIdCodec.verify',
          details: { requestId: id },
        },
      );
    }
    const now = this.#clock();
    if (claims.time > now + this.#skew) {
      throw new RouterError(
        'INVALID_REQUEST_ID',
        `invalid request id: dated ${new Date(claims.time).toISOString()}, in the future`,
        {
          operation: 'RequestIdCodec.verify',
          details: { requestId: id, time: claims.time },
        },
      );
    }
    if (now - claims.time > this.maxAgeMs) {
      throw new RouterError(
        'EXPIRED_REQUEST_ID',
        `expired request id: issued ${new Date(claims.time).toISOString()}, more than ${this.maxAgeMs} ms ago (feedbackMaxAgeMs)`,
        { operation: 'RequestIdCodec.verify', details: { requestId: id, time: claims.time, maxAgeMs: this.maxAgeMs } },
      );
    }
    return claims;
  }
}

/**
 * Creates a {@link RequestIdCodec}.
 *
 * @example
 * ```ts
 * const ids = createRequestIdCodec({ key: process.env.MODELSHIP_HMAC_KEY!, model: 'house-prices' });
 * const [hi, lo] = ids.nonce();
 * const id = ids.sign({ time: Date.now(), variant: 'candidate', modelVersion: 7, nonceHi: hi, nonceLo: lo, prediction: 412.5 });
 * ids.verify(id); // { variant: 'candidate', modelVersion: 7, … }
 * ```
 */
export function createRequestIdCodec(options: RequestIdCodecOptions): RequestIdCodec {
  return new RequestIdCodec(options);
}
