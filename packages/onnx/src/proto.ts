import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

// One root for the whole package; loading the JSON descriptor costs well under a millisecond.
const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX data types this package reads or writes (TensorProto.DataType). */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorMsg {
  name?: string;
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  rawData?: Uint8Array;
  dataLocation?: number;
}

export interface AttributeMsg {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats?: number[];
  ints?: number[];
}

export interface NodeMsg {
  name?: string;
  opType?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeMsg[];
}

export interface DimMsg {
  dimValue?: number;
  dimParam?: string;
}

export interface ValueInfoMsg {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DimMsg[] } } };
}

export interface GraphMsg {
  name?: string;
  node?: NodeMsg[];
  initializer?: TensorMsg[];
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  docString?: string;
}

export interface ModelMsg {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph?: GraphMsg;
  metadataProps?: { key?: string; value?: string }[];
}

/** Serialises a ModelProto object; `verify` catches a malformed object before it is written. */
export function encodeModel(model: ModelMsg): Uint8Array {
  const problem = ModelProto.verify(model);
  if (problem) throw new Error(`toOnnx built an invalid ModelProto: ${problem}`);
  const encoded = ModelProto.encode(ModelProto.fromObject(model)).finish();
  // In Node protobufjs hands back a Buffer, whose slice() shares memory; callers get a plain,
  // private Uint8Array instead.
  const bytes = new Uint8Array(encoded.length);
  bytes.set(encoded);
  return bytes;
}

/** Parses ModelProto bytes into plain objects (64-bit integers as numbers). Throws on bad bytes. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const message = ModelProto.decode(bytes);
  return ModelProto.toObject(message, { longs: Number, arrays: true, defaults: false }) as ModelMsg;
}
