/**
 * Open Inference Protocol V2 tensors (KServe / Triton), JSON and the binary tensor data extension:
 * a JSON header of `Inference-Header-Content-Length` bytes, then each binary tensor's raw
 * little-endian bytes in input order (`parameters.binary_data_size` each; BYTES elements as a
 * 4-byte length and the bytes).
 *
 * Mapping to the model's rows: either one tensor per input column (named after the column,
 * shape `[N]` or `[N, 1]`; numeric datatypes for numeric columns, BYTES for categorical ones), or
 * one 2-D FP32/FP64 (or integer) tensor of shape `[N, k]` whose columns are the model's input
 * columns in schema order (any name that is not a column, e.g. `input` or the model name; only
 * when every input column is numeric). Outputs: `prediction` (FP64 `[N]`, BYTES labels for a
 * classifier), `probabilities` (FP64 `[N, classes]`, classifiers that give them) and
 * `request_id` (BYTES `[N]`, the signed ids for feedback; only when asked for).
 */
import { httpError } from '../http/http-error.js';
import type { VersionFacts } from './served-models.js';

/** One decoded input tensor. */
export interface Tensor {
  /** The tensor name. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its datatype (BOOL, UINT8…64, INT8…64, FP16, FP32, FP64, BYTES). */
  readonly datatype: string;
  /** Its elements, row-major. */
  readonly data: readonly (number | string | boolean)[];
}

/** A decoded V2 request. */
export interface InferRequest {
  /** The request id given by the client. */
  readonly id: string | undefined;
  /** Inputs in order. */
  readonly inputs: readonly Tensor[];
  /** Requested outputs (name → binary?), `undefined` for the defaults. */
  readonly outputs: ReadonlyMap<string, boolean> | undefined;
  /** `parameters.binary_data_output`. */
  readonly binaryOutput: boolean;
}

const SIZES: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

const MAX_ELEMENTS = 1 << 24;

