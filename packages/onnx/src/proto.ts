// The codec reads the schema's JSON descriptor as it goes, with no generated code: a page under
// a Content Security Policy without 'unsafe-eval' reads and writes models too.
import { decodeMessage, encodeMessage } from './codec.js';

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

/** Serialises a ModelProto object; a field of the wrong type is caught before it is written. */
export function encodeModel(model: ModelMsg): Uint8Array {
  try {
    return encodeMessage('ModelProto', model as Record<string, unknown>);
  } catch (err) {
    throw new Error(`toOnnx built an invalid ModelProto: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Parses ModelProto bytes into plain objects (64-bit integers as numbers). Throws on bad bytes. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  return decodeMessage('ModelProto', bytes) as ModelMsg;
}
