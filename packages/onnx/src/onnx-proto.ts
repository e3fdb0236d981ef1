/**
 * The subset of the ONNX protobuf messages the exporter writes (`onnx/onnx.proto`, field numbers
 * as there): ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto.Tensor and TensorShapeProto, as plain data and their encoder.
 */
import { ProtoWriter, utf8Bytes } from './protobuf.js';

/** `TensorProto.DataType` values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
/** One of {@link DataType}. */
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A tensor: numeric data (stored as `raw_data`, little-endian) or strings. */
export interface Tensor {
  readonly name?: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly number[];
  /** float32, float64, int64 (as numbers), uint8/bool (0/1) values, or strings. */
  readonly values: ArrayLike<number> | readonly string[];
}

/** A node attribute. */
export type Attribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'tensor'; readonly value: Tensor }
  | { readonly name: string; readonly type: 'ints'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: 'floats'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: 'strings'; readonly value: readonly string[] };

/** A graph node. */
export interface Node {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly Attribute[];
}

/** A typed graph input or output; a string dimension is symbolic (e.g. `'N'`). */
export interface ValueInfo {
  readonly name: string;
  readonly elemType: DataTypeCode;
  readonly shape: readonly (number | string)[];
  readonly docString?: string;
}

/** A graph. */
export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly initializers: readonly Tensor[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly docString?: string;
}

/** A model. */
export interface ModelProto {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly graph: Graph;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function tensorBytes(t: Tensor): Uint8Array {
  const v = t.values as ArrayLike<number>;
  switch (t.dataType) {
    case DataType.FLOAT:
      return new Uint8Array(Float32Array.from(v).buffer);
    case DataType.DOUBLE:
      return new Uint8Array(Float64Array.from(v).buffer);
    case DataType.INT64:
      return new Uint8Array(BigInt64Array.from(Array.from(v, (x) => BigInt(x))).buffer);
    default:
      return Uint8Array.from(v);
  }
}

function writeTensor(w: ProtoWriter, t: Tensor): void {
  w.packedInts(1, t.dims);
  w.intField(2, t.dataType);
  if (t.dataType === DataType.STRING) for (const s of t.values as readonly string[]) w.stringField(6, s);
  if (t.name !== undefined) w.stringField(8, t.name);
  if (t.dataType !== DataType.STRING) w.bytesField(9, tensorBytes(t));
}

function writeAttribute(w: ProtoWriter, a: Attribute): void {
  w.stringField(1, a.name);
  w.intField(20, ATTR_TYPE[a.type]);
  switch (a.type) {
    case 'float':
      w.floatField(2, a.value);
      break;
    case 'int':
      w.intField(3, a.value);
      break;
    case 'string':
      w.bytesField(4, utf8Bytes(a.value));
      break;
    case 'tensor':
      w.messageField(5, (m) => writeTensor(m, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.bytesField(9, utf8Bytes(s));
      break;
  }
}

function writeNode(w: ProtoWriter, n: Node): void {
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  w.stringField(3, n.name);
  w.stringField(4, n.opType);
  for (const a of n.attributes) w.messageField(5, (m) => writeAttribute(m, a));
  if (n.domain !== '') w.stringField(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.stringField(1, v.name);
  w.messageField(2, (type) =>
    type.messageField(1, (tensor) => {
      tensor.intField(1, v.elemType);
      tensor.messageField(2, (shape) => {
        for (const d of v.shape)
          shape.messageField(1, (dim) => (typeof d === 'number' ? dim.intField(1, d) : dim.stringField(2, d)));
      });
    }),
  );
  if (v.docString !== undefined) w.stringField(3, v.docString);
}

function writeGraph(w: ProtoWriter, g: Graph): void {
  for (const n of g.nodes) w.messageField(1, (m) => writeNode(m, n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.messageField(5, (m) => writeTensor(m, t));
  if (g.docString !== undefined) w.stringField(10, g.docString);
  for (const v of g.inputs) w.messageField(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.messageField(12, (m) => writeValueInfo(m, v));
}

/** Encodes a model as ONNX protobuf bytes (a `.onnx` file). */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.intField(1, model.irVersion);
  w.stringField(2, model.producerName);
  w.stringField(3, model.producerVersion);
  if (model.docString !== undefined) w.stringField(6, model.docString);
  w.messageField(7, (m) => writeGraph(m, model.graph));
  for (const o of model.opsets)
    w.messageField(8, (m) => {
      if (o.domain !== '') m.stringField(1, o.domain);
      m.intField(2, o.version);
    });
  for (const p of model.metadata)
    w.messageField(14, (m) => {
      m.stringField(1, p.key);
      m.stringField(2, p.value);
    });
  return w.finish();
}