function bad(detail: string, field?: string): never {
  throw httpError(400, detail, { code: 'INVALID_INPUT', error: detail, ...(field !== undefined ? { field } : {}) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function elementCount(shape: unknown, field: string): number {
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8)
    bad(`${field}: expected an array of 1 to 8 dimensions`, field);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      bad(`${field}: expected non-negative integer dimensions`, field);
    n *= d;
    if (n > MAX_ELEMENTS) bad(`${field}: more than ${MAX_ELEMENTS} elements`, field);
  }
  return n;
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decodeBinary(
  datatype: string,
  bytes: Uint8Array,
  count: number,
  field: string,
): (number | string | boolean)[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number | string | boolean>(count);
  if (datatype === 'BYTES') {
    let o = 0;
    const dec = new TextDecoder('utf-8', { fatal: false });
    for (let i = 0; i < count; i++) {
      if (o + 4 > bytes.length) bad(`${field}: BYTES element ${i} overruns binary_data_size`, field);
      const len = dv.getUint32(o, true);
      o += 4;
      if (o + len > bytes.length) bad(`${field}: BYTES element ${i} overruns binary_data_size`, field);
      out[i] = dec.decode(bytes.subarray(o, o + len));
      o += len;
    }
    if (o !== bytes.length) bad(`${field}: binary_data_size does not match ${count} BYTES elements`, field);
    return out;
  }
  const size = SIZES[datatype]!;
  if (bytes.length !== count * size)
    bad(`${field}: binary_data_size is ${bytes.length}, expected ${count * size} (${count} × ${datatype})`, field);
  for (let i = 0, o = 0; i < count; i++, o += size) {
    switch (datatype) {
      case 'BOOL':
        out[i] = bytes[o] !== 0;
        break;
      case 'UINT8':
        out[i] = dv.getUint8(o);
        break;
      case 'INT8':
        out[i] = dv.getInt8(o);
        break;
      case 'UINT16':
        out[i] = dv.getUint16(o, true);
        break;
      case 'INT16':
        out[i] = dv.getInt16(o, true);
        break;
      case 'FP16':
        out[i] = half(dv.getUint16(o, true));
        break;
      case 'UINT32':
        out[i] = dv.getUint32(o, true);
        break;
      case 'INT32':
        out[i] = dv.getInt32(o, true);
        break;
      case 'FP32':
        out[i] = dv.getFloat32(o, true);
        break;
      case 'UINT64':
        out[i] = Number(dv.getBigUint64(o, true));
        break;
      case 'INT64':
        out[i] = Number(dv.getBigInt64(o, true));
        break;
      default:
        out[i] = dv.getFloat64(o, true);
    }
  }
  return out;
}

function flatten(data: unknown, out: unknown[], depth: number, field: string): void {
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  if (depth > 8) bad(`${field}: nested too deep`, field);
  for (const x of data) {
    flatten(x, out, depth + 1, field);
    if (out.length > MAX_ELEMENTS) bad(`${field}: too many elements`, field);
  }
}

function checkJsonElements(datatype: string, data: unknown[], field: string): (number | string | boolean)[] {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const ok =
      datatype === 'BYTES'
        ? typeof v === 'string'
        : datatype === 'BOOL'
          ? typeof v === 'boolean'
          : typeof v === 'number';
    if (!ok)
      bad(
        `${field}[${i}]: expected ${datatype === 'BYTES' ? 'a string' : datatype === 'BOOL' ? 'a boolean' : 'a number'} for ${datatype}`,
        `${field}[${i}]`,
      );
  }
  return data as (number | string | boolean)[];
}

/**
 * Decodes a V2 request body: JSON, or JSON header + binary tensors when `headerLength` is given.
 * Throws a 400 problem (with an `error` member, as V2 clients read) naming the tensor.
 */
export function decodeInferRequest(body: Uint8Array, headerLength: number | undefined): InferRequest {
  const jsonEnd = headerLength ?? body.length;
  if (!Number.isInteger(jsonEnd) || jsonEnd < 0 || jsonEnd > body.length)
    bad(`Inference-Header-Content-Length ${headerLength} is not within the body's ${body.length} bytes`);
  let head: unknown;
  try {
    head = JSON.parse(Buffer.from(body.buffer, body.byteOffset, jsonEnd).toString('utf8'));
  } catch {
    bad('the inference request header is not valid JSON');
  }
  if (!isObject(head)) bad('the inference request must be a JSON object');
  const inputsRaw = head.inputs;
  if (!Array.isArray(inputsRaw) || inputsRaw.length === 0 || inputsRaw.length > 1024)
    bad('inputs: expected an array of 1 to 1024 tensors', 'inputs');
  let offset = jsonEnd;
  const inputs: Tensor[] = [];
  for (let i = 0; i < inputsRaw.length; i++) {
    const t = inputsRaw[i];
    const field = `inputs[${i}]`;
    if (!isObject(t)) bad(`${field}: expected a tensor object`, field);
    if (typeof t.name !== 'string' || t.name === '' || t.name.length > 256)
      bad(`${field}.name: expected a string`, `${field}.name`);
    if (typeof t.datatype !== 'string' || (t.datatype !== 'BYTES' && SIZES[t.datatype] === undefined))
      bad(
        `${field}.datatype: expected one of BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64, BYTES`,
        `${field}.datatype`,
      );
    const count = elementCount(t.shape, `${field}.shape`);
    const params = t.parameters;
    if (params !== undefined && !isObject(params))
      bad(`${field}.parameters: expected an object`, `${field}.parameters`);
    const size = params?.binary_data_size;
    let data: (number | string | boolean)[];
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
        bad(
          `${field}.parameters.binary_data_size: expected a non-negative integer`,
          `${field}.parameters.binary_data_size`,
        );
      if (headerLength === undefined)
        bad(`${field}: binary data needs the Inference-Header-Content-Length header`, field);
      if (offset + size > body.length) bad(`${field}: binary_data_size ${size} overruns the body`, field);
      data = decodeBinary(t.datatype, body.subarray(offset, offset + size), count, field);
      offset += size;
    } else {
      if (!Array.isArray(t.data))
        bad(`${field}.data: expected an array (or parameters.binary_data_size)`, `${field}.data`);
      const flat: unknown[] = [];
      flatten(t.data, flat, 0, `${field}.data`);
      if (flat.length !== count) bad(`${field}.data: ${flat.length} elements, shape says ${count}`, `${field}.data`);
      data = checkJsonElements(t.datatype, flat, `${field}.data`);
    }
    inputs.push({ name: t.name, shape: t.shape as number[], datatype: t.datatype, data });
  }
  if (offset !== body.length) bad(`the body has ${body.length - offset} bytes beyond the declared binary tensors`);
  let outputs: Map<string, boolean> | undefined;
  const topParams = isObject(head.parameters) ? head.parameters : undefined;
  const binaryOutput = topParams?.binary_data_output === true;
  if (head.outputs !== undefined) {
    if (!Array.isArray(head.outputs) || head.outputs.length > 16)
      bad('outputs: expected an array of at most 16', 'outputs');
    outputs = new Map();
    for (let i = 0; i < head.outputs.length; i++) {
      const o = head.outputs[i];
      if (!isObject(o) || typeof o.name !== 'string') bad(`outputs[${i}]: expected { name }`, `outputs[${i}]`);
      const b = isObject(o.parameters) ? o.parameters.binary_data : undefined;
      outputs.set(o.name, typeof b === 'boolean' ? b : binaryOutput);
    }
  }
  const id = typeof head.id === 'string' ? head.id.slice(0, 256) : undefined;
  return { id, inputs, outputs, binaryOutput };
}

