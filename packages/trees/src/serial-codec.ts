import { TreesError } from './errors.js';

/** Typed arrays the codec stores as raw bytes. */
type CodecTypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

const CTORS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type CtorName = keyof typeof CTORS;
const MAGIC = 0x5254534d; // 'MSTR'

/**
 * Encodes JSON plus typed arrays into one byte buffer: a JSON header, then every typed array's
 * raw little-endian bytes (8-byte aligned), so numbers round-trip bit for bit. Used for
 * checkpoints-to-bytes and for measuring the size of a model; `@modelship/core` has its own
 * artifact codec with the same idea.
 */
export function encodeSerial(value: unknown): Uint8Array {
  const blobs: CodecTypedArray[] = [];
  let offset = 0;
  const header = JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as CtorName;
      if (!(name in CTORS)) throw new TreesError('INVALID_INPUT', `encodeSerial: unsupported typed array ${name}`);
      const ta = v as CodecTypedArray;
      const ref = { $typed: name, offset, length: ta.length };
      blobs.push(ta);
      offset += Math.ceil(ta.byteLength / 8) * 8;
      return ref;
    }
    return v;
  });
  const head = new TextEncoder().encode(header);
  const headLen = Math.ceil((8 + head.length) / 8) * 8;
  const out = new Uint8Array(headLen + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, head.length, true);
  out.set(head, 8);
  let o = headLen;
  for (const b of blobs) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), o);
    o += Math.ceil(b.byteLength / 8) * 8;
  }
  return out;
}

/** Decodes {@link encodeSerial} output (typed arrays are copied out of the buffer). */
export function decodeSerial(bytes: Uint8Array): unknown {
  const bad = (m: string): never => {
    throw new TreesError('INVALID_MODEL', `decodeSerial: ${m}`, { operation: 'decodeSerial' });
  };
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) bad('expected bytes written by encodeSerial');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) bad('bad magic number');
  const hl = dv.getUint32(4, true);
  if (8 + hl > bytes.length) bad('truncated header');
  const headLen = Math.ceil((8 + hl) / 8) * 8;
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + hl));
  return JSON.parse(header, (_k, v: unknown) => {
    if (v && typeof v === 'object' && '$typed' in v) {
      const { $typed, offset, length } = v as { $typed: CtorName; offset: number; length: number };
      const C = CTORS[$typed];
      if (!C) bad(`unknown typed array ${String($typed)}`);
      const start = headLen + offset;
      const byteLen = length * C.BYTES_PER_ELEMENT;
      if (!(start >= headLen && start + byteLen <= bytes.length)) bad('typed array out of range');
      const copy = new Uint8Array(byteLen);
      copy.set(bytes.subarray(start, start + byteLen));
      return new C(copy.buffer);
    }
    return v;
  });
}
