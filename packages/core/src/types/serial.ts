/** A typed array that may appear inside serialized model state. */
export type SerialTypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * A value that model artifacts can hold: JSON plus typed arrays. The artifact codec stores
 * typed arrays as raw little-endian bytes so they round-trip bit for bit.
 */
export type Serial =
  | null
  | boolean
  | number
  | string
  | SerialTypedArray
  | readonly Serial[]
  | { readonly [key: string]: Serial };