/** The rows of a request's tensors, by the mapping in this module's description. */
export function rowsOfTensors(
  inputs: readonly Tensor[],
  facts: VersionFacts,
  modelName: string,
): Record<string, unknown>[] {
  const columns = facts.inputColumns;
  const byColumn = inputs.filter((t) => Object.hasOwn(facts.schema.columns, t.name));
  if (byColumn.length === 0) {
    if (inputs.length !== 1)
      bad(`inputs: name the tensors after the input columns (${columns.join(', ')}) or send one 2-D tensor`, 'inputs');
    const t = inputs[0]!;
    if (!facts.allNumeric)
      bad(`inputs[0]: model "${modelName}" has categorical columns; send one tensor per column`, 'inputs[0]');
    if (t.shape.length !== 2 || t.shape[1] !== columns.length)
      bad(
        `inputs[0].shape: expected [N, ${columns.length}] (columns ${columns.join(', ')}), got [${t.shape.join(', ')}]`,
        'inputs[0].shape',
      );
    if (t.datatype === 'BYTES' || t.datatype === 'BOOL')
      bad('inputs[0].datatype: expected a numeric datatype (FP32, FP64…)', 'inputs[0].datatype');
    const n = t.shape[0]!;
    const k = columns.length;
    const rows: Record<string, unknown>[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < k; c++) row[columns[c]!] = t.data[r * k + c];
      rows[r] = row;
    }
    return rows;
  }
  if (byColumn.length !== inputs.length) {
    const extra = inputs.find((t) => !Object.hasOwn(facts.schema.columns, t.name))!;
    bad(`inputs: tensor "${extra.name}" is not an input column of model "${modelName}"`, 'inputs');
  }
  const n = byColumn[0]!.shape[0]!;
  for (const t of byColumn) {
    if (t.shape[0] !== n || t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1))
      bad(
        `inputs: tensor "${t.name}" has shape [${t.shape.join(', ')}]; every column tensor must be [${n}] or [${n}, 1]`,
        'inputs',
      );
  }
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = {};
  for (const t of byColumn) {
    if (t.name === '__proto__') continue;
    const spec = facts.schema.columns[t.name]!;
    if ((spec.type === 'categorical') !== (t.datatype === 'BYTES'))
      bad(
        `inputs: tensor "${t.name}": column is ${spec.type}, datatype ${t.datatype} ${spec.type === 'categorical' ? '(send BYTES)' : '(send a numeric datatype)'}`,
        'inputs',
      );
    for (let r = 0; r < n; r++) rows[r]![t.name] = t.data[r];
  }
  return rows;
}

/** One output tensor to encode. */
export interface OutputTensor {
  /** The name. */
  readonly name: string;
  /** The datatype (FP64 or BYTES). */
  readonly datatype: 'FP64' | 'BYTES';
  /** The shape. */
  readonly shape: readonly number[];
  /** The elements. */
  readonly data: readonly (number | string)[];
}

function encodeBinary(t: OutputTensor): Buffer {
  if (t.datatype === 'FP64') {
    const b = Buffer.allocUnsafe(t.data.length * 8);
    for (let i = 0; i < t.data.length; i++) b.writeDoubleLE(t.data[i] as number, i * 8);
    return b;
  }
  const parts = t.data.map((s) => Buffer.from(String(s), 'utf8'));
  const b = Buffer.allocUnsafe(parts.reduce((a, p) => a + 4 + p.length, 0));
  let o = 0;
  for (const p of parts) {
    b.writeUInt32LE(p.length, o);
    p.copy(b, o + 4);
    o += 4 + p.length;
  }
  return b;
}

/**
 * Encodes a V2 response: JSON when no output is binary, else the JSON header followed by the
 * binary outputs (the `Inference-Header-Content-Length` header gives the JSON's length).
 */
export function encodeInferResponse(
  head: Record<string, unknown>,
  outputs: readonly { tensor: OutputTensor; binary: boolean }[],
): { json?: unknown; bytes?: Uint8Array; headerLength?: number } {
  const json = outputs.map(({ tensor, binary }) =>
    binary
      ? { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: 0 } }
      : { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, data: tensor.data },
  );
  if (!outputs.some((o) => o.binary)) return { json: { ...head, outputs: json } };
  const blobs: Buffer[] = [];
  outputs.forEach(({ tensor, binary }, i) => {
    if (!binary) return;
    const b = encodeBinary(tensor);
    (json[i] as { parameters: { binary_data_size: number } }).parameters.binary_data_size = b.length;
    blobs.push(b);
  });
  const header = Buffer.from(JSON.stringify({ ...head, outputs: json }), 'utf8');
  return { bytes: Buffer.concat([header, ...blobs]), headerLength: header.length };
}
