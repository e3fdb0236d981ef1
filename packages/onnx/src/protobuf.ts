/**
 * A minimal protocol-buffers writer: varints, length-delimited fields and packed repeated
 * numbers, enough to encode the ONNX messages of `onnx-proto.ts`. Writing only; no reflection.
 */

const utf8 = new TextEncoder();

/** Appends protobuf wire data to a growable byte buffer. */
export class ProtoWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Writes an unsigned varint (up to 2^53; negative int64 values go through {@link ProtoWriter.int64}). */
  varint(value: number): void {
    this.#reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  /** Writes a signed 64-bit integer as a varint (two's complement, 10 bytes when negative). */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    this.#reserve(10);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#len++] = Number(v);
  }

  #tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Raw bytes, unframed. */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** An int32/int64/enum/bool field (wire type 0). */
  intField(field: number, value: number): void {
    this.#tag(field, 0);
    this.int64(value);
  }

  /** A float field (wire type 5, little-endian float32). */
  floatField(field: number, value: number): void {
    this.#tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
  }

  /** A length-delimited bytes field. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.#tag(field, 2);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** A UTF-8 string field. */
  stringField(field: number, text: string): void {
    this.bytesField(field, utf8.encode(text));
  }

  /** An embedded message field, written by `write` into a fresh writer. */
  messageField(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytesField(field, inner.finish());
  }

  /** A packed repeated int64 field (nothing written when empty). */
  packedInts(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.int64(values[i]!);
    this.bytesField(field, inner.finish());
  }

  /** A packed repeated float field (float32, nothing written when empty). */
  packedFloats(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    this.bytesField(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
