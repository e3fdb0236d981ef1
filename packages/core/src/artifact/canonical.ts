import { ArtifactError } from '../errors.js';
import type { Serial, SerialTypedArray } from '../types/serial.js';

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typedName(v: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = (v as object).constructor.name as TypedName;
  return name in TYPED && v instanceof TYPED[name] ? name : undefined;
}

/** Typed arrays gathered while writing the canonical JSON header. */
export interface PayloadBuilder {
  /** The chunks (each already little-endian bytes, padded to 8). */
  chunks: Uint8Array[];
  /** Total bytes so far. */
  size: number;
}

function toLittleEndianBytes(name: TypedName, v: SerialTypedArray): Uint8Array {
  const bytes = new Uint8Array(v.byteLength);
  if (LITTLE_ENDIAN || v.BYTES_PER_ELEMENT === 1) {
    bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return bytes;
  }
  const dv = new DataView(bytes.buffer);
  const w = v.BYTES_PER_ELEMENT;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (name === 'Float64Array') dv.setFloat64(i * w, x, true);
    else if (name === 'Float32Array') dv.setFloat32(i * w, x, true);
    else if (name === 'Int32Array') dv.setInt32(i * w, x, true);
    else if (name === 'Uint32Array') dv.setUint32(i * w, x, true);
    else if (name === 'Int16Array') dv.setInt16(i * w, x, true);
    else dv.setUint16(i * w, x, true);
  }
  return bytes;
}

function numberJson(v: number): string {
  if (Number.isFinite(v) && !Object.is(v, -0)) return JSON.stringify(v);
  const tag = Object.is(v, -0) ? '-0' : String(v); // 'NaN' | 'Infinity' | '-Infinity'
  return `{"$num":${JSON.stringify(tag)}}`;
}

/**
 * Writes `value` as canonical JSON: object keys sorted by code unit, no whitespace, keys that
 * start with `$` escaped as `$$…`, non-finite numbers and -0 as `{"$num":"NaN"}`, and typed
 * arrays as `{"$ta":[type, byteOffset, length]}` referencing little-endian bytes appended to
 * `payload` (each chunk 8-byte aligned). `undefined` object members are left out.
 */
export function canonicalJson(value: unknown, payload: PayloadBuilder, path = '$'): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return numberJson(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      const tn = typedName(value);
      if (tn !== undefined) {
        const v = value as SerialTypedArray;
        const bytes = toLittleEndianBytes(tn, v);
        const offset = payload.size;
        const padded = (bytes.length + 7) & ~7;
        const chunk = padded === bytes.length ? bytes : new Uint8Array(padded);
        if (chunk !== bytes) chunk.set(bytes);
        payload.chunks.push(chunk);
        payload.size += padded;
        return `{"$ta":[${JSON.stringify(tn)},${offset},${v.length}]}`;
      }
      if (Array.isArray(value))
        return `[${value.map((v, i) => canonicalJson(v ?? null, payload, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new ArtifactError(
          'INVALID_ARTIFACT',
          `artifact value at ${path} is a ${proto?.constructor?.name ?? 'object'}; only JSON data and typed arrays can be stored`,
          {
            operation: 'encodeArtifact',
            details: { path },
          },
        );
      }
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const k of keys) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        const key = k.startsWith('$') ? `$${k}` : k;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(v, payload, `${path}.${k}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new ArtifactError(
        'INVALID_ARTIFACT',
        `artifact value at ${path} is a ${typeof value}; only JSON data and typed arrays can be stored`,
        {
          operation: 'encodeArtifact',
          details: { path },
        },
      );
  }
}

function bad(message: string): never {
  throw new ArtifactError('INVALID_ARTIFACT', message, { operation: 'decodeArtifact' });
}

/**
 * Reverses {@link canonicalJson} on parsed JSON: resolves `$ta` references against `payload`
 * (copying the bytes, so the result owns its memory), `$num` tags, and `$$` key escapes.
 */
export function revive(value: unknown, payload: Uint8Array, path = '$'): Serial {
  if (value === null || typeof value !== 'object') return value as Serial;
  if (Array.isArray(value)) return value.map((v, i) => revive(v, payload, `${path}[${i}]`));
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$num') {
    const t = obj.$num;
    if (t === 'NaN') return Number.NaN;
    if (t === 'Infinity') return Number.POSITIVE_INFINITY;
    if (t === '-Infinity') return Number.NEGATIVE_INFINITY;
    if (t === '-0') return -0;
    bad(`artifact value at ${path} has an unknown $num tag ${JSON.stringify(t)}`);
  }
  if (keys.length === 1 && keys[0] === '$ta') {
    const ref = obj.$ta;
    if (!Array.isArray(ref) || ref.length !== 3 || typeof ref[0] !== 'string' || !(ref[0] in TYPED)) {
      bad(`artifact value at ${path} has a malformed typed-array reference`);
    }
    const [name, offset, length] = ref as [TypedName, unknown, unknown];
    const ctor = TYPED[name];
    const bytesLen = typeof length === 'number' ? length * ctor.BYTES_PER_ELEMENT : Number.NaN;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(bytesLen) ||
      (offset as number) < 0 ||
      bytesLen < 0 ||
      (offset as number) + bytesLen > payload.length ||
      (offset as number) % 8 !== 0
    ) {
      bad(`artifact value at ${path} references bytes outside the payload`);
    }
    const start = payload.byteOffset + (offset as number);
    const copy = payload.buffer.slice(start, start + bytesLen) as ArrayBuffer;
    const out = new ctor(copy);
    if (!LITTLE_ENDIAN && ctor.BYTES_PER_ELEMENT > 1) {
      const dv = new DataView(copy);
      const w = ctor.BYTES_PER_ELEMENT;
      const le = new ctor(out.length);
      for (let i = 0; i < out.length; i++) {
        le[i] =
          name === 'Float64Array'
            ? dv.getFloat64(i * w, true)
            : name === 'Float32Array'
              ? dv.getFloat32(i * w, true)
              : name === 'Int32Array'
                ? dv.getInt32(i * w, true)
                : name === 'Uint32Array'
                  ? dv.getUint32(i * w, true)
                  : name === 'Int16Array'
                    ? dv.getInt16(i * w, true)
                    : dv.getUint16(i * w, true);
      }
      return le;
    }
    return out;
  }
  const out: Record<string, Serial> = {};
  for (const k of keys) {
    if (k.startsWith('$') && !k.startsWith('$$'))
      bad(`artifact value at ${path} has a reserved key ${JSON.stringify(k)}`);
    const key = k.startsWith('$$') ? k.slice(1) : k;
    Object.defineProperty(out, key, {
      value: revive(obj[k], payload, `${path}.${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
